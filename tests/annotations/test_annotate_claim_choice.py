"""Choosing a claim, tag shortcuts and the next outlet's article, through the real views."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.forms import closest_statements, fold
from annotations.models import Annotation, Claim, Tag
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
)
from tests.helpers import selection

pytestmark = pytest.mark.django_db

STATEMENT = "NATO leadership expected Kyiv to fall within days"


def create_url(article):
    return reverse("annotations:annotation-create", args=[article.pk])


def edit_url(annotation):
    return reverse("annotations:annotation-edit", args=[annotation.pk])


@pytest.fixture
def article():
    return make_article()


def test_closest_statements_puts_those_with_every_typed_word_first():
    statements = ["The memo was ignored", "NATO expected Kyiv to fall", "Kyiv fell", "Unrelated"]
    assert closest_statements("kyiv fall", statements) == [
        "NATO expected Kyiv to fall",
        "Kyiv fell",
    ]
    assert closest_statements("The memo was ignord", statements)[0] == "The memo was ignored"
    assert closest_statements("zzzz qqqq", statements) == []


def test_fold_sets_case_accents_and_spacing_aside():
    assert fold("  Élysée   PALACE ") == "elysee palace"


def test_a_partial_statement_is_refused_naming_the_closest_claims(editor_client, article):
    claim = make_claim(story=article.story, statement=STATEMENT)
    make_claim(story=article.story, statement="The memo was ignored")
    response = editor_client.post(
        create_url(article), selection(article, "memo shows", claim="NATO leadership expec")
    )
    assert response.status_code == 400
    error = response.json()["errors"]["claim"][0]
    assert "No claim of this story says “NATO leadership expec”." in error
    assert f"Did you mean “{claim.statement}”?" in error
    assert "This is a new claim" in error
    assert not Annotation.objects.exists()
    assert Claim.objects.count() == 2


def test_a_mistyped_statement_never_creates_a_claim(editor_client, article):
    make_claim(story=article.story, statement=STATEMENT)
    response = editor_client.post(
        create_url(article),
        selection(article, "memo shows", claim="NATO leadreship expected Kyiv to fall in days"),
    )
    assert response.status_code == 400
    assert f"Did you mean “{STATEMENT}”?" in response.json()["error"]
    assert Claim.objects.count() == 1


def test_a_new_claim_is_made_when_the_editor_says_so(editor_client, editor, article):
    response = editor_client.post(
        create_url(article), selection(article, "memo shows", claim=STATEMENT, new_claim="1")
    )
    assert response.status_code == 201
    annotation = Annotation.objects.get()
    assert annotation.claim.statement == STATEMENT
    assert annotation.claim.created_by == editor


def test_asking_for_a_new_claim_that_exists_links_the_existing_one(editor_client, article):
    claim = make_claim(story=article.story, statement=STATEMENT)
    response = editor_client.post(
        create_url(article),
        selection(article, "memo shows", claim=STATEMENT.upper(), new_claim="1"),
    )
    assert response.status_code == 201
    assert Annotation.objects.get().claim == claim
    assert Claim.objects.count() == 1


def test_the_claim_last_used_in_the_story_is_offered_first(editor_client, editor, article):
    other_story_claim = make_claim(statement="Zebra claim elsewhere")
    first = make_claim(story=article.story, statement="A claim used first")
    last = make_claim(story=article.story, statement="Zz claim used last")
    make_claim(story=article.story, statement="M claim never used")
    make_annotation(article, "memo shows", author=editor, claim=first)
    make_annotation(article, "two inspections", author=editor, claim=last)
    # Another editor's later annotation does not count, nor one in another story.
    make_annotation(article, "hinges", author=None, claim=first)
    elsewhere = make_article(story=other_story_claim.story)
    make_annotation(elsewhere, "memo shows", author=editor, claim=other_story_claim)

    page = editor_client.get(article.get_absolute_url()).content.decode()
    options = re.findall(r'<option value="([^"]*)"( label="last used")?', page)
    claims = [(value, bool(marked)) for value, marked in options if "claim" in value]
    assert claims == [
        ("Zz claim used last", True),
        ("A claim used first", False),
        ("M claim never used", False),
    ]


def test_the_tag_group_offers_the_first_nine_of_the_vocabulary_by_number(editor_client, article):
    Tag.objects.filter(name="framing").update(position=0)
    nine = list(Tag.objects.vocabulary().values_list("name", flat=True)[:9])
    assert nine[0] == "framing"
    page = editor_client.get(article.get_absolute_url()).content.decode()
    keys = re.findall(
        r'<button type="button" class="tag-key" aria-pressed="false" data-tag="([^"]+)" '
        r'aria-keyshortcuts="(\d)"><kbd>(\d)</kbd> ([^<]+)</button>',
        page,
    )
    assert [(name, int(key)) for name, key, _, _ in keys] == [
        (name, n) for n, name in enumerate(nine, 1)
    ]


def story_with_outlets():
    story = make_story()
    articles = {}
    for name, published in [
        ("Beta", datetime.date(2024, 1, 2)),
        ("Alpha", datetime.date(2024, 1, 5)),
        ("Alpha", datetime.date(2024, 1, 1)),
        ("Gamma", None),
        ("Beta", datetime.date(2024, 1, 1)),
    ]:
        outlet = make_outlet(name=name) if name not in articles else articles[name][0].outlet
        text = f"{ARTICLE_TEXT}\n\nPublished {published}."
        article = make_article(story=story, outlet=outlet, published=published, text=text)
        articles.setdefault(name, []).append(article)
    # Another story's article: never offered.
    make_article(outlet=articles["Alpha"][0].outlet, text=f"{ARTICLE_TEXT}\n\nElsewhere.")
    return articles


def next_link(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    match = re.search(r'<a href="([^"]+)" id="next-outlet-article">', page)
    return match and match.group(1)


def test_next_outlets_article_goes_round_the_outlets_in_name_order(editor_client):
    articles = story_with_outlets()
    alpha_first, alpha_later = articles["Alpha"][1], articles["Alpha"][0]
    beta_first = articles["Beta"][1]
    gamma = articles["Gamma"][0]
    # Alpha → Beta (its first article by date) → Gamma → back round to Alpha.
    assert next_link(editor_client, alpha_later) == beta_first.get_absolute_url()
    assert next_link(editor_client, alpha_first) == beta_first.get_absolute_url()
    assert next_link(editor_client, beta_first) == gamma.get_absolute_url()
    assert next_link(editor_client, articles["Beta"][0]) == gamma.get_absolute_url()
    assert next_link(editor_client, gamma) == alpha_first.get_absolute_url()


def test_no_next_link_for_a_story_with_one_outlet_nor_for_readers(editor_client):
    articles = story_with_outlets()
    lonely = make_article()
    assert next_link(editor_client, lonely) is None
    assert next_link(Client(), articles["Alpha"][0]) is None


def test_edit_without_script_refuses_an_unknown_claim_and_keeps_what_was_typed(
    editor_client, editor, article
):
    annotation = make_annotation(article, "memo shows", author=editor)
    annotation.tags.add("quote")
    page = editor_client.get(edit_url(annotation)).content.decode()
    # The plain input holds the tags comma-separated, for a browser without the script.
    assert re.search(r'<input type="text" id="id_tags" name="tags" value="quote"', page)

    data = {
        "tags": "quote, framing",
        "claim": "The memo was ignored",
        "note": "Kept note",
        "version": annotation.version,
    }
    response = editor_client.post(edit_url(annotation), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No claim of this story says “The memo was ignored”." in page
    assert 'value="quote, framing"' in page
    assert 'value="The memo was ignored"' in page
    assert "Kept note" in page
    assert not Claim.objects.exists()

    response = editor_client.post(edit_url(annotation), {**data, "new_claim": "on"})
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.claim.statement == "The memo was ignored"
    assert sorted(annotation.tags.names()) == ["framing", "quote"]
