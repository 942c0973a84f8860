"""The tag vocabulary: names editors type become proposed tags, and moderators accept,
merge, reject and order them, every step recorded."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from annotations import vocabulary
from annotations.models import Annotation, AnnotationRevision, Tag
from annotations.vocabulary import tags_for_names
from tests.factories import make_annotation, make_article
from tests.helpers import selection

pytestmark = pytest.mark.django_db

# The seeded vocabulary, in the order moderators start from (migration 0006).
SEEDED = [
    "admission",
    "framing",
    "quote",
    "paraphrase",
    "omission",
    "editorialising",
    "attribution",
    "context",
    "correction",
]
VOCABULARY_URL = "/tags/"


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_user("mod", password="pw-mod-1234", is_staff=True)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def annotate(client, article, quote, tags):
    return client.post(
        reverse("annotations:annotation-create", args=[article.pk]),
        selection(article, quote, tags=tags),
    )


def propose(name, user) -> Tag:
    [tag] = tags_for_names([name], user)
    assert tag.is_proposed
    return tag


def tagged(quote, *tags, article=None) -> Annotation:
    annotation = make_annotation(article or make_article(), quote)
    annotation.tags.add(*tags)
    return annotation


def tag_names(annotation) -> list[str]:
    return [tag.name for tag in Annotation.objects.get(pk=annotation.pk).tag_list]


def vocabulary_names(html) -> list[str]:
    """The vocabulary's tag names in the order the page lists them."""
    section = html.split('id="vocabulary-heading"')[1].split("</section>")[0]
    tags = {tag.name: tag.get_absolute_url() for tag in Tag.objects.all()}
    found = [(section.find(f'href="{url}">{name}</a>'), name) for name, url in tags.items()]
    return [name for index, name in sorted(found) if index >= 0]


# Proposing


def test_a_name_not_in_the_vocabulary_becomes_a_proposed_tag_on_that_annotation(
    editor_client, editor
):
    article = make_article()

    response = annotate(editor_client, article, "memo shows", "admission, Усталость")

    assert response.status_code == 201
    annotation = Annotation.objects.get()
    assert tag_names(annotation) == ["admission", "усталость"]
    proposed = Tag.objects.get(name="усталость")
    assert proposed.is_proposed
    assert proposed.proposed_by == editor
    assert Tag.objects.get(name="admission").status == Tag.Status.ACCEPTED
    assert Tag.objects.count() == len(SEEDED) + 1


def test_a_vocabulary_name_in_another_case_finds_the_tag_instead_of_proposing(editor):
    [tag] = tags_for_names(["ADMISSION"], editor)

    assert tag.name == "admission"
    assert not tag.is_proposed
    assert Tag.objects.count() == len(SEEDED)


def test_a_proposed_tag_is_marked_where_it_shows(client, editor):
    tag = propose("hedging", editor)
    annotation = tagged("memo shows", tag)

    for url in (annotation.article.get_absolute_url(), annotation.get_absolute_url()):
        html = client.get(url).content.decode()
        assert f'class="tag-chip tag-{tag.pk} tag-proposed"' in html, url
        assert "(a proposed tag, not yet in the vocabulary)" in html, url
        assert '<span class="tag-proposed-label" aria-hidden="true">proposed</span>' in html, url

    page = client.get(tag.get_absolute_url()).content.decode()
    assert '<p class="kicker">Proposed tag</p>' in page
    assert "it is not in the" in page


def test_an_accepted_tag_is_not_marked(client):
    annotation = tagged("memo shows", Tag.objects.get(name="framing"))

    html = client.get(annotation.get_absolute_url()).content.decode()

    assert "tag-proposed" not in html
    assert (
        "Proposed"
        not in client.get(Tag.objects.get(name="framing").get_absolute_url()).content.decode()
    )


# The vocabulary page


