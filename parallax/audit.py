"""The audit log: role changes, login unlocks, and whatever else calls `record`.

Role changes are recorded by signals, so every path is covered: the admin, the shell,
management commands. The actor is whoever `acting_as` names around the change (the
admin's user pages do); elsewhere it is unknown and recorded as no user.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_save, pre_save

from parallax.models import AuditEvent

_actor = ContextVar("audit_actor", default=None)

# User flag -> the actions for turning it on and off.
Action = AuditEvent.Action
FLAG_ACTIONS = {
    "is_staff": (Action.STAFF_ON, Action.STAFF_OFF),
    "is_superuser": (Action.SUPERUSER_ON, Action.SUPERUSER_OFF),
    "is_active": (Action.ACTIVATED, Action.DEACTIVATED),
}
# What a new account is unless told otherwise; only departures from it are recorded.
NEW_USER_FLAGS = {"is_staff": False, "is_superuser": False, "is_active": True}


@contextmanager
def acting_as(user):
    """Changes made inside are recorded as done by `user`."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def record(actor, action: str, target, details: str = ""):
    """Add one event to the audit log. `actor` is a user, or None when no user acted."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        target=str(target)[:200],
        details=details[:300],
    )


def remember_flags(sender, instance, raw, update_fields, **kwargs):
    """pre_save: note the flags as stored, to compare after saving."""
    instance._audit_flags = None
    if raw or instance._state.adding:
        return
    if update_fields is not None and not FLAG_ACTIONS.keys() & set(update_fields):
        return  # a login saving last_login, say: no flag can change
    instance._audit_flags = (
        sender._default_manager.filter(pk=instance.pk).values(*FLAG_ACTIONS).first()
    )


def record_flag_changes(sender, instance, created, raw, **kwargs):
    before = NEW_USER_FLAGS if created else getattr(instance, "_audit_flags", None)
    instance._audit_flags = None
    if raw or before is None:
        return
    for flag, (on, off) in FLAG_ACTIONS.items():
        now = getattr(instance, flag)
        if now != before[flag]:
            record(_actor.get(), on if now else off, instance.get_username())


def record_group_changes(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed on User.groups, from either side (user.groups or group.user_set)."""
    User = get_user_model()
    memberships = sender._default_manager
    if reverse:
        members = memberships.filter(group=instance)
        if pk_set is not None:
            members = members.filter(user__in=pk_set)
    else:
        members = memberships.filter(user=instance)
        if pk_set is not None:
            members = members.filter(group__in=pk_set)

    if action in ("pre_remove", "pre_clear"):
        # Only memberships that exist are removed; remove() accepts others silently.
        instance._audit_leaving = list(members.values_list("user", "group"))
        return
    if action == "post_add":
        pairs = [(instance.pk, pk) if not reverse else (pk, instance.pk) for pk in pk_set]
        event = Action.JOINED_GROUP
    elif action in ("post_remove", "post_clear"):
        pairs = instance.__dict__.pop("_audit_leaving", [])
        event = Action.LEFT_GROUP
    else:
        return
    if not pairs:
        return
    usernames = dict(
        User._default_manager.filter(pk__in={u for u, _ in pairs}).values_list(
            "pk", User.USERNAME_FIELD
        )
    )
    groups = dict(Group.objects.filter(pk__in={g for _, g in pairs}).values_list("pk", "name"))
    for user_pk, group_pk in sorted(pairs):
        record(_actor.get(), event, usernames[user_pk], groups[group_pk])


def connect_signals() -> None:
    User = get_user_model()
    pre_save.connect(remember_flags, sender=User, dispatch_uid="audit-remember-flags")
    post_save.connect(record_flag_changes, sender=User, dispatch_uid="audit-flag-changes")
    m2m_changed.connect(
        record_group_changes, sender=User.groups.through, dispatch_uid="audit-group-changes"
    )
