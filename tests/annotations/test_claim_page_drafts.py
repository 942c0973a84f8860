"""No dead shared links: a draft's page says who sees it and who can publish it; "Publish
and copy link" publishes; a claim no annotation uses any more can be deleted."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from annotations.models import Claim, ClaimAlias, ClaimRelation
from parallax.models import AuditEvent
from tests.factories import make_annotation, make_article, make_claim

pytestmark = pytest.mark.django_db

CLAIM_DELETED = AuditEvent.Action.CLAIM_DELETED

DRAFT_NOTICE = (
    "<strong>Draft:</strong> only editors see this page. Readers who open this link get "
    "‘page not found’ until it is published."
)


@pytest.fixture
def alice(make_editor):
    return make_editor("alice")


@pytest.fixture
def draft(alice):
    article = make_article()
    claim = make_claim(story=article.story, statement="The gate was shut", created_by=alice)
    make_annotation(article, "memo shows", claim=claim)
    return claim


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(client, claim) -> str:
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_author_sees_the_draft_notice_and_publish_and_copy_link(alice, draft):
    page = html(logged_in(alice), draft)
    assert DRAFT_NOTICE in page
    assert "Publish and copy link</button>" in page
    assert f'action="{reverse("annotations:claim-publish", args=[draft.slug])}"' in page
    assert "can publish it" not in page


def test_a_moderator_may_publish_a_draft_too(django_user_model, draft):
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    page = html(logged_in(moderator), draft)
    assert DRAFT_NOTICE in page
    assert "Publish and copy link</button>" in page


def test_another_editor_is_told_who_can_publish(make_editor, draft):
    page = html(logged_in(make_editor("bob")), draft)
    assert DRAFT_NOTICE in page
    assert "<p>Only its author, alice, or a moderator can publish it.</p>" in page
    assert "Publish and copy link" not in page


def test_a_published_claim_has_no_draft_notice(alice, draft):
    draft.status = Claim.Status.PUBLISHED
    draft.save()
    page = html(logged_in(alice), draft)
    assert "only editors see this page" not in page
    assert "Publish and copy link" not in page
    assert "Unpublish</button>" in page


def test_publishing_from_the_page_script_answers_json(alice, draft):
    response = logged_in(alice).post(
        reverse("annotations:claim-publish", args=[draft.slug]),
        {"status": "published"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "published",
        "url": "http://testserver/claims/the-gate-was-shut/",
        "message": "Claim published.",
    }
    draft.refresh_from_db()
    assert draft.is_published
    # The script shows the outcome itself: nothing waits for the next page.
    assert list(get_messages(response.wsgi_request)) == []
    assert AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED).target == "The gate was shut"


def test_publishing_with_a_plain_form_redirects_to_the_claim(alice, draft):
    response = logged_in(alice).post(
        reverse("annotations:claim-publish", args=[draft.slug]),
        {"status": "published"},
        headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.is_published


def test_another_editor_cannot_publish_through_the_script(make_editor, draft):
    response = logged_in(make_editor("bob")).post(
        reverse("annotations:claim-publish", args=[draft.slug]),
        {"status": "published"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published


@pytest.fixture
def orphan(alice, draft):
    """A claim whose only annotation moved to another claim; it has an old slug and a
    relation."""
    claim = make_claim(story=draft.story, statement="The gate was closed", created_by=alice)
    ClaimAlias.objects.create(claim=claim, slug="the-gate-closed")
    ClaimRelation.objects.create(source=claim, target=draft, kind="contradicts")
    return claim


def test_editors_see_that_no_annotation_uses_the_claim(make_editor, alice, orphan, draft):
    page = html(logged_in(alice), orphan)
    assert "No annotation uses this claim any more." in page
    assert "Delete this claim</button>" in page
    other = html(logged_in(make_editor("bob")), orphan)
    assert "No annotation uses this claim any more." in other
    assert "Delete this claim" not in other
    assert "No annotation uses this claim" not in html(logged_in(alice), draft)


def test_a_deleted_annotation_does_not_count_as_a_use(alice, draft):
    draft.annotations.update(deleted="2024-01-01T00:00:00Z")
    assert "No annotation uses this claim any more." in html(logged_in(alice), draft)


def test_deleting_a_claim_no_annotation_uses(alice, orphan, draft):
    client = logged_in(alice)
    response = client.post(reverse("annotations:claim-delete", args=[orphan.slug]))
    assert response.status_code == 302
    assert response["Location"] == orphan.story.get_absolute_url()
    assert not Claim.objects.filter(pk=orphan.pk).exists()
    assert not ClaimAlias.objects.exists()
    assert not ClaimRelation.objects.exists()
    assert Claim.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action=CLAIM_DELETED)
    assert (event.target, event.actor_name) == ("The gate was closed", "alice")
    assert "relations removed: 1" in event.details
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Claim deleted: “The gate was closed”."]
    assert client.get("/claims/the-gate-closed/").status_code == 404


def test_a_claim_in_use_is_not_deleted(alice, draft):
    client = logged_in(alice)
    response = client.post(reverse("annotations:claim-delete", args=[draft.slug]))
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()
    assert Claim.objects.filter(pk=draft.pk).exists()
    assert not AuditEvent.objects.filter(action=CLAIM_DELETED).exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "Not deleted: 1 annotation still uses this claim. "
        "Change or delete them first, or merge the claim into another."
    ]


def test_only_the_author_or_a_moderator_deletes(make_editor, django_user_model, orphan):
    url = reverse("annotations:claim-delete", args=[orphan.slug])
    assert logged_in(make_editor("bob")).post(url).status_code == 403
    assert Client().post(url).status_code == 302  # to the login page
    assert Claim.objects.filter(pk=orphan.pk).exists()
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    assert logged_in(moderator).post(url).status_code == 302
    assert not Claim.objects.filter(pk=orphan.pk).exists()


def test_deleting_detaches_annotations_deleted_earlier(alice, draft):
    annotation = draft.annotations.get()
    draft.annotations.update(deleted="2024-01-01T00:00:00Z")
    logged_in(alice).post(reverse("annotations:claim-delete", args=[draft.slug]))
    annotation.refresh_from_db()
    assert annotation.claim is None
    assert (
        "deleted annotations that no longer name it: 1"
        in AuditEvent.objects.get(action=CLAIM_DELETED).details
    )
