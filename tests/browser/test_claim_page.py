"""The claim page in a browser: a draft's notice and "Publish and copy link", outlets side
by side or a row each, the first phone screen of a shared link, dark mode and print."""

import datetime

import pytest

from annotations.models import Claim
from tests.browser.conftest import PageProblems
from tests.browser.helpers import check_page, horizontal_overflow, log_in
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story

STATEMENT = "NATO leadership expected Kyiv to fall within days of the invasion"
DRAFT_NOTICE = (
    "Draft: only editors see this page. Readers who open this link get ‘page not found’ "
    "until it is published."
)


@pytest.fixture
def clipboard_page(browser, live_server, transactional_db):
    """A page whose context may read and write the clipboard, recording its problems."""
    context = browser.new_context(
        base_url=live_server.url, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.problems = PageProblems()
    page.problems.listen(page)
    yield page
    context.close()


def make_comparison(outlets: int, *, status=Claim.Status.PUBLISHED, created_by=None) -> Claim:
    """A claim carried by `outlets` outlets, one excerpt each (two for the first), tagged."""
    story = make_story(title="The first days of the war")
    claim = make_claim(story=story, statement=STATEMENT, status=status, created_by=created_by)
    for n in range(outlets):
        article = make_article(
            outlet=make_outlet(name=f"Outlet {n + 1:02}", language="en"),
            story=story,
            title=f"What the alliance expected, part {n + 1}",
            published=datetime.date(2024, 3, 1) + datetime.timedelta(days=n),
        )
        annotation = make_annotation(article, "the hinges were corroded", claim=claim)
        annotation.tags.add("quote" if n % 2 else "framing")
        if n == 0:
            make_annotation(article, "failed two inspections", claim=claim, stance="reports")
    return claim


def test_the_author_publishes_a_draft_and_copies_its_link(
    clipboard_page, make_editor, axe_violations
):
    page = clipboard_page
    claim = make_comparison(3, status=Claim.Status.DRAFT, created_by=make_editor("alice"))
    log_in(page, "alice")
    page.goto(claim.get_absolute_url() + "?tags=quote")
    notice = page.locator(".draft-notice")
    assert notice.inner_text() == DRAFT_NOTICE
    assert not page.get_by_role("button", name="Copy link", exact=True).is_visible()
    check_page(page, axe_violations)

    page.get_by_role("button", name="Publish and copy link").click()
    page.get_by_text("Published. Link copied.").wait_for()

    assert page.evaluate("navigator.clipboard.readText()") == page.url
    assert page.url.endswith("?tags=quote")
    assert notice.count() == 0
    assert page.locator(".badge", has_text="draft").count() == 0
    copy = page.get_by_role("button", name="Copy link", exact=True)
    assert copy.is_visible()
    assert copy.evaluate("button => button === document.activeElement")
    assert page.get_by_role("button", name="Unpublish").is_visible()
    claim.refresh_from_db()
    assert claim.is_published
    # What the link leads to now: the page, for a reader too.
    assert page.request.get(page.url).status == 200
    assert page.problems.all() == []


def test_without_javascript_publish_and_copy_link_publishes(browser, live_server, make_editor):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    claim = make_comparison(2, status=Claim.Status.DRAFT, created_by=make_editor("alice"))
    log_in(page, "alice")
    page.goto(claim.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Publish and copy link").click()
    assert page.get_by_text("Claim published.").is_visible()
    assert page.locator(".draft-notice").count() == 0
    claim.refresh_from_db()
    assert claim.is_published
    context.close()


def test_another_editor_is_told_who_can_publish(page, make_editor, axe_violations):
    claim = make_comparison(2, status=Claim.Status.DRAFT, created_by=make_editor("alice"))
    make_editor("bob")
    log_in(page, "bob")
    page.goto(claim.get_absolute_url())
    notice = page.locator(".draft-notice")
    assert DRAFT_NOTICE in notice.inner_text()
    assert "Only its author, alice, or a moderator can publish it." in notice.inner_text()
    assert page.get_by_role("button", name="Publish and copy link").count() == 0
    assert page.get_by_role("button", name="Copy link", exact=True).is_visible()
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="dark")
    check_page(page, axe_violations)


def test_five_outlets_stand_in_one_row_at_1280(page, axe_violations):
    page.set_viewport_size({"width": 1280, "height": 800})
    claim = make_comparison(5)
    page.goto(claim.get_absolute_url())
    columns = page.locator(".column")
    assert columns.count() == 5
    tops = {round(column.bounding_box()["y"]) for column in columns.all()}
    assert len(tops) == 1, f"all five columns start on one line: {tops}"
    lefts = [column.bounding_box()["x"] for column in columns.all()]
    assert lefts == sorted(lefts)
    # The row scrolls inside its own region; the page itself does not.
    assert horizontal_overflow(page) <= 0
    region = page.get_by_role("region", name="Outlets side by side, scrolling sideways")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert region.evaluate("el => getComputedStyle(el).scrollSnapType") == "x mandatory"
    # Keyboard users scroll it too.
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.columns').scrollLeft > 0", timeout=3000)
    check_page(page, axe_violations)


def test_thirteen_outlets_get_a_row_each_with_the_rest_on_demand(page, axe_violations):
    page.set_viewport_size({"width": 1280, "height": 800})
    claim = make_comparison(13)
    page.goto(claim.get_absolute_url())
    assert page.locator(".columns.compact").count() == 1
    rows = page.locator(".column").all()
    assert len(rows) == 13
    first = rows[0]
    head, excerpt = first.locator(".column-head").bounding_box(), first.locator(".excerpt").first
    # The outlet's name beside its first excerpt, rows one under another.
    assert head["x"] < excerpt.bounding_box()["x"]
    assert (
        rows[1].bounding_box()["y"] > first.bounding_box()["y"] + first.bounding_box()["height"] - 1
    )
    more = first.locator(".more-excerpts .excerpt")
    assert not more.is_visible()
    first.get_by_text("1 more excerpt from Outlet 01").click()
    assert more.is_visible()
    assert horizontal_overflow(page) <= 0
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="dark")
    check_page(page, axe_violations)


