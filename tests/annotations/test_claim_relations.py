"""Relations between claims: added from one claim, shown on both, removed by whom may."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, Claim, ClaimRelation, ClaimRevision
from annotations.relations import add_relation, relations_of
from parallax.permissions import is_editor
from sources.models import Article
from tests.factories import make_annotation, make_article, make_claim, make_story

pytestmark = pytest.mark.django_db

PUBLISHED = Claim.Status.PUBLISHED


@pytest.fixture
def reader():
    """An anonymous client (`client` is the one `editor_client` logs in)."""
    return Client()


@pytest.fixture
def story():
    return make_story(title="Harbour gate")


@pytest.fixture
def admission(story):
    return make_claim(story=story, statement="The mayor admits he knew", status=PUBLISHED)


@pytest.fixture
def denial(story):
    return make_claim(story=story, statement="The mayor denies knowing", status=PUBLISHED)


def add_url(claim):
    return reverse("annotations:claim-relation-add", args=[claim.slug])


def delete_url(claim, relation):
    return reverse("annotations:claim-relation-delete", args=[claim.slug, relation.pk])


def text(response) -> str:
    """The page's text with tags dropped and spaces collapsed, as a reader reads it."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def relations_section(response) -> str:
    html = response.content.decode()
    start = html.index('<section class="relations"')
    return html[start : html.index("</section>", start)]


def relation_lines(client, claim) -> list[str]:
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    return [
        " ".join(f"This claim {item.label} {item.other.statement}".split())
        for item in response.context["relations"]
    ]


def test_a_relation_added_from_one_claim_shows_on_both_pages(
    editor, editor_client, reader, admission, denial
):
    response = editor_client.post(
        add_url(admission), {"kind": "contradicts", "other": "The mayor denies knowing"}
    )

    assert response.status_code == 302
    assert response["Location"] == admission.get_absolute_url()
    relation = ClaimRelation.objects.get()
    assert (relation.source, relation.target, relation.kind, relation.created_by) == (
        admission,
        denial,
        "contradicts",
        editor,
    )
    page = editor_client.get(admission.get_absolute_url())
    assert "Related: this claim contradicts “The mayor denies knowing”." in text(page)
    # Readers see it from both sides.
    assert "This claim contradicts The mayor denies knowing" in text(
        reader.get(admission.get_absolute_url())
    )
    assert "This claim is contradicted by The mayor admits he knew" in text(
        reader.get(denial.get_absolute_url())
    )
    assert relation_lines(reader, denial) == [
        "This claim is contradicted by The mayor admits he knew"
    ]


def test_both_histories_record_the_relation(editor, editor_client, admission, denial):
    editor_client.post(add_url(admission), {"kind": "contradicts", "other": denial.statement})

    assert admission.revisions.get().changes == {
        "relation": [None, "contradicts “The mayor denies knowing”"]
    }
    assert denial.revisions.get().changes == {
        "relation": [None, "is contradicted by “The mayor admits he knew”"]
    }
    assert {r.action for r in ClaimRevision.objects.all()} == {"changed"}
    assert {r.user for r in ClaimRevision.objects.all()} == {editor}
    page = text(editor_client.get(denial.get_absolute_url()))
    assert "Relation — → is contradicted by “The mayor admits he knew”" in page


@pytest.mark.parametrize("other", ["denial-slug", "link", "spaced statement"])
def test_the_other_claim_by_slug_link_or_statement(editor_client, admission, denial, other):
    value = {
        "denial-slug": denial.slug,
        "link": f"https://parallax.example.org{denial.get_absolute_url()}",
        "spaced statement": "  the MAYOR   denies knowing ",
    }[other]
    editor_client.post(add_url(admission), {"kind": "narrows", "other": value})
    assert ClaimRelation.objects.get().target == denial