def test_readers_see_the_vocabulary_in_order_with_definitions_and_colours_not_proposals(
    client, editor
):
    propose("hedging", editor)

    response = client.get(VOCABULARY_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert vocabulary_names(html) == SEEDED
    admission = Tag.objects.get(name="admission")
    assert admission.definition in html
    assert f'fill="{admission.colour}"' in html
    assert "hedging" not in html
    assert 'id="proposed-heading"' not in html
    # No moderator controls, and no inline style (the CSP forbids it).
    assert '<form method="post"' not in html
    assert "style=" not in html


def test_editors_see_proposals_but_no_moderator_forms(editor_client, editor):
    tag = propose("hedging", editor)
    tagged("memo shows", tag)

    html = editor_client.get(VOCABULARY_URL).content.decode()

    proposed = html.split('id="proposed-heading"')[1]
    assert f'<a href="{tag.get_absolute_url()}">hedging</a>' in proposed
    assert "1 annotation · by editor" in proposed
    assert reverse("annotations:tag-accept", args=[tag.slug]) not in html
    assert reverse("annotations:tag-move", args=["framing"]) not in html


def test_moderators_get_accept_merge_reject_and_move_forms(moderator_client, editor):
    tag = propose("hedging", editor)

    html = moderator_client.get(VOCABULARY_URL).content.decode()

    assert f'action="{reverse("annotations:tag-accept", args=[tag.slug])}"' in html
    assert f'action="{reverse("annotations:tag-merge", args=[tag.slug])}"' in html
    assert f'href="{reverse("annotations:tag-reject", args=[tag.slug])}"' in html
    framing = Tag.objects.get(name="framing")
    assert f'<option value="{framing.pk}">framing</option>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The first tag cannot move up, the last cannot move down.
    assert html.count('value="up"') == len(SEEDED) - 1
    assert html.count('value="down"') == len(SEEDED) - 1


@pytest.mark.parametrize("proposals", [2, 40], ids=["2", "40"])
def test_vocabulary_page_runs_a_fixed_number_of_queries(
    moderator_client, editor, django_assert_num_queries, proposals
):
    for n in range(proposals):
        tagged("memo shows", propose(f"proposal {n}", editor), Tag.objects.get(name="quote"))

    # 1. the session  2. the moderator
    # 3. the vocabulary with its use counts
    # 4. how many proposals there are  5. this page of them, with who proposed each
    with django_assert_num_queries(5):
        response = moderator_client.get(VOCABULARY_URL)

    assert response.context["proposed"].paginator.count == proposals


# Accepting


def test_moderator_accepts_a_proposal_into_the_end_of_the_vocabulary(
    client, moderator_client, moderator, editor
):
    tag = propose("hedging", editor)

    response = moderator_client.post(reverse("annotations:tag-accept", args=[tag.slug]))

    assert response.status_code == 302
    tag.refresh_from_db()
    assert not tag.is_proposed
    assert list(Tag.objects.vocabulary().values_list("name", flat=True)) == [*SEEDED, "hedging"]
    assert vocabulary_names(client.get(VOCABULARY_URL).content.decode()) == [*SEEDED, "hedging"]
    entry = LogEntry.objects.get(object_id=str(tag.pk))
    assert entry.user == moderator
    assert entry.change_message == "Accepted into the vocabulary."


def test_accepting_a_tag_twice_says_it_is_in_the_vocabulary(moderator_client):
    response = moderator_client.post(
        reverse("annotations:tag-accept", args=["framing"]), follow=True
    )

    assert "“framing” is in the vocabulary already." in response.content.decode()


# Merging


def test_moderator_merges_a_proposal_into_a_vocabulary_tag_recording_each_change(
    moderator_client, moderator, editor
):
    proposal = propose("признание", editor)
    admission = Tag.objects.get(name="admission")
    quote = Tag.objects.get(name="quote")
    article = make_article()
    only = tagged("memo shows", proposal, article=article)
    both = tagged("hinges were corroded", admission, proposal, article=article)
    first = tagged("internal memo", proposal, quote, article=article)
    untouched = tagged("flood barrier", quote, article=article)
    versions = {a.pk: a.version for a in (only, both, first)}

    response = moderator_client.post(
        reverse("annotations:tag-merge", args=[proposal.slug]), {"into": admission.pk}, follow=True
    )

    assert "“признание” is merged into “admission”: 3 annotations changed." in (
        response.content.decode()
    )
    assert not Tag.objects.filter(pk=proposal.pk).exists()
    assert tag_names(only) == ["admission"]
    assert tag_names(both) == ["admission"]  # once, not twice
    assert tag_names(first) == ["admission", "quote"]  # in the proposal's place
    assert tag_names(untouched) == ["quote"]
    revisions = {
        r.annotation_id: r
        for r in AnnotationRevision.objects.filter(action=AnnotationRevision.Action.CHANGED)
    }
    assert set(revisions) == {only.pk, both.pk, first.pk}
    assert revisions[only.pk].changes == {"tags": [["признание"], ["admission"]]}
    assert revisions[both.pk].changes == {"tags": [["admission", "признание"], ["admission"]]}
    assert revisions[first.pk].changes == {"tags": [["признание", "quote"], ["admission", "quote"]]}
    assert {r.user for r in revisions.values()} == {moderator}
    # An editor's form opened before the merge would put the proposal back: it is stale now.
    for annotation in Annotation.objects.filter(pk__in=versions):
        assert annotation.version == versions[annotation.pk] + 1


def test_merge_reaches_deleted_annotations_too(moderator_client, editor):
    proposal = propose("hedging", editor)
    annotation = tagged("memo shows", proposal)
    Annotation.objects.filter(pk=annotation.pk).update(deleted="2025-01-01T00:00:00Z")

    moderator_client.post(
        reverse("annotations:tag-merge", args=[proposal.slug]),
        {"into": Tag.objects.get(name="framing").pk},
    )

    assert tag_names(annotation) == ["framing"]


def test_merge_of_a_tag_on_many_annotations_records_every_one(moderator, editor, monkeypatch):
    monkeypatch.setattr(vocabulary, "BATCH_SIZE", 2)
    proposal, quote = propose("hedging", editor), Tag.objects.get(name="quote")
    article = make_article()
    annotations = [
        tagged(words, proposal, quote, article=article)
        for words in (
            "memo shows",
            "hinges were corroded",
            "internal memo",
            "flood barrier",
            "storm",
        )
    ]

    vocabulary.merge_tag(proposal, Tag.objects.get(name="framing"), moderator)

    changes = [
        AnnotationRevision.objects.get(annotation=annotation).changes for annotation in annotations
    ]
    assert changes == [{"tags": [["hedging", "quote"], ["framing", "quote"]]}] * 5


def test_merging_into_a_proposed_tag_is_refused(moderator_client, editor):
    proposal, other = propose("hedging", editor), propose("hedge", editor)
    annotation = tagged("memo shows", proposal)

    response = moderator_client.post(
        reverse("annotations:tag-merge", args=[proposal.slug]), {"into": other.pk}, follow=True
    )

    assert "Choose a tag of the vocabulary to merge into." in response.content.decode()
    assert tag_names(annotation) == ["hedging"]
    assert not AnnotationRevision.objects.exists()


# Rejecting


def test_reject_asks_for_confirmation_first(moderator_client, editor):
    tag = propose("hedging", editor)
    tagged("memo shows", tag)

    response = moderator_client.get(reverse("annotations:tag-reject", args=[tag.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Reject the proposed tag “hedging”?" in html
    assert "1 annotation carries it; it loses the tag" in html
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_moderator_rejects_a_proposal_removing_it_from_annotations_with_revisions(
    moderator_client, moderator, editor
):
    tag = propose("hedging", editor)
    framing = Tag.objects.get(name="framing")
    annotation = tagged("memo shows", framing, tag)
    other = tagged("hinges were corroded", tag)

    response = moderator_client.post(
        reverse("annotations:tag-reject", args=[tag.slug]), follow=True
    )

    assert "“hedging” is rejected: 2 annotations lost it." in response.content.decode()
    assert not Tag.objects.filter(name="hedging").exists()
    assert tag_names(annotation) == ["framing"]
    assert tag_names(other) == []
    changes = {
        r.annotation_id: (r.user, r.changes)
        for r in AnnotationRevision.objects.filter(action=AnnotationRevision.Action.CHANGED)
    }
    assert changes == {
        annotation.pk: (moderator, {"tags": [["framing", "hedging"], ["framing"]]}),
        other.pk: (moderator, {"tags": [["hedging"], []]}),
    }
    assert LogEntry.objects.get(object_id=str(tag.pk)).change_message == (
        "Rejected (2 annotations lost it)."
    )


def test_a_vocabulary_tag_cannot_be_rejected(moderator_client):
    url = reverse("annotations:tag-reject", args=["framing"])

    assert moderator_client.get(url).status_code == 404
    assert moderator_client.post(url).status_code == 404
    assert Tag.objects.filter(name="framing").exists()


# Ordering


def test_moderator_moves_a_tag_and_the_vocabulary_page_follows(client, moderator_client):
    response = moderator_client.post(
        reverse("annotations:tag-move", args=["quote"]), {"direction": "up"}
    )

    quote = Tag.objects.get(name="quote")
    assert response.status_code == 302
    assert response.url == f"{VOCABULARY_URL}#tag-{quote.pk}"
    order = ["admission", "quote", "framing", *SEEDED[3:]]
    assert vocabulary_names(client.get(VOCABULARY_URL).content.decode()) == order

    moderator_client.post(
        reverse("annotations:tag-move", args=["admission"]), {"direction": "down"}
    )

    order = ["quote", "admission", "framing", *SEEDED[3:]]
    assert vocabulary_names(client.get(VOCABULARY_URL).content.decode()) == order
    # Numbered again from 1: no two tags share a place.
    positions = list(Tag.objects.vocabulary().values_list("position", flat=True))
    assert positions == list(range(1, len(SEEDED) + 1))


def test_the_first_tag_cannot_move_up(moderator_client):
    response = moderator_client.post(
        reverse("annotations:tag-move", args=["admission"]), {"direction": "up"}, follow=True
    )

    assert "“admission” is first in the vocabulary already." in response.content.decode()
    assert list(Tag.objects.vocabulary().values_list("name", flat=True)) == SEEDED


def test_a_move_without_a_direction_is_refused(moderator_client):
    response = moderator_client.post(
        reverse("annotations:tag-move", args=["quote"]), {"direction": "sideways"}
    )

    assert response.status_code == 400


# Who may


@pytest.mark.parametrize("action", ["accept", "merge", "reject", "move"])
def test_editors_get_403_and_change_nothing(editor_client, editor, action):
    tag = propose("hedging", editor)
    annotation = tagged("memo shows", tag)
    data = {"into": Tag.objects.get(name="framing").pk, "direction": "down"}

    response = editor_client.post(reverse(f"annotations:tag-{action}", args=[tag.slug]), data)

    assert response.status_code == 403
    tag.refresh_from_db()
    assert tag.is_proposed
    assert tag_names(annotation) == ["hedging"]


@pytest.mark.parametrize("action", ["accept", "merge", "reject", "move"])
def test_anonymous_visitors_are_sent_to_log_in(client, editor, action):
    tag = propose("hedging", editor)

    response = client.post(reverse(f"annotations:tag-{action}", args=[tag.slug]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Tag.objects.get(pk=tag.pk).is_proposed


def test_moderator_steps_need_a_csrf_token(moderator, editor):
    tag = propose("hedging", editor)
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(moderator)

    response = forger.post(reverse("annotations:tag-accept", args=[tag.slug]))

    assert response.status_code == 403
    assert Tag.objects.get(pk=tag.pk).is_proposed


# The admin


@pytest.fixture
def admin_client_(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="pw-root-1234")
    client.force_login(admin)
    return client


def test_admin_lists_status_and_position_and_accepts_selected_proposals(admin_client_, editor):
    tag = propose("hedging", editor)

    changelist = admin_client_.get(reverse("admin:annotations_tag_changelist"))
    response = admin_client_.post(
        reverse("admin:annotations_tag_changelist"),
        {"action": "accept_selected", "_selected_action": [tag.pk]},
        follow=True,
    )

    assert 'name="form-0-position"' in changelist.content.decode()
    assert "1 tag accepted." in response.content.decode()
    assert list(Tag.objects.vocabulary().values_list("name", flat=True)) == [*SEEDED, "hedging"]


def test_admin_refuses_a_name_that_differs_only_in_case(admin_client_):
    response = admin_client_.post(
        reverse("admin:annotations_tag_add"),
        {
            "name": "Framing",
            "slug": "framing-2",
            "colour": "#aabbcc",
            "status": "accepted",
            "position": 20,
        },
    )

    assert response.status_code == 200
    assert "There is a tag “framing” already." in response.content.decode()
    assert Tag.objects.filter(key="framing").count() == 1


def test_admin_delete_records_what_annotations_lost(admin_client_):
    framing = Tag.objects.get(name="framing")
    annotation = tagged("memo shows", framing)

    admin_client_.post(reverse("admin:annotations_tag_delete", args=[framing.pk]), {"post": "yes"})

    assert not Tag.objects.filter(name="framing").exists()
    assert AnnotationRevision.objects.get(annotation=annotation).changes == {
        "tags": [["framing"], []]
    }
