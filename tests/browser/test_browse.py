"""A reader's walk: home, a story, an outlet and a tag's pages of outlets, at desktop and
phone widths."""

import datetime

import pytest

from annotations.models import Claim
from reading.views import browse
from reading.views.browse import ARTICLES_PER_PAGE
from tests.browser.helpers import check_page
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

STORY = "Callowmouth flood barrier memo and what the mayor's office knew about the north gate"
OUTLET = "The Callowmouth Courier and Evening Harbour Gazette"


def make_demo_like_corpus():
    """One story in three outlets, with long titles, tags, claims, a draft, and enough
    articles from one outlet to need a second page."""
    story = make_story(
        title=STORY,
        description="A leaked memo suggests the gate was faulty months before the surge.",
    )
    courier = make_outlet(
        name=OUTLET, site="https://courier.example.org/", country="United Kingdom", language="en"
    )
    klaxon = make_outlet(name="The Daily Klaxon")
    undertow = make_outlet(name="The Undertow")
    framing = make_tag(name="framing-demo", colour="#cdb4db")
    quote = make_tag(name="quote-demo", colour="#bde0fe")
    claim = make_claim(
        story=story,
        statement="The mayor's office knew the north gate was faulty months before the surge.",
        status=Claim.Status.PUBLISHED,
    )
    make_claim(story=story, statement="A draft readers never see.", status=Claim.Status.DRAFT)
    for n, outlet in enumerate([courier, klaxon, undertow]):
        article = make_article(
            outlet=outlet,
            story=story,
            title=f"Callowmouth mayor knew flood barrier gate was faulty, leaked memo shows ({n})",
            byline="Marta Quill, Senior Correspondent for Coastal Affairs",
            published=None if n == 2 else datetime.date(2025, 5, 14 + n),
        )
        make_annotation(article, "memo shows", claim=claim).tags.add(framing, quote)
        make_annotation(article, "hinges were corroded").tags.add(quote)
    for n in range(ARTICLES_PER_PAGE):
        make_article(
            outlet=courier,
            story=story,
            title=f"Barrier update {n}: the council weighs the repair bids",
            text=f"{ARTICLE_TEXT}\n\nUpdate {n}.",
            published=datetime.date(2025, 1, 1) + datetime.timedelta(days=n),
        )
    return story, courier


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_reader_walks_from_home_to_a_story_to_an_outlet(page, axe_violations, width):
    make_demo_like_corpus()
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/")
    assert page.get_by_role("heading", name="Stories").is_visible()
    check_page(page, axe_violations)

    with page.expect_navigation():
        page.get_by_role("link", name=STORY).click()
    assert page.get_by_role("heading", level=1, name=STORY).is_visible()
    assert page.get_by_text("A draft readers never see.").count() == 0
    check_page(page, axe_violations)

    with page.expect_navigation():
        page.get_by_role("link", name=OUTLET).first.click()
    assert page.get_by_role("heading", level=1, name=OUTLET).is_visible()
    tag_table = page.get_by_role("table")
    assert tag_table.get_by_role("row", name="quote-demo 2").is_visible()
    assert tag_table.get_by_role("row", name="framing-demo 1").is_visible()
    # The swatch takes its colour from an SVG attribute, which the CSP allows.
    swatch = tag_table.locator("svg rect").first
    assert swatch.evaluate("el => getComputedStyle(el).fill") == "rgb(189, 224, 254)"
    check_page(page, axe_violations)

    with page.expect_navigation():
        page.get_by_role("navigation", name="Pages of articles").get_by_role(
            "link", name="Next page"
        ).click()
    assert page.get_by_text("Page 2 of 2").is_visible()
    check_page(page, axe_violations)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_reader_pages_through_the_outlets_using_a_tag(page, axe_violations, monkeypatch, width):
    monkeypatch.setattr(browse, "TAG_PAGE_OUTLETS", 2)
    story = make_story(title=STORY)
    tag = make_tag(name="quote-demo", colour="#bde0fe")
    for name in (OUTLET, "The Daily Klaxon", "The Undertow"):
        article = make_article(outlet=make_outlet(name=name), story=story)
        make_annotation(article, "memo shows").tags.add(tag)
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(f"{tag.get_absolute_url()}?story={story.slug}")
    assert page.get_by_role("heading", level=3, name="The Daily Klaxon").is_visible()
    assert page.get_by_role("heading", level=3, name="The Undertow").count() == 0
    check_page(page, axe_violations)

    # Reached and followed from the keyboard; the story filter stays.
    next_page = page.get_by_role("navigation", name="Pages of outlets").get_by_role(
        "link", name="Next page"
    )
    next_page.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=3, name="The Undertow").is_visible()
    assert page.url.endswith(f"?story={story.slug}&page=2")
    assert page.get_by_text("Outlet 3 of 3, by name.").is_visible()
    check_page(page, axe_violations)


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_login_page_is_accessible_with_and_without_an_error(page, axe_violations, width):
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/accounts/login/?next=/")
    check_page(page, axe_violations)

    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Username").input_value() == "nobody"
    check_page(page, axe_violations)
