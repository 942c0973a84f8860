"""The admin shows an article's text read-only and corrects it through revise_text."""

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse

from sources.models import Article, ArticleVersion, Passage
from tests.factories import ARTICLE_TEXT, make_annotation, make_article, make_outlet, make_story

pytestmark = pytest.mark.django_db

CORRECTED = ARTICLE_TEXT + "\n\nThis article was corrected on Tuesday."


def correct_url(article):
    return reverse("admin:sources_article_correct", args=[article.pk])


def change_url(article):
    return reverse("admin:sources_article_change", args=[article.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_change_page_shows_the_text_read_only_and_offers_the_correction(admin_client):
    article = make_article()

    page = admin_client.get(change_url(article)).content.decode()

    assert 'name="text"' not in page
    assert "hinges were corroded" in page
    assert f'href="{correct_url(article)}"' in page
    assert "Correct the text" in page


def test_saving_the_change_form_cannot_change_the_text(admin_client):
    article = make_article()
    data = {
        "title": "Retitled",
        "outlet": article.outlet.pk,
        "story": article.story.pk,
        "text": "Smuggled in through the change form.",
        "passages-TOTAL_FORMS": 0,
        "passages-INITIAL_FORMS": 0,
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }

    response = admin_client.post(change_url(article), data)

    assert response.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.text) == ("Retitled", ARTICLE_TEXT)


def test_the_correction_form_holds_the_current_text(admin_client):
    article = make_article()

    response = admin_client.get(correct_url(article))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<textarea name="text"' in page
    assert "the chief engineer wrote.</textarea>" in page


def test_a_correction_is_saved_with_its_counts_in_a_message(admin_client, admin_user):
    article = make_article()
    annotation = make_annotation(article, "the hinges were corroded", note="Kept")
    annotation.tags.add("admission")

    response = admin_client.post(correct_url(article), {"text": CORRECTED})

    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    stored = Article.objects.get(pk=article.pk)
    assert (stored.text, stored.text_version) == (CORRECTED, 2)
    version = ArticleVersion.objects.get()
    assert (version.text, version.source, version.created_by) == (ARTICLE_TEXT, "admin", admin_user)
    [message] = messages_of(response)
    assert message.startswith("The text is now version 2: 1 annotation kept in place")
    annotation.refresh_from_db()
    assert (annotation.note, list(annotation.tags.names())) == ("Kept", ["admission"])
    assert CORRECTED[annotation.start : annotation.end] == "the hinges were corroded"
    assert Passage.objects.filter(article=article).count() == 4


def test_the_same_text_again_changes_nothing(admin_client):
    article = make_article()

    response = admin_client.post(correct_url(article), {"text": ARTICLE_TEXT})

    assert messages_of(response) == ["The text is the same as before: nothing changed."]
    assert not ArticleVersion.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This field is required."),
        ("  \r\n  ", "The new text is empty: an article cannot lose all its text."),
        ("A text\x00 with a NUL", "Null characters are not allowed."),
    ],
)
def test_a_text_that_cannot_replace_it_is_refused_with_a_message(admin_client, text, error):
    article = make_article()

    response = admin_client.post(correct_url(article), {"text": text})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


def test_a_text_another_article_of_the_outlet_has_is_refused(admin_client):
    outlet = make_outlet()
    article = make_article(outlet=outlet)
    make_article(outlet=outlet, text=CORRECTED)

    response = admin_client.post(correct_url(article), {"text": CORRECTED})

    assert "Another article of this outlet already has exactly this text" in (
        response.content.decode()
    )
    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


@override_settings(PARALLAX_MAX_UPLOAD_FILE_BYTES=100)
def test_a_text_over_the_limit_is_refused_naming_it(admin_client):
    article = make_article()

    response = admin_client.post(correct_url(article), {"text": "word " * 40})

    assert "at most 100 characters" in response.content.decode()
    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


def test_staff_without_the_change_permission_are_refused(client, django_user_model):
    article = make_article()
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))

    assert client.get(correct_url(article)).status_code == 403
    assert client.post(correct_url(article), {"text": CORRECTED}).status_code == 403
    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


def test_an_article_added_in_the_admin_is_cut_into_passages(admin_client):
    data = {
        "title": "Added by hand",
        "outlet": make_outlet().pk,
        "story": make_story().pk,
        "text": "\r\n" + CORRECTED.replace("\n", "\r\n"),
        "passages-TOTAL_FORMS": 0,
        "passages-INITIAL_FORMS": 0,
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }

    response = admin_client.post(reverse("admin:sources_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(title="Added by hand")
    assert article.text == CORRECTED
    assert Passage.objects.filter(article=article).count() == 4


def test_the_annotation_admin_shows_where_a_correction_left_it(admin_client):
    article = make_article()
    annotation = make_annotation(article, "the hinges were corroded")

    page = admin_client.get(
        reverse("admin:annotations_annotation_change", args=[annotation.pk])
    ).content.decode()

    assert "Anchor status" in page and "Anchored version" in page
    assert 'name="anchor_status"' not in page
    assert 'name="proposed_start"' not in page
