"""The story page stays the same size whatever the story's: its grid shows a window of the
most carried claims by the outlets carrying most, its articles come a page at a time, and
its claims list stops where the claims index takes over. The sizes are the view's
constants, made small here so a handful of rows crosses them."""

import re

import pytest
from django.test import Client

from annotations.models import Claim
from reading.views import browse
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
)

db = pytest.mark.django_db
PUBLISHED = Claim.Status.PUBLISHED


def text(n):
    return f"{ARTICLE_TEXT}\n\nUpdate {n}."


@pytest.fixture
def story():
    """Three claims carried by 3, 2 and 1 of three outlets (Cobalt carries all three,
    Amber one, Birch two); Amber has three articles, the others one each."""
    story = make_story(title="Barrier memo")
    amber, birch, cobalt = (make_outlet(name=n) for n in ("Amber", "Birch", "Cobalt"))
    wide = make_claim(story=story, statement="Widely carried.", status=PUBLISHED)
    middle = make_claim(story=story, statement="Carried by two.", status=PUBLISHED)
    narrow = make_claim(story=story, statement="Carried by one.", status=PUBLISHED)
    articles = {
        amber: [make_article(outlet=amber, story=story, text=text(n)) for n in range(3)],
        birch: [make_article(outlet=birch, story=story)],
        cobalt: [make_article(outlet=cobalt, story=story)],
    }
    make_annotation(articles[amber][0], "memo shows", claim=wide, stance="reports")
    make_annotation(articles[birch][0], "memo shows", claim=wide)
    make_annotation(articles[birch][0], "internal memo", claim=middle)
    make_annotation(articles[cobalt][0], "memo shows", claim=wide, stance="asserts")
    make_annotation(articles[cobalt][0], "internal memo", claim=middle)
    make_annotation(articles[cobalt][0], "two inspections", claim=narrow, stance="disputes")
    return story


def grid(response):
    return [
        (row.claim.statement, [(cell.outlet.name, cell.carried) for cell in row.cells])
        for row in response.context["grid"]
    ]


@db
def test_the_grid_puts_the_most_annotated_claims_and_the_outlets_carrying_most_first(client, story):
    response = client.get(story.get_absolute_url())

    assert grid(response) == [
        ("Widely carried.", [("Cobalt", True), ("Birch", True), ("Amber", True)]),
        ("Carried by two.", [("Cobalt", True), ("Birch", True), ("Amber", False)]),
        ("Carried by one.", [("Cobalt", True), ("Birch", False), ("Amber", False)]),
    ]
    assert "Parts of the grid" not in response.content.decode()


@db
def test_the_grid_shows_a_window_and_links_to_the_rest(client, story, monkeypatch):
    monkeypatch.setattr(browse, "GRID_CLAIMS", 2)
    monkeypatch.setattr(browse, "GRID_OUTLETS", 2)

    first = client.get(story.get_absolute_url())

    assert grid(first) == [
        ("Widely carried.", [("Cobalt", True), ("Birch", True)]),
        ("Carried by two.", [("Cobalt", True), ("Birch", True)]),
    ]
    html = first.content.decode()
    assert '<nav class="grid-pages" aria-label="Parts of the grid">' in html
    assert "Claims 1–2 of 3" in html
    assert "Outlets 1–2 of 3" in html
    assert '<a href="?claims_page=2#grid-heading">Less annotated claims</a>' in html
    assert '<a href="?outlets_page=2#grid-heading">Outlets carrying fewer</a>' in html
    # Only the window's cells are in the page.
    assert len(re.findall(r'<td class="(?:not-)?carried">', html)) == 4

    rest = client.get(story.get_absolute_url(), {"claims_page": 2, "outlets_page": 2})

    assert grid(rest) == [("Carried by one.", [("Amber", False)])]
    html = rest.content.decode()
    assert "Claims 3–3 of 3" in html
    assert "Outlets 3–3 of 3" in html
    assert (
        '<a href="?claims_page=1&amp;outlets_page=2#grid-heading">More annotated claims</a>' in html
    )


@db
def test_a_page_number_past_the_end_shows_the_last_window(client, story, monkeypatch):
    monkeypatch.setattr(browse, "GRID_CLAIMS", 2)

    response = client.get(story.get_absolute_url(), {"claims_page": "99x"})

    assert [row.claim.statement for row in response.context["grid"]] == [
        "Widely carried.",
        "Carried by two.",
    ]
    response = client.get(story.get_absolute_url(), {"claims_page": "99"})
    assert [row.claim.statement for row in response.context["grid"]] == ["Carried by one."]


@db
def test_articles_come_a_page_at_a_time_under_their_outlets_totals(client, story, monkeypatch):
    monkeypatch.setattr(browse, "ARTICLES_PER_PAGE", 2)

    first = client.get(story.get_absolute_url())

    assert [(g.outlet.name, len(g.articles)) for g in first.context["coverage"]] == [("Amber", 2)]
    html = first.content.decode()
    assert "5 articles from 3 outlets · 3 claims" in html
    # The outlet's heading counts all its articles in the story, not those on this page.
    assert '<span class="meta">3 articles</span>' in html
    assert '<nav class="pagination" aria-label="Pages of articles">' in html
    assert "Page 1 of 3" in html

    last = client.get(story.get_absolute_url(), {"page": 3})

    assert [(g.outlet.name, len(g.articles)) for g in last.context["coverage"]] == [("Cobalt", 1)]


@db
def test_the_claims_list_stops_and_links_to_the_claims_index(client, story, monkeypatch):
    monkeypatch.setattr(browse, "CLAIMS_LISTED", 2)

    response = client.get(story.get_absolute_url())

    assert [c.statement for c in response.context["claims"]] == [
        "Widely carried.",
        "Carried by two.",
    ]
    html = response.content.decode()
    assert f'<a href="/claims/?story={story.slug}">All 3 claims of this story</a>' in html
    assert "Carried by 3 outlets" in html


@db
def test_drafts_count_for_editors_only(editor_client, story):
    draft = make_claim(story=story, statement="Secret draft.", status=Claim.Status.DRAFT)
    amber = story.articles.filter(outlet__name="Amber").first()
    for n in range(2):
        make_annotation(amber, "memo shows" if n else "internal memo", claim=draft)

    reader = Client().get(story.get_absolute_url())
    editor = editor_client.get(story.get_absolute_url())

    assert "Secret draft." not in reader.content.decode()
    assert [o.name for o in reader.context["grid_outlets"]] == ["Cobalt", "Birch", "Amber"]
    # Two annotations, like "Carried by two.": by statement after it.
    assert [row.claim.statement for row in editor.context["grid"]] == [
        "Widely carried.",
        "Carried by two.",
        "Secret draft.",
        "Carried by one.",
    ]
    # Its two annotations are one claim carried: Amber now carries two, as many as Birch.
    assert [o.name for o in editor.context["grid_outlets"]] == ["Cobalt", "Amber", "Birch"]
    assert "Carried by 1 outlet<" in editor.content.decode()
