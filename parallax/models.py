"""Project-wide records: the audit log of role changes, per-account login delays, and
personal API tokens."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Who did what to whom, and when. Rows are only ever added."""

    class Action(models.TextChoices):
        JOINED_GROUP = "joined-group", "Added to a group"
        LEFT_GROUP = "left-group", "Removed from a group"
        STAFF_ON = "staff-on", "Made a moderator (staff)"
        STAFF_OFF = "staff-off", "No longer a moderator (staff)"
        SUPERUSER_ON = "superuser-on", "Made a superuser"
        SUPERUSER_OFF = "superuser-off", "No longer a superuser"
        ACTIVATED = "activated", "Account activated"
        DEACTIVATED = "deactivated", "Account deactivated"
        LOGIN_UNLOCKED = "login-unlocked", "Login unlocked"
        PUBLISHED = "published", "Claim published"
        UNPUBLISHED = "unpublished", "Claim unpublished"
        MERGED = "merged", "Claims merged"
        CLAIM_DELETED = "claim-deleted", "Claim deleted"
        TOKEN_MADE = "token-made", "API token made"
        TOKEN_REVOKED = "token-revoked", "API token revoked"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # None when no user acted: the shell, a management command, a migration.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's username as it was, kept when the account is deleted.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action)
    # Who or what was acted on, as it was named then (a username, a claim).
    target = models.CharField(max_length=200)
    details = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        who = self.actor_name or "no user"
        return f"{self.get_action_display()}: {self.target} (by {who}, {self.at:%Y-%m-%d %H:%M})"


class AccountLoginDelay(models.Model):
    """Failed logins for one username from any address, within a window of time.

    Past a few failures the account must wait a little before its next try (see
    parallax/login.py). `username` is what was typed, whether or not such an account
    exists, so the delay says nothing about which accounts exist.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    last_failure = models.DateTimeField(db_index=True)
    # Tries for this account before this time are refused without checking the password.
    not_before = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.username}: {self.failures} failed logins since {self.window_start}"


class ContentGeneration(models.Model):
    """One shard of the content generation: the number every write that readers could see
    moves, in its own transaction (parallax/generation.py keeps it, with triggers).

    The generation is the sum over the shards; a writer bumps a shard no other writer
    holds, so concurrent writers do not queue on one row. `token` changes at random with
    each bump, so a generation restored from a backup, or rolled back in a test, never
    names pages cached after it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    number = models.BigIntegerField(default=0)
    token = models.BigIntegerField(default=0)
    # When the shard last moved: at commit on PostgreSQL, at the write on SQLite.
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"shard {self.id}: {self.number} writes, last at {self.changed_at:%Y-%m-%d %H:%M:%S}"


class APIToken(models.Model):
    """A personal token for the API (parallax/tokens.py). Only a digest of its secret is
    stored: the secret is shown once, when the token is made, and cannot be read again.
    `prefix`, the secret's first characters, tells the owner's tokens apart on their page
    and is no help to a guesser."""

    NAME_MAX_LENGTH = 100

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=16)
    # SHA-256 of the whole secret, hex; the secret holds 32 random bytes, so a plain
    # digest is enough (no salt or slow hash: nothing to guess from).
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    # Moved at most once a minute (tokens.LAST_USED_EVERY): not a write per request.
    last_used = models.DateTimeField(null=True, blank=True)
    # A revoked token is kept, so its owner sees it was revoked and when.
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(revoked__isnull=True),
                name="api_token_name_unique_per_owner",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="api_token_has_name"),
        ]

    def __str__(self):
        state = "revoked" if self.revoked else "live"
        return f"{self.name} ({self.prefix}…, {state})"
