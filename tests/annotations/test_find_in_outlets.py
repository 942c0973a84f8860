"""Find it in the other outlets: the same words in the story's other articles, the exact
phrase first, then passages sharing its words; annotated under the same claim."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from annotations.finding import best_sentence, phrase_span
from annotations.models import Annotation
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story

pytestmark = pytest.mark.django_db

GAZETTE = (
    "Gates fail\n\n"
    "Kissinger told him the country must become a bridge between East and West, not an outpost."
)
WIRE = (
    "Memoir review\n\n"
    "The country, Kissinger said, had to be a Bridge between  East and West. Few agreed.\n\n"
    "Zelenskyy asked for planes."
)
TRIBUNE = (
    "Analysis\n\n"
    "Nobody asked about planes. A bridge was built in the east of the city. The west waited."
)


@pytest.fixture
def story_world():
    story = make_story(title="Memoir")
    articles = {
        name: make_article(
            outlet=make_outlet(name=name.title()), story=story, title=name.title(), text=text
        )
        for name, text in (("gazette", GAZETTE), ("wire", WIRE), ("tribune", TRIBUNE))
    }
    # Another story's article with the same words is never offered.
    make_article(outlet=make_outlet(), story=make_story(), text=GAZETTE + " Elsewhere.")
    claim = make_claim(story=story, statement="Kissinger wanted a neutral Ukraine")
    source = make_annotation(articles["gazette"], "bridge between East and West", claim=claim)
    source.tags.add("quote")
    return articles, claim, source


def find_url(article):
    return reverse("annotations:article-find", args=[article.pk])


def test_the_exact_phrase_comes_first_then_shared_words(editor_client, story_world):
    articles, _, source = story_world
    response = editor_client.get(find_url(articles["gazette"]), {"annotation": source.pk})
    found = response.context["found"]
    assert [(f.hit.passage["title"], f.exact_phrase) for f in found] == [
        ("Wire", True),
        ("Tribune", False),
    ]
    # The phrase with other spacing and in another case; in the tribune, the sentence
    # sharing most words.
    assert found[0].words == "Bridge between  East and West"
    assert WIRE[found[0].start : found[0].end] == found[0].words
    assert found[1].words == "A bridge was built in the east of the city."
    page = response.content.decode()
    assert "Kissinger wanted a neutral Ukraine" in page
    assert response.context["tags"] == "quote"


def test_a_search_of_other_words_and_a_name_in_another_spelling(editor_client, story_world):
    articles, _, _ = story_world
    response = editor_client.get(find_url(articles["gazette"]), {"q": "Зеленский planes"})
    found = response.context["found"]
    assert [f.hit.passage["title"] for f in found] == ["Wire", "Tribune"]
    assert found[0].words == "Zelenskyy asked for planes."


def test_annotating_a_result_without_the_script_comes_back_with_a_message(
    editor_client, story_world
):
    articles, claim, source = story_world
    page = editor_client.get(find_url(articles["gazette"]), {"annotation": source.pk})
    hit = page.context["found"][0]
    back = page.context["next"]
    response = editor_client.post(
        reverse("annotations:annotation-create", args=[hit.article_id]),
        {
            "start": hit.start,
            "end": hit.end,
            "exact": hit.words,
            "claim": claim.statement,
            "tags": "quote",
            "next": back,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == back
    made = Annotation.objects.get(article=articles["wire"])
    assert (made.claim, made.exact, list(made.tags.names())) == (claim, hit.words, ["quote"])
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Annotated in Wire")


def test_only_editors_search_the_other_outlets(story_world):
    articles, _, source = story_world
    response = Client().get(find_url(articles["gazette"]), {"annotation": source.pk})
    assert response.status_code in (302, 403)


def test_the_reader_offers_editors_the_search_from_each_annotation(editor_client, story_world):
    articles, _, source = story_world
    page = editor_client.get(articles["gazette"].get_absolute_url()).content.decode()
    assert f'{find_url(articles["gazette"])}?annotation={source.pk}" data-find>' in page
    assert 'id="find-panel"' in page
    reader = Client().get(articles["gazette"].get_absolute_url()).content.decode()
    assert "data-find" not in reader


def test_the_fragment_is_only_the_results(editor_client, story_world):
    articles, _, source = story_world
    response = editor_client.get(
        find_url(articles["gazette"]), {"annotation": source.pk, "fragment": "1"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="find-results"')
    assert "<html" not in html


def test_phrase_span_and_best_sentence():
    assert phrase_span("a Close, the sky! b", ["close", "the", "sky"]) == (2, 16)
    assert phrase_span("enclose the sky", ["close", "the", "sky"]) is None
    text = "First one. The gates failed twice. Last."
    assert text[slice(*best_sentence(text, ["gate", "failed"]))] == "The gates failed twice."
