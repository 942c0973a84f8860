"""No silent loss between editors: stale edits refused with the other editor's name and
the typed text kept, a form sent twice making one annotation, one claim per statement."""

import uuid

import pytest
from django.urls import reverse

from annotations.models import Annotation, Claim
from tests.conftest import EDITOR_PASSWORD
from tests.factories import make_annotation, make_article, make_claim
from tests.helpers import logged_in, selection

pytestmark = pytest.mark.django_db


def opened_version(client, url) -> str:
    """The version the edit form carries, as a browser would send it back."""
    form = client.get(url).context["form"]
    return str(form["version"].value())


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_user("mod", password=EDITOR_PASSWORD, is_staff=True)


def test_a_stale_annotation_edit_is_refused_and_keeps_what_was_typed(make_editor, moderator):
    alice = make_editor("alice")
    annotation = make_annotation(make_article(), "memo shows", author=alice, note="Original")
    url = reverse("annotations:annotation-edit", args=[annotation.pk])
    alice_client, moderator_client = logged_in(alice), logged_in(moderator)
    # Both open the form at the same version.
    alice_version = opened_version(alice_client, url)
    moderator_version = opened_version(moderator_client, url)
    assert alice_version == moderator_version == "1"

    first = moderator_client.post(
        url, {"note": "The moderator's note", "version": moderator_version}
    )
    assert first.status_code == 302
    second = alice_client.post(url, {"note": "Alice's long careful note", "version": alice_version})

    assert second.status_code == 200
    page = second.content.decode()
    assert "changed by mod since you opened it" in page
    # Alice's words are still in the form, and the moderator's are shown beside them.
    assert "Alice&#x27;s long careful note" in page
    assert "The moderator&#x27;s note" in page
    annotation.refresh_from_db()
    assert annotation.note == "The moderator's note"
    assert annotation.revisions.count() == 1
    # The form now carries the version stored: saving again replaces it knowingly.
    assert second.context["form"]["version"].value() == "2"
    third = alice_client.post(url, {"note": "Alice's long careful note", "version": "2"})
    assert third.status_code == 302
    annotation.refresh_from_db()
    assert (annotation.note, annotation.version) == ("Alice's long careful note", 3)


def test_a_stale_claim_rename_is_refused_and_keeps_what_was_typed(make_editor, moderator):
    alice = make_editor("alice")
    claim = make_claim(statement="The harbour closed", created_by=alice)
    url = reverse("annotations:claim-edit", args=[claim.slug])
    alice_client, moderator_client = logged_in(alice), logged_in(moderator)
    alice_version = opened_version(alice_client, url)
    moderator_version = opened_version(moderator_client, url)

    moderator_client.post(
        url, {"statement": "The harbour closed at dawn", "version": moderator_version}
    )
    claim.refresh_from_db()
    response = alice_client.post(
        claim.get_absolute_url() + "edit/",
        {"statement": "The harbour closed for a week", "version": alice_version},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by mod since you opened it" in page
    assert "The harbour closed for a week" in page
    assert "The harbour closed at dawn" in page
    claim.refresh_from_db()
    assert claim.statement == "The harbour closed at dawn"


def test_publishing_meanwhile_also_makes_a_rename_stale(editor):
    claim = make_claim(statement="The harbour closed", created_by=editor)
    client = logged_in(editor)
    url = reverse("annotations:claim-edit", args=[claim.slug])
    version = opened_version(client, url)
    client.post(reverse("annotations:claim-publish", args=[claim.slug]), {"status": "published"})
    response = client.post(url, {"statement": "Renamed", "version": version})
    assert "since you opened it" in response.content.decode()
    claim.refresh_from_db()
    assert claim.statement == "The harbour closed"


def test_renaming_to_another_claims_statement_is_refused_in_words(editor):
    story_claim = make_claim(statement="The harbour closed", created_by=editor)
    other = make_claim(story=story_claim.story, statement="The ferry stopped", created_by=editor)
    client = logged_in(editor)
    response = client.post(
        reverse("annotations:claim-edit", args=[other.slug]),
        {"statement": "THE HARBOUR  closed", "version": other.version},
    )
    assert response.status_code == 200
    assert "Another claim of this story already says this" in response.content.decode()
    other.refresh_from_db()
    assert other.statement == "The ferry stopped"


def test_a_form_sent_twice_makes_one_annotation(editor):
    article = make_article()
    url = reverse("annotations:annotation-create", args=[article.pk])
    data = selection(article, "memo shows", note="Once", submission=str(uuid.uuid4()))
    client = logged_in(editor)

    first = client.post(url, data)
    again = client.post(url, data)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Annotation.objects.count() == 1
    # Another opened form (another key) is another annotation.
    other = client.post(url, data | {"submission": str(uuid.uuid4())})
    assert other.status_code == 201
    assert Annotation.objects.count() == 2


def test_a_submission_key_is_the_senders_own(make_editor):
    """Another editor's key never hands them someone else's annotation."""
    article = make_article()
    url = reverse("annotations:annotation-create", args=[article.pk])
    data = selection(article, "memo shows", submission=str(uuid.uuid4()))
    alice, bob = logged_in(make_editor("alice")), logged_in(make_editor("bob"))
    first, second = alice.post(url, data), bob.post(url, data)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert sorted(Annotation.objects.values_list("author__username", flat=True)) == [
        "alice",
        "bob",
    ]


def test_the_page_gives_each_opened_form_a_submission_field(editor):
    article = make_article()
    page = logged_in(editor).get(article.get_absolute_url()).content.decode()
    assert 'name="submission"' in page


def test_two_editors_naming_the_same_new_claim_make_one_claim(make_editor):
    article = make_article()
    url = reverse("annotations:annotation-create", args=[article.pk])
    alice, bob = logged_in(make_editor("alice")), logged_in(make_editor("bob"))
    alice.post(url, selection(article, "memo shows", claim="The memo was ignored", new_claim="1"))
    bob.post(url, selection(article, "two inspections", claim="the memo  WAS ignored"))
    claim = Claim.objects.get()
    assert claim.statement == "The memo was ignored"
    assert claim.annotations.count() == 2
