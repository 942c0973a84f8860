"""The audit log: role changes recorded from every path, with who acted; read-only in the admin."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parallax import audit
from parallax.models import AuditEvent

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


@pytest.fixture
def editors():
    return Group.objects.get_or_create(name="editors")[0]


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", password="pw-boss-123")


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def events(**filters):
    """(actor's username or None, action, target, details) of each event, oldest first."""
    return [
        (e.actor.username if e.actor else None, e.action, e.target, e.details)
        for e in AuditEvent.objects.filter(**filters).order_by("pk")
    ]


def change_user(client, user, **fields):
    """Saves the admin's change form for `user` as it stands, with `fields` changed."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "groups": list(user.groups.values_list("pk", flat=True)),
        **({"is_active": "on"} if user.is_active else {}),
        **({"is_staff": "on"} if user.is_staff else {}),
        **fields,
    }
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_adding_a_user_to_editors_in_the_admin_records_who_did_it(admin_client, alice, editors):
    change_user(admin_client, alice, groups=[editors.pk])

    assert alice.groups.filter(name="editors").exists()
    assert events(action=Action.JOINED_GROUP) == [("boss", Action.JOINED_GROUP, "alice", "editors")]


def test_role_changes_in_the_admin_record_each_change_with_who_did_it(admin_client, alice, editors):
    alice.groups.add(editors)
    before = AuditEvent.objects.order_by("pk").last().pk

    change_user(admin_client, alice, groups=[], is_staff="on", is_active=None)

    assert events(pk__gt=before) == [
        ("boss", Action.STAFF_ON, "alice", ""),
        ("boss", Action.DEACTIVATED, "alice", ""),
        ("boss", Action.LEFT_GROUP, "alice", "editors"),
    ]
    assert AuditEvent.objects.get(action=Action.STAFF_ON, target="alice").actor_name == "boss"


def test_saving_the_admin_form_unchanged_records_nothing(admin_client, alice, editors):
    alice.groups.add(editors)
    count = AuditEvent.objects.count()

    change_user(admin_client, alice)

    assert AuditEvent.objects.count() == count


def test_group_changes_from_code_are_recorded_without_an_actor(alice, editors):
    alice.groups.add(editors)
    alice.groups.add(editors)  # already a member: no second event
    editors.user_set.remove(alice)
    alice.groups.remove(editors)  # not a member: nothing left
    editors.user_set.add(alice)
    alice.groups.clear()

    assert events() == [
        (None, Action.JOINED_GROUP, "alice", "editors"),
        (None, Action.LEFT_GROUP, "alice", "editors"),
        (None, Action.JOINED_GROUP, "alice", "editors"),
        (None, Action.LEFT_GROUP, "alice", "editors"),
    ]
    assert set(AuditEvent.objects.values_list("actor_name", flat=True)) == {""}


def test_flag_changes_from_code_are_recorded_without_an_actor(alice):
    alice.is_staff = True
    alice.save()
    alice.save()  # nothing changed
    alice.is_staff = False
    alice.is_superuser = True
    alice.save()
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert events() == [
        (None, Action.STAFF_ON, "alice", ""),
        (None, Action.STAFF_OFF, "alice", ""),
        (None, Action.SUPERUSER_ON, "alice", ""),
        (None, Action.DEACTIVATED, "alice", ""),
    ]


def test_acting_as_names_the_actor_for_changes_made_in_code(alice, admin_user, editors):
    with audit.acting_as(admin_user):
        alice.groups.add(editors)
    alice.groups.remove(editors)

    assert events(target="alice") == [
        ("boss", Action.JOINED_GROUP, "alice", "editors"),
        (None, Action.LEFT_GROUP, "alice", "editors"),
    ]


def test_new_accounts_record_only_the_roles_they_are_given(django_user_model):
    django_user_model.objects.create_user("plain")
    django_user_model.objects.create_superuser("root", password="pw-root-123")
    django_user_model.objects.create_user("dormant", is_active=False)

    assert events() == [
        (None, Action.STAFF_ON, "root", ""),
        (None, Action.SUPERUSER_ON, "root", ""),
        (None, Action.DEACTIVATED, "dormant", ""),
    ]


def test_logging_in_records_nothing_and_reads_no_flags(alice):
    with CaptureQueriesContext(connection) as captured:
        Client().force_login(alice)

    # Saving last_login cannot change a role, so the flags are not read to compare.
    assert not [q for q in captured.captured_queries if 'SELECT "auth_user"."is_staff"' in q["sql"]]
    assert not AuditEvent.objects.exists()


# The admin pages of the log


@pytest.fixture
def moderator_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("mod", is_staff=True))
    return client


def test_moderators_read_the_log_in_the_admin(moderator_client, alice, editors):
    alice.groups.add(editors)
    event = AuditEvent.objects.get(action=Action.JOINED_GROUP)

    listing = moderator_client.get(reverse("admin:parallax_auditevent_changelist"))
    detail = moderator_client.get(reverse("admin:parallax_auditevent_change", args=[event.pk]))

    assert listing.status_code == 200
    assert "Added to a group" in listing.content.decode()
    assert "no user (shell or script)" in listing.content.decode()
    assert detail.status_code == 200


@pytest.mark.parametrize("who", ["moderator", "superuser"])
def test_nobody_edits_or_deletes_the_log(who, moderator_client, admin_client, alice, editors):
    client = moderator_client if who == "moderator" else admin_client
    alice.groups.add(editors)
    event = AuditEvent.objects.get(action=Action.JOINED_GROUP)
    changelist = reverse("admin:parallax_auditevent_changelist")

    change = client.post(
        reverse("admin:parallax_auditevent_change", args=[event.pk]),
        {"target": "someone else", "action": Action.LEFT_GROUP},
    )
    delete = client.post(
        reverse("admin:parallax_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    add = client.get(reverse("admin:parallax_auditevent_add"))
    bulk_delete = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    # No delete action is offered: the admin answers with the list, nothing deleted.
    assert bulk_delete.status_code in (200, 302)
    event.refresh_from_db()
    assert (event.action, event.target) == (Action.JOINED_GROUP, "alice")


def test_editors_cannot_read_the_log(alice, editors):
    alice.groups.add(editors)
    client = Client()
    client.force_login(alice)

    response = client.get(reverse("admin:parallax_auditevent_changelist"))

    assert response.status_code == 302
