"""A reader's walk through the claims index, a tag page and a story's coverage grid, at
desktop and phone widths: clean under the CSP, no serious axe findings, no sideways scroll."""

import datetime

import pytest

from annotations.models import Claim
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
CLAIM = "The mayor's office knew the north gate was faulty months before the surge."
OUTLETS = [
    "The Callowmouth Courier and Evening Harbour Gazette",
    "The Daily Klaxon",
    "The Undertow",
    "Harbour Wire International Syndication Service",
    "Tidelines",
    "The Estuary Examiner",
]


def make_corpus():
    """One story in six outlets with long names, three claims (one a draft), and tags with
    definitions: enough columns for the grid to scroll sideways on a phone."""
    story = make_story(title=STORY, description="A leaked memo about the north gate.")
    framing = make_tag(
        name="framing-demo",
        colour="#cdb4db",
        definition="The outlet sets the quotation inside its own interpretation.",
    )
    quote = make_tag(name="quote-demo", colour="#bde0fe")
    knew = make_claim(story=story, statement=CLAIM, status=Claim.Status.PUBLISHED)
    corroded = make_claim(
        story=story,
        statement="The chief engineer knew the hinges were corroded.",
        status=Claim.Status.PUBLISHED,
    )
    make_claim(story=story, statement="A draft readers never see.", status=Claim.Status.DRAFT)
    stances = ["reports", "disputes", "asserts", "quotes", "", "reports"]
    for n, (name, stance) in enumerate(zip(OUTLETS, stances, strict=True)):
        article = make_article(
            outlet=make_outlet(name=name),
            story=story,
            title=f"Callowmouth mayor knew flood barrier gate was faulty, leaked memo shows ({n})",
            text=f"{ARTICLE_TEXT}\n\nUpdate {n}.",
            published=None if n == 2 else datetime.date(2025, 5, 14 + n),
        )
        make_annotation(
            article, "memo shows", claim=knew, stance=stance, note="Verb changed from “says”."
        ).tags.add(framing, quote)
        if n % 2:
            make_annotation(
                article, "hinges were corroded", claim=corroded, stance="quotes"
            ).tags.add(quote)
    return story, framing


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_reader_browses_claims_a_tag_and_the_coverage_grid(page, axe_violations, width):
    story, framing = make_corpus()
    page.set_viewport_size({"width": width, "height": 900})

    # Home → the claims index.
    page.goto("/")
    # Wait for the new page before asserting on it.
    with page.expect_navigation():
        page.get_by_role("link", name="All claims").click()
    assert page.get_by_role("heading", level=1, name="Claims").is_visible()
    assert page.get_by_role("link", name=CLAIM).is_visible()
    assert page.get_by_text("A draft readers never see.").count() == 0
    check_page(page, axe_violations)

    # Filter by tag and search; the form keeps what was asked.
    page.get_by_label("Search claims", exact=True).fill("hinges")
    page.get_by_label("Tag").select_option(label="quote-demo")
    with page.expect_navigation():
        page.get_by_role("button", name="Show claims").click()
    assert page.get_by_role(
        "link", name="The chief engineer knew the hinges were corroded."
    ).is_visible()
    assert page.get_by_role("link", name=CLAIM).count() == 0
    assert page.get_by_label("Search claims", exact=True).input_value() == "hinges"
    check_page(page, axe_violations)

    # Nothing matches: the empty state links back to every claim.
    page.get_by_label("Search claims", exact=True).fill("no such words")
    with page.expect_navigation():
        page.get_by_role("button", name="Show claims").click()
    assert page.get_by_text("No claims match “no such words”").is_visible()
    check_page(page, axe_violations)
    with page.expect_navigation():
        page.get_by_role("link", name="Clear the filters").click()
    assert page.get_by_role("link", name=CLAIM).is_visible()

    # A tag page: a column per outlet.
    page.goto(framing.get_absolute_url())
    assert page.get_by_role("heading", level=1, name="framing-demo").is_visible()
    assert page.get_by_text("The outlet sets the quotation").is_visible()
    assert page.get_by_role("heading", level=3, name="The Daily Klaxon").is_visible()
    swatch = page.locator(".tag-heading svg rect")
    assert swatch.evaluate("el => getComputedStyle(el).fill") == "rgb(205, 180, 219)"
    check_page(page, axe_violations)
    page.get_by_label("Story", exact=True).select_option(label=STORY)
    with page.expect_navigation():
        page.get_by_role("button", name="Show", exact=True).click()
    assert "story=" in page.url
    check_page(page, axe_violations)

    # The story page's coverage grid: scrolls inside its own box, never the page.
    page.goto(story.get_absolute_url())
    grid = page.get_by_role("region", name="Coverage grid, claims by outlets")
    table = grid.get_by_role("table")
    assert table.get_by_role("columnheader", name="The Daily Klaxon").is_visible()
    assert table.get_by_role("rowheader", name=CLAIM).is_visible()
    assert table.get_by_text("A draft readers never see.").count() == 0
    check_page(page, axe_violations)
    # Keyboard users reach the scrolling box and can scroll it.
    grid.focus()
    if width == 390:
        assert grid.evaluate("el => el.scrollWidth > el.clientWidth")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")
    # A cell leads to the claim's comparison filtered to that outlet.
    with page.expect_navigation():
        table.get_by_role("link", name="The Daily Klaxon: disputes").click()
    assert "outlets=the-daily-klaxon" in page.url
    assert page.get_by_role("heading", level=1, name=CLAIM).is_visible()
