"""The home page's live comparison in a browser: side by side on a desktop, stacked on a
phone, accessible in light and dark mode, drafts never shown."""

import datetime

import pytest

from annotations.models import Claim
from tests.browser.helpers import check_page, horizontal_overflow, log_in
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

STATEMENT = "The mayor's office knew the north gate was faulty months before the surge."
OUTLETS = [
    "The Callowmouth Courier and Evening Harbour Gazette",
    "The Daily Klaxon",
    "The Undertow",
    "Harbour Weekly",
]


def compared_claim():
    """A published claim four outlets carry, tagged; and a newer draft with more outlets."""
    story = make_story(title="Callowmouth flood barrier memo")
    claim = make_claim(story=story, statement=STATEMENT, status=Claim.Status.PUBLISHED)
    draft = make_claim(story=story, statement="A draft readers never see.")
    tag = make_tag(name="framing-demo", colour="#cdb4db")
    for n, name in enumerate(OUTLETS):
        article = make_article(
            outlet=make_outlet(name=name),
            story=story,
            title=f"Callowmouth mayor knew the barrier gate was faulty, leaked memo shows ({n})",
            published=datetime.date(2025, 5, 14 + n),
            text=f"{ARTICLE_TEXT}\n\nUpdate {n}.",
        )
        make_annotation(article, "internal memo", claim=claim).tags.add(tag)
        make_annotation(article, "hinges were corroded", claim=draft)
    Claim.objects.filter(pk=claim.pk).update(updated=draft.updated - datetime.timedelta(hours=1))
    return claim


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_desktop_home_sets_three_outlets_side_by_side(page, axe_violations, scheme):
    claim = compared_claim()
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")

    section = page.locator(".live-comparison")
    assert section.get_by_role("link", name=STATEMENT).get_attribute("href") == (
        claim.get_absolute_url()
    )
    columns = section.locator(".live-column")
    assert columns.count() == 3
    tops = {round(columns.nth(i).bounding_box()["y"]) for i in range(3)}
    assert len(tops) == 1, "the columns stand in one row"
    assert section.locator("h3").all_inner_texts() == OUTLETS[:3]
    assert section.locator("mark").first.inner_text() == "internal memo"
    # The mark draws its tag's line: /tags.css reached it.
    line = section.locator("mark").first.evaluate("m => getComputedStyle(m).boxShadow")
    assert "inset" in line
    assert section.get_by_role("link", name="See all 4 outlets").is_visible()
    assert page.get_by_text("A draft readers never see.").count() == 0
    # Above the fold: the comparison is what a newcomer sees first.
    assert section.bounding_box()["y"] < 800
    check_page(page, axe_violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_home_stacks_the_comparison_without_overflow(page, axe_violations, scheme):
    compared_claim()
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")

    columns = page.locator(".live-column")
    first, second = columns.nth(0).bounding_box(), columns.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"]
    assert horizontal_overflow(page) <= 0
    check_page(page, axe_violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_empty_home_tells_an_editor_how_to_start(page, axe_violations, make_editor, scheme):
    make_editor("ed")
    page.emulate_media(color_scheme=scheme)
    log_in(page, "ed")
    page.goto("/")

    section = page.locator(".live-comparison")
    assert "No comparison to show yet" in section.inner_text()
    assert section.get_by_role("link", name="import articles").get_attribute("href") == "/import/"
    check_page(page, axe_violations)
