"""Editors act on their own work: publishing follows the renaming rule, drafts' old
addresses stay hidden, and a form posted to an old address is not lost."""

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Claim, ClaimRelation
from parallax.models import AuditEvent
from tests.conftest import EDITOR_PASSWORD
from tests.factories import make_claim, make_story
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

PUBLISHED, DRAFT = Claim.Status.PUBLISHED, Claim.Status.DRAFT


def publish_url(claim):
    return reverse("annotations:claim-publish", args=[claim.slug])


def test_an_editor_cannot_publish_or_unpublish_another_editors_claim(make_editor):
    alice, bob = make_editor("alice"), make_editor("bob")
    draft = make_claim(statement="Alice's draft", created_by=alice)
    published = make_claim(statement="Alice's published claim", created_by=alice, status=PUBLISHED)
    bob_client = logged_in(bob)

    assert bob_client.post(publish_url(draft), {"status": PUBLISHED}).status_code == 403
    assert bob_client.post(publish_url(published), {"status": DRAFT}).status_code == 403

    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (DRAFT, PUBLISHED)
    assert not draft.revisions.exists() and not published.revisions.exists()
    # The page tells Bob who can, instead of offering a button that fails.
    page = bob_client.get(draft.get_absolute_url()).content.decode()
    assert "Only its author, alice, or a moderator can publish" in page
    assert publish_url(draft) not in page


def test_the_author_and_a_moderator_publish_and_unpublish(make_editor, django_user_model):
    alice = make_editor("alice")
    moderator = django_user_model.objects.create_user(
        "mod", password=EDITOR_PASSWORD, is_staff=True
    )
    claim = make_claim(statement="Alice's draft", created_by=alice)

    assert logged_in(alice).post(publish_url(claim), {"status": PUBLISHED}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == PUBLISHED
    assert logged_in(moderator).post(publish_url(claim), {"status": DRAFT}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == DRAFT
    # Who and when, each time.
    assert [(r.user.username, r.changes["status"]) for r in claim.revisions.order_by("pk")] == [
        ("alice", [DRAFT, PUBLISHED]),
        ("mod", [PUBLISHED, DRAFT]),
    ]
    # And in the audit log a moderator reads in the admin.
    events = AuditEvent.objects.filter(target=claim.statement).order_by("pk")
    assert [(e.actor_name, e.action) for e in events] == [
        ("alice", AuditEvent.Action.PUBLISHED),
        ("mod", AuditEvent.Action.UNPUBLISHED),
    ]
    assert all(e.at for e in events)


def test_a_renamed_drafts_old_address_is_404_for_readers(editor, editor_client):
    draft = make_claim(statement="The secret plan", created_by=editor)
    old = draft.get_absolute_url()
    editor_client.post(
        reverse("annotations:claim-edit", args=[draft.slug]),
        {"statement": "The minister's secret plan leaked", "version": draft.version},
    )
    draft.refresh_from_db()
    assert draft.slug == "the-ministers-secret-plan-leaked"

    for path in (old, old + "export.json", old + "export.csv"):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert "secret-plan-leaked" not in response.get("Location", "")
        assert b"leaked" not in response.content
    # Editors are still sent on; so is everyone once the claim is published.
    assert editor_client.get(old)["Location"] == draft.get_absolute_url()
    Claim.objects.filter(pk=draft.pk).update(status=PUBLISHED)
    assert Client().get(old)["Location"] == draft.get_absolute_url()


def test_a_merged_drafts_old_address_is_404_for_readers(django_user_model):
    moderator = django_user_model.objects.create_user(
        "mod", password=EDITOR_PASSWORD, is_staff=True
    )
    story = make_story()
    source = make_claim(story=story, statement="First wording")
    target = make_claim(story=story, statement="The draft that absorbed it")
    logged_in(moderator).post(
        reverse("annotations:claim-merge", args=[source.slug]), {"into": target.pk}
    )
    assert not Claim.objects.filter(pk=source.pk).exists()
    merged = AuditEvent.objects.get(action=AuditEvent.Action.MERGED)
    assert (merged.actor_name, merged.target) == ("mod", target.statement)
    assert "First wording" in merged.details

    response = Client().get(f"/claims/{source.slug}/")
    assert response.status_code == 404
    assert "absorbed" not in response.get("Location", "")


def test_a_post_to_an_old_address_keeps_its_method(editor, editor_client):
    claim = make_claim(statement="Old wording", created_by=editor)
    old_publish = publish_url(claim)
    editor_client.post(
        reverse("annotations:claim-edit", args=[claim.slug]),
        {"statement": "New wording", "version": claim.version},
    )
    claim.refresh_from_db()

    response = editor_client.post(old_publish, {"status": PUBLISHED})
    # 308: the browser posts the same form again to the new address; a 301 would lose it.
    assert response.status_code == 308
    assert response["Location"] == publish_url(claim)
    followed = editor_client.post(old_publish, {"status": PUBLISHED}, follow=True)
    assert followed.redirect_chain[0] == (publish_url(claim), 308)
    claim.refresh_from_db()
    assert claim.status == PUBLISHED
    # Reads still get a plain permanent redirect.
    assert editor_client.get(f"/claims/{'old-wording'}/").status_code == 301


def test_a_relation_posted_to_an_old_address_acts_on_the_claim(editor, editor_client):
    story = make_story()
    claim = make_claim(story=story, statement="Old wording", created_by=editor)
    other = make_claim(story=story, statement="Another claim", status=PUBLISHED)
    old_add = reverse("annotations:claim-relation-add", args=[claim.slug])
    editor_client.post(
        reverse("annotations:claim-edit", args=[claim.slug]),
        {"statement": "New wording", "version": claim.version},
    )
    editor_client.post(old_add, {"kind": "contradicts", "other": other.statement})
    assert ClaimRelation.objects.filter(source=claim, target=other).exists()
