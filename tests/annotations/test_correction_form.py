"""Correcting an article's text from its page: the third way in to revise_text."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation
from sources.models import ArticleVersion
from sources.revisions import revise_text
from tests.factories import MEMO_TEXT, make_annotation, make_article, make_claim, make_tag

pytestmark = pytest.mark.django_db

OLD_TEXT = MEMO_TEXT
# The engineer's sentence deleted, a paragraph added at the top.
NEW_TEXT = (
    "Barrier failed, memo shows\n\n"
    "Correction appended on Tuesday.\n\n"
    "The flood barrier failed twice before the storm, an internal memo shows.\n\n"
    "Officials declined to comment on the report."
)


def correct_url(article):
    return reverse("annotations:article-correct", args=[article.pk])


def test_form_is_prefilled_with_the_current_text_and_version(editor_client):
    article = make_article(text=OLD_TEXT)
    response = editor_client.get(correct_url(article))
    form = response.context["form"]
    assert form["text"].value() == OLD_TEXT
    assert form["text_version"].value() == 1
    assert "The chief engineer wrote" in response.content.decode()


def test_correcting_keeps_the_earlier_text_and_reports_the_counts(editor_client, editor):
    article = make_article(text=OLD_TEXT)
    claim = make_claim(story=article.story)
    tag = make_tag()
    kept = make_annotation(article, "failed twice before the storm", claim=claim, note="n")
    kept.tags.add(tag)
    gone = make_annotation(article, "the hinges were corroded", claim=claim, note="m")
    # A browser sends a textarea's line breaks as CRLF.
    response = editor_client.post(
        correct_url(article), {"text": NEW_TEXT.replace("\n", "\r\n"), "text_version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    article.refresh_from_db()
    assert article.text == NEW_TEXT
    assert article.text_version == 2
    version = ArticleVersion.objects.get(article=article)
    assert (version.number, version.text, version.created_by, version.source) == (
        1,
        OLD_TEXT,
        editor,
        "reader",
    )
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    counts = re.fullmatch(
        r"Text corrected \(now version 2\): (\d+) annotations? in place, (\d+) moved, "
        r"(\d+) to review, (\d+) orphaned\. <a href=\"/articles/\d+/review/\">Review them</a>\.",
        message,
    )
    assert counts, message
    # The kept sentence only shifted: in place by the diff (or moved by search, which
    # the re-anchoring may also do for it); the deleted one is orphaned.
    in_place, moved, review, orphaned = map(int, counts.groups())
    assert (in_place + moved, review, orphaned) == (1, 0, 1)
    # Nothing lost: the same annotations with their tags, claims and notes.
    assert Annotation.objects.filter(article=article).count() == 2
    kept.refresh_from_db()
    gone.refresh_from_db()
    assert NEW_TEXT[kept.start : kept.end] == "failed twice before the storm"
    assert [t.pk for t in kept.tag_list] == [tag.pk]
    assert (kept.claim, kept.note, gone.claim, gone.note) == (claim, "n", claim, "m")
    assert gone.anchor_status == Annotation.AnchorStatus.ORPHANED
    # The message is shown on the article page, its link working.
    page = editor_client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="/articles/{article.pk}/review/">Review them</a>' in page


def test_an_unchanged_text_corrects_nothing(editor_client):
    article = make_article(text=OLD_TEXT)
    response = editor_client.post(
        correct_url(article), {"text": OLD_TEXT, "text_version": 1}, follow=True
    )
    assert "The text is unchanged: nothing was corrected." in response.content.decode()
    article.refresh_from_db()
    assert article.text_version == 1
    assert not ArticleVersion.objects.exists()


def test_a_text_over_the_file_limit_is_refused_and_kept(editor_client, settings):
    settings.PARALLAX_MAX_UPLOAD_FILE_BYTES = 1000
    article = make_article(text=OLD_TEXT)
    # 600 characters, 1,200 bytes in UTF-8: the limit counts bytes, as the importer does.
    typed = "Ж" * 600
    response = editor_client.post(correct_url(article), {"text": typed, "text_version": 1})
    assert response.status_code == 200
    [error] = response.context["form"].errors["text"]
    assert error.startswith("The text is too long: at most 1")
    assert "the limit for one imported file" in error
    assert response.context["form"]["text"].value() == typed
    article.refresh_from_db()
    assert article.text == OLD_TEXT


def test_an_empty_text_is_refused(editor_client):
    article = make_article(text=OLD_TEXT)
    response = editor_client.post(correct_url(article), {"text": " \n ", "text_version": 1})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    article.refresh_from_db()
    assert article.text == OLD_TEXT


def test_a_correction_made_meanwhile_is_not_overwritten(editor_client, make_editor):
    article = make_article(text=OLD_TEXT)
    other = make_editor("other-editor")
    revise_text(article, NEW_TEXT, user=other, source="reader")
    typed = OLD_TEXT + "\n\nMy own addition."
    response = editor_client.post(correct_url(article), {"text": typed, "text_version": 1})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "The text was corrected by other-editor" in errors
    assert "since you opened this page" in errors
    # What was typed is kept; the form now carries the version it was compared with.
    form = response.context["form"]
    assert form["text"].value() == typed
    assert form["text_version"].value() == "2"
    assert NEW_TEXT.split("\n")[2] in response.content.decode()  # the current text, shown
    article.refresh_from_db()
    assert (article.text, article.text_version) == (NEW_TEXT, 2)
    # Saving again replaces the newer text knowingly.
    again = editor_client.post(correct_url(article), {"text": typed, "text_version": 2})
    assert again.status_code == 302
    article.refresh_from_db()
    assert (article.text, article.text_version) == (typed, 3)


def test_a_text_another_article_of_the_outlet_has_is_refused(editor_client):
    article = make_article(text=OLD_TEXT)
    make_article(text=NEW_TEXT, outlet=article.outlet)
    response = editor_client.post(correct_url(article), {"text": NEW_TEXT, "text_version": 1})
    assert response.status_code == 200
    assert "already has exactly this text" in " ".join(response.context["form"].non_field_errors())
    article.refresh_from_db()
    assert article.text_version == 1


def test_the_article_page_offers_editors_the_form_and_readers_nothing(editor_client):
    article = make_article()
    url = correct_url(article)
    assert url in editor_client.get(article.get_absolute_url()).content.decode()
    assert url not in Client().get(article.get_absolute_url()).content.decode()