def test_the_first_phone_screen_shows_the_claim_and_the_first_excerpt(page, axe_violations):
    page.set_viewport_size({"width": 390, "height": 844})
    claim = make_comparison(3)
    page.goto(claim.get_absolute_url() + "?outlets=outlet-01,outlet-02")
    page.wait_for_load_state("networkidle")
    statement = page.get_by_role("heading", name=STATEMENT, level=1)
    assert statement.bounding_box()["y"] >= 0
    first_excerpt = page.locator(".excerpt").first
    box = first_excerpt.bounding_box()
    assert box["y"] + box["height"] <= 844, box
    # The filters wait, folded, behind a control that counts them.
    toggle = page.get_by_text("Filters (2)")
    assert toggle.is_visible()
    assert not page.get_by_label("Stance").is_visible()
    toggle.click()
    assert page.get_by_label("Stance").is_visible()
    check_page(page, axe_violations)


def test_filters_are_open_on_a_wide_screen(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(make_comparison(2).get_absolute_url())
    assert page.get_by_label("Stance").is_visible()


def test_dark_mode_and_print(page, axe_violations):
    claim = make_comparison(3)
    page.emulate_media(color_scheme="dark")
    page.goto(claim.get_absolute_url() + "?tags=framing")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(19, 20, 23)", background
    check_page(page, axe_violations)
    # The excerpts are shown against the dark page, in its colours.
    column = page.locator(".column").first
    assert column.evaluate("el => getComputedStyle(el).borderTopColor") == "rgb(59, 63, 70)"

    page.emulate_media(media="print", color_scheme="light")
    source = page.locator(".print-source")
    assert source.is_visible()
    text = source.inner_text()
    assert f"Printed from {page.url} on " in text
    assert "Filters in force: tags: framing." in text
    assert not page.locator(".claim-toolbar").is_visible()
    assert not page.locator(".filters-fold").is_visible()
    mark = page.locator("mark.hl").first
    assert mark.evaluate("el => getComputedStyle(el).printColorAdjust") == "exact"

    page.emulate_media(media="screen")
    assert not source.is_visible()


def test_copy_citation(clipboard_page, axe_violations):
    page = clipboard_page
    page.goto(make_comparison(2).get_absolute_url() + "?outlets=outlet-02")
    page.get_by_text("Cite this comparison").click()
    page.get_by_role("button", name="Copy citation").click()
    page.get_by_text("Citation copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"“{STATEMENT}”. Parallax: how 2 outlets worded this claim.")
    assert "Filters: outlets: Outlet 02." in copied
    assert page.url in copied
    check_page(page, axe_violations)


def test_a_long_claim_still_leaves_the_first_quote_on_the_first_phone_screen(page):
    """A statement and a headline as long as real ones (the demo's are 109 and 84
    characters): the quoted words of the first outlet still show without scrolling."""
    page.set_viewport_size({"width": 390, "height": 844})
    story = make_story(title="The flood barrier memo")
    statement = (
        "The mayor's office knew the north gate was faulty months before the March surge "
        "and kept it from the public."
    )
    claim = make_claim(story=story, statement=statement, status=Claim.Status.PUBLISHED)
    for n, tag in enumerate(["admission", "quote", "framing", "omission", "context"]):
        article = make_article(
            outlet=make_outlet(name=f"Outlet {n + 1:02}"),
            story=story,
            title="Mayor knew flood barrier gate was faulty months before surge, leaked memo shows",
            published=datetime.date(2025, 5, 14) + datetime.timedelta(days=n),
        )
        make_annotation(article, "the hinges were corroded", claim=claim).tags.add(tag)
    page.goto(claim.get_absolute_url())
    page.wait_for_load_state("networkidle")

    quote = page.locator(".excerpt-text").first.bounding_box()
    assert quote["y"] + quote["height"] <= 844, quote
    assert horizontal_overflow(page) <= 0
