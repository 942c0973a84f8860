"""Pages that know their text version: the article's correction notice and highlights, its
versions, an annotation permalink made on an earlier text, and the claim page's orphans."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, Claim
from annotations.review import DIFF_MAX_CHARS, stored_context
from sources.revisions import revise_text
from tests.factories import MEMO_RECOUNTED, MEMO_TEXT, make_annotation, make_article, make_claim

pytestmark = pytest.mark.django_db

Status = Annotation.AnchorStatus

OLD_TEXT, NEW_TEXT = MEMO_TEXT, MEMO_RECOUNTED


@pytest.fixture
def corrected(editor):
    """An article corrected once: an annotation orphaned (its sentence deleted; the state
    written here so the test does not depend on the re-anchoring), one anchored, both
    under a published claim."""
    article = make_article(text=OLD_TEXT)
    claim = make_claim(story=article.story, status=Claim.Status.PUBLISHED)
    orphan = make_annotation(article, "the hinges were corroded", claim=claim, author=editor)
    kept = make_annotation(article, "declined to comment", claim=claim, author=editor)
    revise_text(article, NEW_TEXT, user=editor, source="reader")
    Annotation.objects.filter(pk=orphan.pk).update(
        anchor_status=Status.ORPHANED, proposed_start=None, proposed_end=None, anchored_version=1
    )
    orphan.refresh_from_db()
    kept.refresh_from_db()
    article.refresh_from_db()
    return article, claim, orphan, kept


def test_article_page_tells_every_reader_the_text_was_corrected(client, corrected):
    article, _, _, _ = corrected
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<strong>Corrected:</strong> this text was changed on" in html
    assert reverse("reading:article-versions", args=[article.pk]) in html


def test_an_uncorrected_article_says_nothing_of_versions(client):
    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Corrected:" not in html
    assert reverse("reading:article-versions", args=[article.pk]) not in html


def test_only_anchored_annotations_are_highlighted(editor_client, corrected):
    article, _, orphan, kept = corrected
    reader = Client().get(article.get_absolute_url())
    assert f'id="hl-{kept.pk}"' in reader.content.decode()
    assert f'id="hl-{orphan.pk}"' not in reader.content.decode()
    # Readers see the annotations that stand on the text.
    assert reader.context["annotations"] == [kept]
    assert f'id="annotation-{orphan.pk}"' not in reader.content.decode()
    editor = editor_client.get(article.get_absolute_url())
    html = editor.content.decode()
    assert f'id="hl-{orphan.pk}"' not in html
    # Editors see the orphan listed apart, and a notice that leads to the review list.
    assert editor.context["unanchored"] == [orphan]
    assert f'id="annotation-{orphan.pk}"' in html
    assert "1 annotation needs review" in html
    assert reverse("annotations:article-review", args=[article.pk]) in html
    assert reverse("annotations:article-correct", args=[article.pk]) in html


def test_versions_page_lists_the_current_and_earlier_texts(client, corrected):
    article, _, _, _ = corrected
    response = client.get(reverse("reading:article-versions", args=[article.pk]))
    html = response.content.decode()
    assert [v.number for v in response.context["versions"]] == [1]
    assert reverse("reading:article-version", args=[article.pk, 1]) in html
    assert reverse("reading:article-version", args=[article.pk, 2]) in html
    assert "through the article page" in html


def test_an_earlier_version_shows_the_words_that_changed(client, corrected):
    article, _, _, _ = corrected
    response = client.get(reverse("reading:article-version", args=[article.pk, 1]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<del>twice</del><ins>three times</ins>" in html
    # The deleted sentence, struck out whole (where the diff puts its full stop may vary).
    assert re.search(r"<del>[^<]*The chief engineer wrote that the hinges were corroded", html)


def test_the_current_version_shows_the_current_text(client, corrected):
    article, _, _, _ = corrected
    response = client.get(reverse("reading:article-version", args=[article.pk, 2]))
    assert "This is the article’s current text." in response.content.decode()
    assert "failed three times" in response.content.decode()


def test_a_version_the_article_never_had_is_not_found(client, corrected):
    article, _, _, _ = corrected
    response = client.get(reverse("reading:article-version", args=[article.pk, 3]))
    assert response.status_code == 404


def test_permalink_made_on_an_earlier_version_says_so_and_shows_its_words_there(client, corrected):
    article, _, orphan, _ = corrected
    response = client.get(orphan.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "This annotation was made on an earlier version of the article (version 1)" in html
    assert "Its words are no longer in the article" in html
    # Its words in version 1's text, in their sentence: not the current text at its offsets.
    place = response.context["earlier"]
    assert (place.before, place.words, place.after) == (
        "The chief engineer wrote that ",
        "the hinges were corroded",
        ".",
    )
    assert reverse("reading:article-version", args=[article.pk, 1]) in html


def test_permalink_on_the_current_text_says_nothing_of_versions(client, corrected):
    _, _, _, kept = corrected
    html = client.get(kept.get_absolute_url()).content.decode()
    assert "earlier version" not in html


def test_claim_page_shows_the_orphan_marked_with_its_stored_context(client, corrected):
    _, claim, orphan, kept = corrected
    response = client.get(claim.get_absolute_url())
    html = response.content.decode()
    excerpts = {e.annotation.pk: e for e in response.context["comparison"].excerpts}
    assert set(excerpts) == {orphan.pk, kept.pk}
    assert "orphaned</span> its words are no longer in the article" in html
    # Built from what the annotation stored, not from the current text at its old offsets.
    before, after = excerpts[orphan.pk].before, excerpts[orphan.pk].after
    assert before.endswith("The chief engineer wrote that ")
    assert after.startswith(".")
    assert "the hinges were corroded" in html
    # Its title links to its permalink: the article has no highlight of it.
    assert f'href="{orphan.get_absolute_url()}"' in html


def test_claim_page_marks_an_annotation_in_review(client, corrected):
    _, claim, _, kept = corrected
    Annotation.objects.filter(pk=kept.pk).update(anchor_status=Status.REVIEW)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "in review</span>" in html


def test_a_corrected_article_page_runs_one_more_query_however_many_versions(
    client, django_assert_num_queries, editor
):
    once = make_article(text=OLD_TEXT)
    make_annotation(once, "declined to comment")
    revise_text(once, NEW_TEXT, user=editor, source="reader")
    thrice = make_article(text=OLD_TEXT)
    make_annotation(thrice, "declined to comment")
    for n in range(3):
        revise_text(thrice, f"{NEW_TEXT}\n\nUpdate {n}.", user=editor, source="reader")
    # article with outlet and story, passages, annotations (no claims or editors query:
    # none has one), their tags, quotations, and when the current text replaced the last
    # earlier one (for the notice).
    with django_assert_num_queries(6):
        client.get(once.get_absolute_url())
    with django_assert_num_queries(6):
        response = client.get(thrice.get_absolute_url())
    assert "now version 4" in response.content.decode()


def test_texts_too_long_to_diff_are_shown_without_the_difference(client, editor):
    paragraph = "The barrier was built in 1983 and repaired many times since. " * 10
    long_text = "\n\n".join(f"{n}. {paragraph}" for n in range(400))
    assert len(long_text) > DIFF_MAX_CHARS
    article = make_article(text=long_text)
    revise_text(article, long_text + "\n\nA line added.", user=editor, source="reader")
    response = client.get(reverse("reading:article-version", args=[article.pk, 1]))
    html = response.content.decode()
    assert response.context["changes"] is None
    assert "too long to compare word by word" in html
    assert "<del>" not in html
    assert "399. The barrier was built" in html


@pytest.mark.parametrize(
    ("prefix", "suffix", "before", "after"),
    [
        # Cut inside a word at the fixed length: the cut word goes, "…" says so.
        (
            "ief said the east gate had been ",
            " about the failures since Octobe",
            "…said the east gate had been ",
            " about the failures since…",
        ),
        # Stopped at a paragraph break or at the text's edge: nothing is missing.
        (
            "end of one.\n\nThe chief said ",
            ".\n\nNext paragraph starts here, ok",
            "The chief said ",
            ".",
        ),
        ("Short start ", " end.", "Short start ", " end."),
    ],
)
def test_stored_context_is_cut_at_words_and_paragraphs(prefix, suffix, before, after):
    annotation = Annotation(exact="quote", prefix=prefix, suffix=suffix)
    assert stored_context(annotation) == (before, after)