def test_readers_and_non_editors_cannot_add(client, django_user_model, admission, denial):
    data = {"kind": "contradicts", "other": denial.statement}

    response = client.post(add_url(admission), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    django_user_model.objects.create_user("reader", password="pw-reader-123")
    client.login(username="reader", password="pw-reader-123")
    assert client.post(add_url(admission), data).status_code == 403
    assert client.get(add_url(admission)).status_code == 405
    assert not ClaimRelation.objects.exists()
    assert not ClaimRevision.objects.exists()


def test_readers_get_no_form(client, admission):
    response = client.get(admission.get_absolute_url())
    assert response.context["relation_form"] is None
    assert "Add relation" not in response.content.decode()
    assert "No related claims yet." in response.content.decode()


def test_csrf_is_enforced(editor, admission, denial):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    data = {"kind": "contradicts", "other": denial.statement}

    assert client.post(add_url(admission), data).status_code == 403
    assert not ClaimRelation.objects.exists()

    client.get(admission.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(add_url(admission), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    relation = ClaimRelation.objects.get()

    assert client.post(delete_url(admission, relation)).status_code == 403
    assert ClaimRelation.objects.exists()


def test_a_claim_cannot_be_related_to_itself(editor_client, admission):
    response = editor_client.post(
        add_url(admission), {"kind": "paraphrases", "other": admission.statement}
    )

    assert response.status_code == 200
    assert "a claim cannot be related to itself" in text(response)
    # What the editor typed is still there.
    assert 'value="The mayor admits he knew"' in response.content.decode()
    assert '<option value="paraphrases" selected>' in response.content.decode()
    assert not ClaimRelation.objects.exists()


def test_a_duplicate_is_refused_but_the_other_direction_and_kinds_are_not(
    editor, editor_client, admission, denial
):
    add_relation(admission, denial, "contradicts", editor)

    response = editor_client.post(
        add_url(admission), {"kind": "contradicts", "other": denial.statement}
    )
    assert response.status_code == 200
    assert "This claim already contradicts “The mayor denies knowing”." in text(response)
    assert ClaimRelation.objects.count() == 1

    editor_client.post(add_url(admission), {"kind": "escalates", "other": denial.statement})
    editor_client.post(add_url(denial), {"kind": "contradicts", "other": admission.statement})
    assert ClaimRelation.objects.count() == 3


def test_an_unknown_claim_is_named_in_the_error(editor_client, admission):
    response = editor_client.post(
        add_url(admission), {"kind": "contradicts", "other": "Nobody said <b>this</b>"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No claim reads “Nobody said &lt;b&gt;this&lt;/b&gt;”." in html
    assert "<b>this</b>" not in html
    assert not ClaimRelation.objects.exists()


def test_the_same_statement_in_two_stories_prefers_this_story(editor_client, admission, story):
    elsewhere = make_claim(statement="A twin statement", status=PUBLISHED)
    here = make_claim(story=story, statement="A twin statement")
    editor_client.post(add_url(admission), {"kind": "paraphrases", "other": "A twin statement"})
    assert ClaimRelation.objects.get().target == here

    response = editor_client.post(
        add_url(here), {"kind": "paraphrases", "other": "A twin statement"}
    )
    # From the twin itself: its own statement is "this claim".
    assert "a claim cannot be related to itself" in text(response)
    assert ClaimRelation.objects.filter(target=elsewhere).count() == 0


def test_a_draft_is_shown_to_editors_but_not_to_readers(
    editor, editor_client, reader, admission, story
):
    draft = make_claim(story=story, statement="A draft denial")
    add_relation(admission, draft, "contradicts", editor)

    assert relation_lines(reader, admission) == []
    assert "A draft denial" not in relations_section(reader.get(admission.get_absolute_url()))
    assert reader.get(draft.get_absolute_url()).status_code == 404
    assert relation_lines(editor_client, admission) == ["This claim contradicts A draft denial"]


def test_editors_relate_to_drafts_and_other_stories(editor_client, admission):
    other_story = make_claim(statement="An older interview denial")
    response = editor_client.post(
        add_url(admission), {"kind": "earlier-version", "other": other_story.statement}
    )
    assert response.status_code == 302
    assert relation_lines(editor_client, other_story) == [
        "This claim is a later version of The mayor admits he knew"
    ]


def test_the_form_offers_this_storys_claims_first(editor_client, admission, denial):
    elsewhere = make_claim(statement="Another story's claim")
    form = editor_client.get(admission.get_absolute_url()).context["relation_form"]
    assert list(form.claim_choices) == [denial, elsewhere]


def test_relations_of_reads_both_ways(editor, admission, denial, story):
    later = make_claim(story=story, statement="The mayor resigns", status=PUBLISHED)
    add_relation(admission, denial, "contradicts", editor)
    add_relation(later, admission, "escalates", editor)

    items = relations_of(admission, include_drafts=False)

    assert [(i.outgoing, i.label, i.other) for i in items] == [
        (True, "contradicts", denial),
        (False, "is escalated by", later),
    ]
    assert items[0].other.story == story
    assert not any(item.can_remove for item in items)


def test_relations_of_is_one_query_whatever_the_count(
    editor, admission, story, django_assert_num_queries
):
    for i in range(20):
        other = make_claim(story=make_story(), statement=f"Other {i}", status=PUBLISHED)
        add_relation(admission, other, "paraphrases", editor)
        add_relation(other, admission, "narrows", editor)

    is_editor(editor)  # cached on the user, as the page's header has done by then
    with django_assert_num_queries(1):
        items = relations_of(admission, include_drafts=False, user=editor)
        titles = {item.other.story.title for item in items}
    assert len(items) == 40
    assert len(titles) == 20
    assert all(item.can_remove for item in items)


def related_claim(claim, kind, count):
    for i in range(count):
        other = make_claim(story=make_story(), statement=f"Related {i}", status=PUBLISHED)
        ClaimRelation.objects.create(source=claim, target=other, kind=kind)


@pytest.mark.parametrize("as_editor", [False, True], ids=["reader", "editor"])
def test_the_claim_page_costs_the_same_queries_with_1_and_30_relations(
    client, editor, story, as_editor
):
    one = make_claim(story=story, status=PUBLISHED)
    thirty = make_claim(story=story, status=PUBLISHED)
    related_claim(one, "contradicts", 1)
    related_claim(thirty, "contradicts", 15)
    for i in range(15):
        other = make_claim(story=make_story(), statement=f"Earlier {i}", status=PUBLISHED)
        ClaimRelation.objects.create(source=other, target=thirty, kind="earlier-version")
    if as_editor:
        client.force_login(editor)

    counts = []
    for claim, expected in [(one, 1), (thirty, 30)]:
        client.get(claim.get_absolute_url())  # warm up per-process caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(claim.get_absolute_url())
        assert len(response.context["relations"]) == expected
        assert text(response).count("This claim ") >= expected
        counts.append(len(queries))

    assert counts[0] == counts[1], counts


# Removing


@pytest.fixture
def relation(editor, admission, denial):
    return add_relation(admission, denial, "contradicts", editor)


def test_the_creator_removes_a_relation_from_either_claim(editor_client, relation, denial):
    response = editor_client.post(delete_url(denial, relation))

    assert response.status_code == 302
    assert response["Location"] == denial.get_absolute_url()
    assert not ClaimRelation.objects.exists()
    assert denial.revisions.first().changes == {
        "relation": ["is contradicted by “The mayor admits he knew”", None]
    }
    assert relation.source.revisions.first().changes == {
        "relation": ["contradicts “The mayor denies knowing”", None]
    }
    page = text(editor_client.get(denial.get_absolute_url()))
    assert "Removed: this claim is contradicted by “The mayor admits he knew”." in page
    assert "No related claims yet." in page


def test_the_page_offers_remove_only_to_who_may_remove(
    make_editor, editor, django_user_model, reader, relation, admission
):
    def remove_buttons(client):
        section = relations_section(client.get(admission.get_absolute_url()))
        return section.count(">Remove</button>")

    creator, other, moderator = Client(), Client(), Client()
    creator.force_login(editor)
    other.force_login(make_editor("other-editor"))
    moderator.force_login(django_user_model.objects.create_user("mod", is_staff=True))
    assert [remove_buttons(c) for c in (creator, other, moderator, reader)] == [1, 0, 1, 0]


def test_the_relation_forms_carry_a_csrf_token(editor_client, relation, admission):
    section = relations_section(editor_client.get(admission.get_absolute_url()))
    assert section.count('name="csrfmiddlewaretoken" value="') == 2  # Remove, Add relation
    assert 'name="csrfmiddlewaretoken" value=""' not in section


def test_another_editor_cannot_remove_it(make_editor, client, relation, admission):
    client.force_login(make_editor("other-editor"))
    assert client.post(delete_url(admission, relation)).status_code == 403
    assert ClaimRelation.objects.exists()
    assert admission.revisions.count() == 1


def test_a_moderator_removes_anyones(client, django_user_model, relation, admission):
    moderator = django_user_model.objects.create_user("mod", password="pw-mod-12345", is_staff=True)
    client.force_login(moderator)
    assert client.post(delete_url(admission, relation)).status_code == 302
    assert not ClaimRelation.objects.exists()
    assert admission.revisions.first().user == moderator


def test_readers_cannot_remove_and_get_cannot_remove(reader, editor_client, relation, admission):
    assert reader.post(delete_url(admission, relation)).status_code == 302  # to the login
    assert editor_client.get(delete_url(admission, relation)).status_code == 405
    assert ClaimRelation.objects.exists()


def test_a_relation_of_another_claim_is_404(editor_client, relation, story):
    unrelated = make_claim(story=story, status=PUBLISHED)
    assert editor_client.post(delete_url(unrelated, relation)).status_code == 404
    assert ClaimRelation.objects.exists()


def test_a_renamed_claims_old_form_still_acts(editor, editor_client, admission, denial):
    Claim.objects.filter(pk=admission.pk).update(created_by=editor)
    old_url = add_url(admission)
    editor_client.post(
        reverse("annotations:claim-edit", args=[admission.slug]),
        {"statement": "The mayor concedes he knew", "version": admission.version},
    )
    admission.refresh_from_db()
    response = editor_client.post(old_url, {"kind": "contradicts", "other": denial.statement})
    assert response["Location"] == admission.get_absolute_url()
    assert ClaimRelation.objects.get().source == admission


# Deleting a claim


@pytest.fixture
def world(editor, story, admission, denial):
    """Two related claims with annotations, a third claim related to the second only."""
    third = make_claim(story=story, statement="The council knew", status=PUBLISHED)
    article = make_article(story=story)
    make_annotation(article, "memo shows", claim=admission)
    make_annotation(article, "hinges were corroded", claim=denial)
    make_annotation(article, "chief engineer", claim=third)
    add_relation(admission, denial, "contradicts", editor)
    add_relation(third, admission, "escalates", editor)
    add_relation(denial, third, "paraphrases", editor)
    return third


def assert_only_the_claim_and_its_relations_went(admission, denial, third):
    assert not Claim.objects.filter(pk=admission.pk).exists()
    assert set(Claim.objects.all()) == {denial, third}
    assert [(r.source, r.target) for r in ClaimRelation.objects.all()] == [(denial, third)]
    # Its annotations stay, claimless; the others keep theirs.
    assert Annotation.objects.count() == 3
    assert Annotation.objects.filter(claim__isnull=True).get().exact == "memo shows"
    assert denial.annotations.count() == third.annotations.count() == 1
    assert Article.objects.count() == 1
    # The other claims' histories stay whole.
    assert denial.revisions.count() == 2 and third.revisions.count() == 2


def test_deleting_a_claim_removes_its_relations_and_nothing_else(world, admission, denial):
    admission.delete()
    assert_only_the_claim_and_its_relations_went(admission, denial, world)


def test_deleting_a_claim_in_the_admin_removes_its_relations_and_nothing_else(
    admin_client, world, admission, denial
):
    url = reverse("admin:annotations_claim_delete", args=[admission.pk])
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert_only_the_claim_and_its_relations_went(admission, denial, world)
