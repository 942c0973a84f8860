"""Personal API tokens (parallax/tokens.py) and their account page (parallax/accounts.py):
made by editors only, shown once, stored as a digest, listed by their prefix, revoked at
once; the page's forms need their CSRF token and keep what was typed when refused."""

import hashlib
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from parallax import tokens
from parallax.models import APIToken, AuditEvent
from tests.api.helpers import API, build_world

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


def browser(user) -> Client:
    """A logged-in browser whose forms must carry their CSRF token, as a real one's do."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_of(client: Client) -> str:
    client.get(PAGE)
    return client.cookies["csrftoken"].value


def shown_secret(html: str) -> str:
    match = re.search(r'id="new-token" value="([^"]+)"', html)
    assert match, "the new token is not on the page"
    return match.group(1)


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", password="x")


# The token ------------------------------------------------------------------------------


def test_a_token_is_stored_as_its_digest_never_as_its_secret(editor):
    token, secret = tokens.issue_token(editor, "export script")

    row = APIToken.objects.filter(pk=token.pk).values().get()
    assert secret.startswith("plx_") and len(secret) >= len("plx_") + 43  # 32 random bytes
    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert row["prefix"] == secret[: tokens.PREFIX_LENGTH]
    assert not any(secret in str(value) for value in row.values())
    assert tokens.token_for(secret) == token
    assert tokens.token_for(secret[:-1] + "x") is None


def test_tokens_differ_each_time(editor):
    secrets = {tokens.issue_token(editor, f"token {n}")[1] for n in range(5)}

    assert len(secrets) == 5


def test_a_token_records_when_it_was_last_used(editor):
    token, secret = tokens.issue_token(editor, "laptop")
    assert token.last_used is None

    assert Client().get(f"{API}claims/", **bearer(secret)).status_code == 200

    token.refresh_from_db()
    assert token.last_used is not None


def test_an_editors_token_sees_drafts_as_their_session_does(editor):
    world = build_world(author=editor)
    _, secret = tokens.issue_token(editor, "reader script")
    draft = f"{API}claims/{world.draft.slug}/"

    assert Client().get(draft).status_code == 404
    assert Client().get(draft, **bearer(secret)).status_code == 200
    # "Token <token>" is taken too.
    assert Client().get(draft, HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200


def test_a_wrong_or_revoked_token_is_refused_even_for_reads(editor):
    token, secret = tokens.issue_token(editor, "laptop")
    tokens.revoke_token(token, editor)

    for value in (secret, "plx_made-up", "nonsense"):
        response = Client().get(f"{API}outlets/", **bearer(value))
        assert response.status_code == 401, value
        assert response.json()["error"]
        assert "invalid_token" in response["WWW-Authenticate"]


def test_a_token_of_a_deactivated_account_opens_nothing(editor):
    _, secret = tokens.issue_token(editor, "laptop")
    editor.is_active = False
    editor.save()

    assert Client().get(f"{API}outlets/", **bearer(secret)).status_code == 401


# The account page -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_making_a_token_shows_its_secret_once_then_only_its_prefix(editor):
    client = browser(editor)
    response = client.post(PAGE, {"name": "export script", "csrfmiddlewaretoken": csrf_of(client)})
    html = response.content.decode()

    assert response.status_code == 200
    secret = shown_secret(html)
    assert "Copy your new token now" in html
    assert "shown only this once" in html
    token = APIToken.objects.get(owner=editor)
    assert (token.name, token.digest) == ("export script", tokens.digest_of(secret))
    made = AuditEvent.objects.get(action=AuditEvent.Action.TOKEN_MADE)
    assert (made.actor, made.target) == (editor, "export script")
    assert secret not in made.details

    # The token works for the API...
    assert Client().get(f"{API}outlets/", **bearer(secret)).status_code == 200
    # ...and the page never shows it again: only its prefix.
    later = client.get(PAGE).content.decode()
    assert secret not in later
    assert f"{token.prefix}…" in later
    assert "export script" in later
    assert 'id="new-token"' not in later


def test_the_page_has_no_inline_script_or_style_and_labels_its_field(editor):
    html = browser(editor).get(PAGE).content.decode()

    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert '<label for="id_name">Name</label>' in html


def test_a_form_without_its_csrf_token_makes_no_token(editor):
    response = browser(editor).post(PAGE, {"name": "forged"})

    assert response.status_code == 403
    assert not APIToken.objects.exists()


def test_a_refused_name_is_kept_in_the_form_with_the_reason(editor):
    tokens.issue_token(editor, "laptop")
    client = browser(editor)
    csrf = csrf_of(client)

    same = client.post(PAGE, {"name": "laptop", "csrfmiddlewaretoken": csrf})
    long_name = "n" * (APIToken.NAME_MAX_LENGTH + 1)
    too_long = client.post(PAGE, {"name": long_name, "csrfmiddlewaretoken": csrf})

    assert "You already have a token named “laptop”" in same.content.decode()
    assert 'value="laptop"' in same.content.decode()
    assert 'id="new-token"' not in same.content.decode()
    assert f'value="{long_name}"' in too_long.content.decode()
    assert "at most 100 characters" in too_long.content.decode()
    assert APIToken.objects.count() == 1


def test_an_account_holds_a_bounded_number_of_tokens(editor):
    for n in range(tokens.MAX_TOKENS_PER_USER):
        tokens.issue_token(editor, f"token {n}")
    client = browser(editor)

    response = client.post(PAGE, {"name": "one more", "csrfmiddlewaretoken": csrf_of(client)})

    html = response.content.decode()
    assert f"You have {tokens.MAX_TOKENS_PER_USER} tokens" in html
    assert 'value="one more"' in html
    assert APIToken.objects.count() == tokens.MAX_TOKENS_PER_USER
    # A revoked one frees its place.
    tokens.revoke_token(APIToken.objects.first(), editor)
    assert tokens.issue_token(editor, "one more")[0].pk


def test_only_editors_make_tokens(reader):
    client = browser(reader)
    page = client.get(PAGE).content.decode()

    response = client.post(PAGE, {"name": "mine", "csrfmiddlewaretoken": csrf_of(client)})

    assert "Only editors can make API tokens" in page
    assert 'name="name"' not in page
    assert response.status_code == 403
    assert not APIToken.objects.exists()


def test_revoking_stops_the_token_at_once(editor):
    token, secret = tokens.issue_token(editor, "laptop")
    assert Client().get(f"{API}outlets/", **bearer(secret)).status_code == 200
    client = browser(editor)

    response = client.post(
        reverse("token-revoke", args=[token.pk]), {"csrfmiddlewaretoken": csrf_of(client)}
    )

    assert response.status_code == 302
    assert Client().get(f"{API}outlets/", **bearer(secret)).status_code == 401
    assert "revoked" in client.get(PAGE).content.decode()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.TOKEN_REVOKED, actor=editor, target="laptop"
    ).exists()


def test_revoking_needs_the_csrf_token_and_ones_own_token(editor, make_editor):
    token, secret = tokens.issue_token(editor, "laptop")
    other = browser(make_editor("other"))

    forged = browser(editor).post(reverse("token-revoke", args=[token.pk]))
    theirs = other.post(
        reverse("token-revoke", args=[token.pk]), {"csrfmiddlewaretoken": csrf_of(other)}
    )

    assert forged.status_code == 403
    assert theirs.status_code == 404
    assert Client().get(f"{API}outlets/", **bearer(secret)).status_code == 200


def test_the_site_header_links_to_the_tokens_page_for_editors(editor, reader):
    link = f'href="{PAGE}"'

    assert link in browser(editor).get("/").content.decode()
    assert link not in browser(reader).get("/").content.decode()
    assert link not in Client().get("/").content.decode()


def test_a_former_editor_still_lists_and_revokes_their_tokens(editor):
    token, _ = tokens.issue_token(editor, "laptop")
    editor.groups.remove(Group.objects.get(name="editors"))
    client = browser(editor)

    assert "laptop" in client.get(PAGE).content.decode()
    client.post(reverse("token-revoke", args=[token.pk]), {"csrfmiddlewaretoken": csrf_of(client)})
    token.refresh_from_db()
    assert token.revoked is not None
