"""Personal API tokens: made for an editor, shown once, stored as a digest, revoked at once.

A token reads "plx_" and 43 characters of base64 (32 random bytes from `secrets`). The
database keeps its SHA-256 digest and its first PREFIX_LENGTH characters, which the
owner's page shows to tell tokens apart; a leaked database gives no usable token.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from parallax import audit
from parallax.models import APIToken, AuditEvent

SCHEME = "plx_"
SECRET_BYTES = 32
# "plx_" and the secret's first 4 characters: enough to tell a handful of tokens apart.
PREFIX_LENGTH = len(SCHEME) + 4
MAX_TOKENS_PER_USER = 20
# A token's last use is written when the one stored is older than this, not every request.
LAST_USED_EVERY = timedelta(minutes=1)
# Anything longer is not one of ours (and is not hashed).
MAX_TOKEN_LENGTH = 200


class TokenRefused(Exception):
    """The token cannot be made; the message says why (for the form)."""


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def live_tokens(user):
    return APIToken.objects.filter(owner=user, revoked__isnull=True)


def issue_token(user, name: str) -> tuple[APIToken, str]:
    """A new token for `user`, and its secret, which is never stored nor shown again."""
    name = " ".join(name.split())
    if not name:
        raise TokenRefused("Give the token a name.")
    if len(name) > APIToken.NAME_MAX_LENGTH:
        raise TokenRefused(f"A name has at most {APIToken.NAME_MAX_LENGTH} characters.")
    secret = SCHEME + secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        # Counted under a lock on the owner's row (PostgreSQL), so two forms sent at once
        # cannot both pass the bound.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if live_tokens(user).count() >= MAX_TOKENS_PER_USER:
            raise TokenRefused(
                f"You have {MAX_TOKENS_PER_USER} tokens, the most one account may hold: "
                "revoke one you no longer use first."
            )
        if live_tokens(user).filter(name=name).exists():
            raise TokenRefused(f"You already have a token named “{name}”.")
        try:
            with transaction.atomic():
                token = APIToken.objects.create(
                    owner=user, name=name, prefix=secret[:PREFIX_LENGTH], digest=digest_of(secret)
                )
        except IntegrityError:
            raise TokenRefused(f"You already have a token named “{name}”.") from None
    audit.record(user, AuditEvent.Action.TOKEN_MADE, token.name, f"starts with {token.prefix}")
    return token, secret


def token_for(secret: str) -> APIToken | None:
    """The live token whose secret this is, with its owner; None for anything else (a
    revoked token, an inactive owner, a made-up string). One query by the digest's
    unique index; the last use is written at most once per LAST_USED_EVERY."""
    if not secret.startswith(SCHEME) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    token = (
        APIToken.objects.select_related("owner")
        .filter(digest=digest_of(secret), revoked__isnull=True, owner__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used is None or token.last_used < now - LAST_USED_EVERY:
        APIToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


def revoke_token(token: APIToken, user) -> None:
    """From the next request on, the token opens nothing."""
    if token.revoked is None:
        revoked = APIToken.objects.filter(pk=token.pk, revoked__isnull=True).update(
            revoked=timezone.now()
        )
        token.refresh_from_db(fields=["revoked"])
        if revoked:
            audit.record(
                user,
                AuditEvent.Action.TOKEN_REVOKED,
                token.name,
                f"starts with {token.prefix}; owner: {token.owner.get_username()}",
            )
