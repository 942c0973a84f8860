"""The claim comparison page as an anonymous reader sees it through a shared link."""

import datetime

import pytest

from annotations.models import Claim
from tests.browser.helpers import horizontal_overflow
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story


@pytest.fixture
def claim(transactional_db):
    story = make_story(title="Harbour gate")
    claim = make_claim(story=story, statement="The mayor knew", status=Claim.Status.PUBLISHED)
    for day, name, stance in [
        (3, "Quay Daily", "reports"),
        (4, "Harbour Wire", "disputes"),
        (5, "Gate Gazette", "reports"),
    ]:
        article = make_article(
            outlet=make_outlet(name=name), story=story, published=datetime.date(2024, 3, day)
        )
        annotation = make_annotation(
            article, "the hinges were corroded", claim=claim, stance=stance
        )
        annotation.tags.add("quote" if stance == "reports" else "framing")
    return claim


def column_names(page):
    return page.locator(".column-head").all_inner_texts()


def test_shared_link_with_filters_shows_exactly_those_columns(page, claim, axe_violations):
    page.goto(claim.get_absolute_url() + "?outlets=harbour-wire,gate-gazette")
    page.wait_for_load_state("networkidle")
    assert column_names(page) == ["Harbour Wire", "Gate Gazette"]
    assert page.get_by_role("checkbox", name="Harbour Wire").is_checked()
    assert not page.get_by_role("checkbox", name="Quay Daily").is_checked()
    assert axe_violations(page) == []

    # Changing a filter changes the URL, and the page follows it.
    with page.expect_navigation():
        page.get_by_label("Stance").select_option("disputes")
    assert page.url.endswith("?outlets=gate-gazette,harbour-wire&stance=disputes")
    assert column_names(page) == ["Harbour Wire"]
    with page.expect_navigation():
        page.get_by_role("checkbox", name="Quay Daily").check()
    assert page.url.endswith("?outlets=gate-gazette,harbour-wire,quay-daily&stance=disputes")
    assert column_names(page) == ["Harbour Wire"]
    assert page.problems.all() == []


def test_copy_link_puts_the_current_url_on_the_clipboard(page, claim, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(claim.get_absolute_url() + "?tags=quote")
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == page.url
    assert page.url.endswith("?tags=quote")
    assert page.problems.all() == []


def test_columns_stack_on_a_phone_and_timeline_switch(page, claim):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(claim.get_absolute_url())
    overflow = horizontal_overflow(page)
    assert overflow <= 0
    boxes = [box["x"] for box in (c.bounding_box() for c in page.locator(".column").all())]
    assert len(set(boxes)) == 1, "columns are stacked, one above the other"
    page.get_by_role("link", name="Timeline").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("?view=timeline")
    assert [t.split(":")[0] for t in page.locator(".excerpt-outlet").all_inner_texts()] == [
        "Quay Daily",
        "Harbour Wire",
        "Gate Gazette",
    ]
    assert page.problems.all() == []
