"""The review list (per article and site-wide) and an editor's decisions on it: accept the
proposed place, move by selecting new words, mark orphaned."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, AnnotationRevision
from sources.models import ArticleVersion
from sources.revisions import revise_text
from tests.factories import (
    MEMO_RECOUNTED,
    MEMO_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_tag,
)

pytestmark = pytest.mark.django_db

Status = Annotation.AnchorStatus
Action = AnnotationRevision.Action

OLD_TEXT, NEW_TEXT = MEMO_TEXT, MEMO_RECOUNTED
REVIEW_QUOTE = "failed twice before the storm"
PROPOSED_QUOTE = "failed three times before the storm"


@pytest.fixture
def corrected(editor):
    """An article corrected through revise_text, with one annotation in review (a word of
    its quote changed; its proposed place set here so the test does not depend on how the
    re-anchoring scores it), one orphaned (its sentence deleted) and one left in place."""
    article = make_article(text=OLD_TEXT)
    claim = make_claim(story=article.story)
    tag = make_tag(name="review tag")
    review = make_annotation(article, REVIEW_QUOTE, claim=claim, note="kept", author=editor)
    review.tags.add(tag)
    orphan = make_annotation(article, "the hinges were corroded", claim=claim, author=editor)
    kept = make_annotation(article, "declined to comment", author=editor)
    revise_text(article, NEW_TEXT, user=editor, source="reader")
    start = NEW_TEXT.index(PROPOSED_QUOTE)
    Annotation.objects.filter(pk=review.pk).update(
        anchor_status=Status.REVIEW,
        proposed_start=start,
        proposed_end=start + len(PROPOSED_QUOTE),
        anchored_version=1,
    )
    Annotation.objects.filter(pk=orphan.pk).update(
        anchor_status=Status.ORPHANED, proposed_start=None, proposed_end=None, anchored_version=1
    )
    for annotation in (review, orphan, kept):
        annotation.refresh_from_db()
    article.refresh_from_db()
    return article, review, orphan, kept


def test_review_list_shows_old_and_proposed_places_with_the_changed_words(editor_client, corrected):
    article, review, orphan, _ = corrected
    response = editor_client.get(reverse("annotations:article-review", args=[article.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    items = {item.annotation.pk: item for item in response.context["items"]}
    assert set(items) == {review.pk, orphan.pk}
    # The old place is read in version 1, with its sentence around it.
    assert items[review.pk].old.words == REVIEW_QUOTE
    assert items[review.pk].old.before == "The flood barrier "
    assert items[review.pk].proposed.words == PROPOSED_QUOTE
    assert "<del>twice</del>" in html
    assert "<ins>three times</ins>" in html
    assert items[orphan.pk].proposed is None
    assert "Orphaned: its words are no longer in the article." in html
    assert f'action="{reverse("annotations:annotation-accept", args=[review.pk])}"' in html
    # An orphan has nothing to accept, and is orphaned already.
    assert reverse("annotations:annotation-accept", args=[orphan.pk]) not in html
    assert reverse("annotations:annotation-orphan", args=[orphan.pk]) not in html


def test_site_wide_review_list_names_each_article(editor_client, corrected):
    article, review, orphan, _ = corrected
    response = editor_client.get(reverse("annotations:review"))
    assert [item.annotation.pk for item in response.context["items"]] == [review.pk, orphan.pk]
    assert article.title in response.content.decode()


def test_accept_anchors_the_annotation_at_its_proposed_place(editor_client, editor, corrected):
    article, review, _, _ = corrected
    back = reverse("annotations:article-review", args=[article.pk])
    response = editor_client.post(
        reverse("annotations:annotation-accept", args=[review.pk]),
        {"version": review.version, "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == back
    review.refresh_from_db()
    assert review.anchor_status == Status.ANCHORED
    assert review.exact == PROPOSED_QUOTE
    assert NEW_TEXT[review.start : review.end] == PROPOSED_QUOTE
    assert review.anchored_version == 2
    assert (review.proposed_start, review.proposed_end) == (None, None)
    # Tags, claim and note are untouched; the decision is in the history, with who made it.
    assert [tag.name for tag in review.tag_list] == ["review tag"]
    assert review.note == "kept"
    revision = review.revisions.first()
    assert (revision.action, revision.user) == (Action.ACCEPTED, editor)


def test_orphan_marks_the_annotation_and_records_it(editor_client, editor, corrected):
    _, review, _, _ = corrected
    editor_client.post(
        reverse("annotations:annotation-orphan", args=[review.pk]), {"version": review.version}
    )
    review.refresh_from_db()
    assert review.anchor_status == Status.ORPHANED
    assert review.exact == REVIEW_QUOTE
    revision = review.revisions.first()
    assert (revision.action, revision.user) == (Action.ORPHANED, editor)


def test_a_decision_from_a_page_older_than_the_annotation_is_refused(editor_client, corrected):
    _, review, _, _ = corrected
    response = editor_client.post(
        reverse("annotations:annotation-accept", args=[review.pk]),
        {"version": review.version - 1},
        follow=True,
    )
    review.refresh_from_db()
    assert review.anchor_status == Status.REVIEW
    assert "changed this annotation since you opened the page" in response.content.decode()


def test_accept_refuses_an_orphan(editor_client, corrected):
    _, _, orphan, _ = corrected
    response = editor_client.post(
        reverse("annotations:annotation-accept", args=[orphan.pk]), follow=True
    )
    orphan.refresh_from_db()
    assert orphan.anchor_status == Status.ORPHANED
    assert "no proposed place to accept" in response.content.decode()


def test_move_page_shows_the_current_text_and_moves_to_the_selected_words(
    editor_client, editor, corrected
):
    _, _, orphan, _ = corrected
    url = reverse("annotations:annotation-move", args=[orphan.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "Officials declined to comment" in page.content.decode()
    assert "the hinges were corroded" in page.content.decode()  # the old place, version 1
    words = "an internal memo"
    start = NEW_TEXT.index(words)
    response = editor_client.post(
        url,
        {
            "start": start,
            "end": start + len(words),
            "exact": words,
            "text_version": 2,
            "version": orphan.version,
        },
    )
    assert response.status_code == 302
    orphan.refresh_from_db()
    assert (orphan.anchor_status, orphan.exact, orphan.anchored_version) == (
        Status.ANCHORED,
        words,
        2,
    )
    revision = orphan.revisions.first()
    assert (revision.action, revision.user) == (Action.MOVED, editor)


@pytest.mark.parametrize(
    ("start", "end", "exact", "error"),
    [
        (0, 5000, "", "Choose a place inside the article's text"),
        (10, 5, "", "Choose a place inside the article's text"),
        (0, 7, "Nothing", "The selection does not match the article's text"),
    ],
)
def test_move_refuses_a_place_that_is_not_in_the_text(
    editor_client, corrected, start, end, exact, error
):
    _, _, orphan, _ = corrected
    response = editor_client.post(
        reverse("annotations:annotation-move", args=[orphan.pk]),
        {"start": start, "end": end, "exact": exact, "text_version": 2, "version": orphan.version},
    )
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].non_field_errors())
    orphan.refresh_from_db()
    assert orphan.anchor_status == Status.ORPHANED


def test_move_refuses_a_selection_made_on_an_earlier_text(editor_client, corrected):
    _, _, orphan, _ = corrected
    response = editor_client.post(
        reverse("annotations:annotation-move", args=[orphan.pk]),
        {"start": 0, "end": 7, "text_version": 1, "version": orphan.version},
    )
    assert "was corrected since you opened this page" in response.content.decode()
    orphan.refresh_from_db()
    assert orphan.anchor_status == Status.ORPHANED


def test_only_its_author_may_move_an_anchored_annotation(client, make_editor, corrected):
    _, _, _, kept = corrected
    client.force_login(make_editor("someone-else"))
    response = client.get(reverse("annotations:annotation-move", args=[kept.pk]))
    assert response.status_code == 403


def _to_review(count: int, editor) -> None:
    """`count` articles, each corrected once, each with one annotation in review (state
    written directly: this measures the page, not the re-anchoring)."""
    for n in range(count):
        text = f"{OLD_TEXT}\n\nUpdate {n}."
        article = make_article(text=text)
        annotation = make_annotation(article, REVIEW_QUOTE, author=editor)
        annotation.tags.add(make_tag())
        revise_text(article, f"{NEW_TEXT}\n\nUpdate {n}.", user=editor, source="reader")
        start = NEW_TEXT.index(PROPOSED_QUOTE)
        Annotation.objects.filter(pk=annotation.pk).update(
            anchor_status=Status.REVIEW,
            proposed_start=start,
            proposed_end=start + len(PROPOSED_QUOTE),
            anchored_version=1,
        )


def test_review_list_runs_a_fixed_number_of_queries(
    editor_client, editor, django_assert_num_queries
):
    url = reverse("annotations:review")
    # session, user, the user's editors group, COUNT for the paginator, the page of
    # annotations with claim and author, their tags, their articles with outlets, the
    # earlier texts they were anchored on.
    _to_review(2, editor)
    with django_assert_num_queries(8):
        response = editor_client.get(url)
    assert len(response.context["items"]) == 2
    _to_review(23, editor)
    with django_assert_num_queries(8):
        response = editor_client.get(url)
    assert len(response.context["items"]) == 20
    assert response.context["page"].paginator.count == 25


def test_review_list_reads_only_the_texts_it_shows(editor_client, editor):
    _to_review(25, editor)
    with CaptureQueriesContext(connection) as queries:
        response = editor_client.get(reverse("annotations:review") + "?page=2")
    shown = {item.annotation.article_id for item in response.context["items"]}
    assert len(shown) == 5
    version_queries = [q["sql"] for q in queries if "sources_articleversion" in q["sql"]]
    assert len(version_queries) == 1
    # Only the five shown articles' earlier texts (of 25 stored), never a raw input.
    asked = {int(pk) for pk in re.findall(r'"article_id" = (\d+)', version_queries[0])}
    assert asked == shown
    assert ArticleVersion.objects.count() == 25
    assert not any('"raw"' in q["sql"] for q in queries)
