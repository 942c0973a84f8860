"""Failed logins: locked per account and address, slowed per account, unlocked by moderators.

Time never passes in these tests: where a lock or a wait should be over, the stored times
are moved back instead.
"""

import re
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, aauthenticate
from django.test import Client, RequestFactory
from django.urls import reverse

from parallax import login
from parallax.models import AccountLoginDelay, AuditEvent
from tests.conftest import EDITOR_PASSWORD

pytestmark = pytest.mark.django_db

HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"
LOCKED = (
    "Too many failed logins for this account from your address. "
    "Try again in 15 minutes, or ask a moderator to unlock it."
)


def text(response) -> str:
    """The page's text with tags dropped and spaces collapsed, as a reader reads it."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def try_login(address, password, username="editor"):
    """One login through the login page from `address`, with a fresh browser."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    response.logged_in = SESSION_KEY in client.session
    return response


def fail(address, times=1, username="editor"):
    for _ in range(times):
        response = try_login(address, "wrong-password", username)
    return response


def move_back(delta):
    """As if `delta` had passed since the failures so far."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - delta
        )


def end_waits():
    AccountLoginDelay.objects.update(not_before=None)


# Per account and address


def test_locks_an_account_from_one_address_after_five_failures(editor):
    for _ in range(4):
        response = fail(HOME)
        assert response.status_code == 200
        assert "Please enter a correct username and password" in text(response)

    response = fail(HOME)

    assert response.status_code == 429
    assert LOCKED in text(response)
    assert response["Retry-After"] == str(15 * 60)


def test_a_locked_out_try_is_refused_even_with_the_right_password(editor):
    fail(HOME, 5)

    response = try_login(HOME, EDITOR_PASSWORD)

    assert response.status_code == 429
    assert not response.logged_in
    assert LOCKED in text(response)
    # The branded login page, with the username as typed.
    assert "<h1>Log in</h1>" in response.content.decode()
    assert 'value="editor"' in response.content.decode()


def test_the_same_account_still_logs_in_from_another_address(editor):
    fail(HOME, 5)

    response = try_login(ELSEWHERE, EDITOR_PASSWORD)

    assert response.status_code == 302
    assert response.logged_in


def test_tries_while_locked_are_not_counted_and_do_not_restart_the_lock(editor):
    fail(HOME, 5)
    attempt = AccessAttempt.objects.get()

    fail(HOME, 3)
    try_login(HOME, EDITOR_PASSWORD)

    again = AccessAttempt.objects.get()
    assert again.failures_since_start == 5
    assert again.attempt_time == attempt.attempt_time
    assert AccountLoginDelay.objects.get().failures == 5


def test_the_lock_ends_after_fifteen_minutes(editor):
    fail(HOME, 5)
    move_back(timedelta(minutes=14))
    assert try_login(HOME, EDITOR_PASSWORD).status_code == 429
    assert "Try again in 1 minute," in text(try_login(HOME, EDITOR_PASSWORD))

    move_back(timedelta(minutes=1, seconds=1))

    assert try_login(HOME, EDITOR_PASSWORD).logged_in


def test_a_successful_login_clears_the_failures_of_its_address(editor):
    fail(HOME, 4)
    assert try_login(HOME, EDITOR_PASSWORD).logged_in
    assert not AccessAttempt.objects.exists()

    fail(HOME, 4)

    assert try_login(HOME, EDITOR_PASSWORD).logged_in


def test_async_authentication_is_refused_while_locked(editor):
    fail(HOME, 5)
    request = RequestFactory().post(reverse("login"), REMOTE_ADDR=HOME)

    user = async_to_sync(aauthenticate)(request, username="editor", password=EDITOR_PASSWORD)

    assert user is None


def test_the_admin_login_page_sends_people_to_the_throttled_one(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/admin/"


# Per account, from any address


def test_waits_grow_from_the_sixth_failure_and_stop_at_a_minute():
    waits = [login.account_wait(n).total_seconds() for n in range(1, 13)]

    assert waits == [0, 0, 0, 0, 0, 5, 10, 20, 40, 60, 60, 60]
    assert login.account_wait(10**6) == timedelta(seconds=60)


def test_failures_from_many_addresses_make_the_account_wait(editor):
    for n in range(5):
        fail(f"10.1.0.{n}")
    assert AccountLoginDelay.objects.get().not_before is None

    fail("10.1.0.5")

    delay = AccountLoginDelay.objects.get()
    assert delay.failures == 6
    assert delay.not_before - delay.last_failure == timedelta(seconds=5)
    response = try_login(ELSEWHERE, EDITOR_PASSWORD)
    assert response.status_code == 429
    assert not response.logged_in
    assert re.search(
        r"Too many failed logins for this account in the last hour\. Wait \d seconds? and try again\.",
        text(response),
    )
    assert 'value="editor"' in response.content.decode()


def test_a_try_during_the_wait_is_not_counted_anywhere(editor):
    for n in range(6):
        fail(f"10.1.0.{n}")

    fail(ELSEWHERE, 3)

    assert AccountLoginDelay.objects.get().failures == 6
    assert not AccessAttempt.objects.filter(ip_address=ELSEWHERE).exists()


def test_each_failure_past_the_free_ones_lengthens_the_wait(editor):
    for n in range(5):
        fail(f"10.1.0.{n}")
    waits = []
    for n in range(6):
        fail(f"10.2.0.{n}")
        delay = AccountLoginDelay.objects.get()
        waits.append((delay.not_before - delay.last_failure).total_seconds())
        end_waits()

    assert waits == [5, 10, 20, 40, 60, 60]


def test_the_account_logs_in_when_the_wait_is_over(editor):
    for n in range(6):
        fail(f"10.1.0.{n}")
    end_waits()

    assert try_login(ELSEWHERE, EDITOR_PASSWORD).logged_in
    assert not AccountLoginDelay.objects.exists()


def test_an_address_the_account_logged_in_from_skips_the_wait(editor):
    assert try_login(HOME, EDITOR_PASSWORD).logged_in
    for n in range(8):
        fail(f"10.1.0.{n}")

    assert try_login(ELSEWHERE, EDITOR_PASSWORD).status_code == 429
    assert try_login(HOME, EDITOR_PASSWORD).logged_in


def test_failures_older_than_an_hour_are_forgotten(editor):
    for n in range(9):
        fail(f"10.1.0.{n}")
    AccountLoginDelay.objects.update(
        window_start=AccountLoginDelay.objects.get().window_start - timedelta(minutes=61),
        not_before=None,
    )

    fail(ELSEWHERE)

    delay = AccountLoginDelay.objects.get()
    assert delay.failures == 1
    assert delay.not_before is None


def test_unknown_usernames_are_slowed_like_real_ones(db):
    for n in range(6):
        fail(f"10.1.0.{n}", username="nobody")

    response = fail(ELSEWHERE, username="nobody")

    assert response.status_code == 429
    assert "Wait" in text(response)


# Unlocking


@pytest.fixture
def moderator_client(django_user_model):
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    client = Client()
    client.force_login(moderator)
    client.user = moderator
    return client


def unlock(client, attempts):
    return client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock", "_selected_action": [a.pk for a in attempts]},
    )


def test_a_moderator_unlocks_an_account_from_the_admin(editor, moderator_client):
    fail(HOME, 5)
    fail(ELSEWHERE, 1)
    page = moderator_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert "Unlock: clear the failed logins of the selected rows" in page.content.decode()

    response = unlock(moderator_client, AccessAttempt.objects.filter(ip_address=HOME))

    assert response.status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ELSEWHERE]
    assert not AccountLoginDelay.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_UNLOCKED)
    assert (event.actor, event.target, event.details) == (
        moderator_client.user,
        "editor",
        f"from {HOME}",
    )
    assert try_login(HOME, EDITOR_PASSWORD).logged_in


def test_unlocking_ends_the_accounts_wait(editor, moderator_client):
    for n in range(6):
        fail(f"10.1.0.{n}")
    assert try_login(ELSEWHERE, EDITOR_PASSWORD).status_code == 429

    unlock(moderator_client, AccessAttempt.objects.all())

    assert try_login(ELSEWHERE, EDITOR_PASSWORD).logged_in


def test_failed_logins_cannot_be_deleted_without_unlocking(editor, moderator_client):
    fail(HOME)
    attempt = AccessAttempt.objects.get()

    response = moderator_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert AccessAttempt.objects.exists()


def test_only_moderators_see_failed_logins(editor, django_user_model):
    fail(HOME)
    client = Client()
    client.force_login(editor)

    response = client.get(reverse("admin:axes_accessattempt_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# The address


def test_behind_proxies_the_address_is_the_one_the_outer_proxy_saw(settings):
    factory = RequestFactory()
    settings.PARALLAX_NUM_PROXIES = 1
    request = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.9.9")
    assert login.client_address(request) == "10.9.9.9"

    settings.PARALLAX_NUM_PROXIES = 0
    assert login.client_address(request) == "127.0.0.1"


def test_a_forged_address_does_not_escape_the_lock(editor, settings):
    settings.PARALLAX_NUM_PROXIES = 1
    for n in range(5):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.1.1.{n}, {HOME}")
        client.post(reverse("login"), {"username": "editor", "password": "wrong-password"})

    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"not-an-address, {HOME}")
    response = client.post(reverse("login"), {"username": "editor", "password": EDITOR_PASSWORD})

    assert response.status_code == 429
    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=ELSEWHERE)
    response = client.post(reverse("login"), {"username": "editor", "password": EDITOR_PASSWORD})
    assert response.status_code == 302
