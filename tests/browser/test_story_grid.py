"""The story grid on a phone: the claim column stays put while the outlets scroll past,
a cue says there is more to the right, and the stance symbols read in light and dark."""

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
)

STANCES = ["asserts", "reports", "disputes", "quotes", "other", ""]
PHONE = {"width": 390, "height": 844}


def wide_story(outlets=8):
    """A story with `outlets` outlets, each carrying the claim with another stance."""
    story = make_story(title="Barrier memo")
    claim = make_claim(
        story=story,
        statement="The mayor's office knew the north gate was faulty months before the surge.",
        status=Claim.Status.PUBLISHED,
    )
    make_claim(story=story, statement="An emptied draft.", status=Claim.Status.DRAFT)
    for n in range(outlets):
        outlet = make_outlet(name=f"The Evening Harbour Gazette {n}")
        article = make_article(outlet=outlet, story=story, text=f"{ARTICLE_TEXT}\n\n{n}.")
        if n < len(STANCES):
            make_annotation(article, "memo shows", claim=claim, stance=STANCES[n])
    return story


def contrast(page, selector_pairs):
    """The contrast ratio of each (foreground element, background element) pair's colours,
    as the browser computes them (transparent backgrounds resolved up the tree)."""
    return page.evaluate(
        """(pairs) => pairs.map(([fg, bg]) => {
          const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
          const background = (el) => {
            for (; el; el = el.parentElement) {
              const c = rgb(getComputedStyle(el).backgroundColor);
              if (c.length < 4 || c[3] > 0) return c;
            }
            return [255, 255, 255];
          };
          const lum = ([r, g, b]) => [r, g, b]
            .map((v) => v / 255)
            .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const a = lum(rgb(getComputedStyle(document.querySelector(fg)).color));
          const b = lum(background(document.querySelector(bg)));
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        })""",
        selector_pairs,
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_grid_pins_the_claim_column_and_cues_the_scroll(page, axe_violations, scheme):
    story = wide_story()
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(PHONE)
    page.goto(story.get_absolute_url())
    page.wait_for_load_state("networkidle")

    box = page.locator(".table-scroll")
    header = page.locator(".grid-table tbody th").first
    hint = page.locator("#grid-scroll-hint")
    assert hint.is_visible()
    assert hint.inner_text() == "Scroll sideways for more outlets →"
    assert page.locator(".grid-frame.more-to-the-right").count() == 1
    assert header.evaluate("th => getComputedStyle(th).position") == "sticky"
    # The symbols are hidden from screen readers: a cell reads "outlet: stance".
    link = page.get_by_role("link", name="The Evening Harbour Gazette 0: asserts", exact=True)
    assert link.count() == 1
    # Opaque: the cells scrolling under it never show through.
    assert header.evaluate("th => getComputedStyle(th).backgroundColor").startswith("rgb(")

    left_before = header.bounding_box()["x"]
    box.evaluate("box => box.scrollBy(300, 0)")
    page.wait_for_function("document.querySelector('.table-scroll').scrollLeft > 0")
    assert header.bounding_box()["x"] == pytest.approx(left_before, abs=1)
    # The first outlet's cell has gone under the pinned column.
    first_cell = page.locator(".grid-table tbody tr").first.locator("td").first
    assert first_cell.bounding_box()["x"] < left_before

    box.evaluate("box => box.scrollTo(box.scrollWidth, 0)")
    page.wait_for_selector(".grid-frame:not(.more-to-the-right)", state="attached")
    assert horizontal_overflow(page) <= 0
    check_page(page, axe_violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_stance_symbols_stand_out_from_their_cells(page, scheme):
    story = wide_story(outlets=6)
    page.emulate_media(color_scheme=scheme)
    page.goto(story.get_absolute_url())

    pairs = [
        (f"td .stance-{stance or 'none'} .stance-symbol", f"td:has(.stance-{stance or 'none'})")
        for stance in STANCES
    ]
    ratios = contrast(page, pairs)

    assert min(ratios) >= 3, dict(zip(STANCES, ratios, strict=True))
    # Each stance has its shape in the legend too.
    legend = page.locator(".legend-list").inner_text()
    for symbol in "▲●▼■◆○":
        assert symbol in legend


def test_grid_that_fits_shows_no_scroll_cue(page):
    story = wide_story(outlets=2)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(story.get_absolute_url())
    page.wait_for_load_state("networkidle")

    assert page.locator(".grid-table").is_visible()
    assert not page.locator("#grid-scroll-hint").is_visible()
    assert page.locator(".grid-frame.more-to-the-right").count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_editor_sees_the_unused_claim_flagged_on_a_phone(page, axe_violations, make_editor, scheme):
    make_editor("ed")
    story = wide_story()
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(PHONE)
    log_in(page, "ed")
    page.goto(story.get_absolute_url())

    assert page.locator(".story-claims .badge-unused").inner_text() == "No annotations left"
    check_page(page, axe_violations)

    page.goto("/claims/?unused=1")
    assert page.get_by_label("Only claims with no annotation").is_checked()
    assert page.locator(".claim-index li").count() == 1
    check_page(page, axe_violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_big_grid_shows_a_window_and_walks_to_the_rest(page, axe_violations, monkeypatch, scheme):
    """A grid wider and longer than its window: the parts' links lead on by keyboard, and
    the articles' pages too; every part is accessible."""
    from reading.views import browse

    monkeypatch.setattr(browse, "GRID_OUTLETS", 3)
    monkeypatch.setattr(browse, "ARTICLES_PER_PAGE", 3)
    story = wide_story()
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(PHONE)
    page.goto(story.get_absolute_url())

    assert page.locator(".grid-table thead th").count() == 1 + 3
    assert "Outlets 1–3 of 8" in page.locator(".grid-pages").inner_text()
    check_page(page, axe_violations)

    page.get_by_role("link", name="Outlets carrying fewer").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**outlets_page=2*")
    assert "Outlets 4–6 of 8" in page.locator(".grid-pages").inner_text()
    assert page.locator(".grid-table thead th").count() == 1 + 3
    check_page(page, axe_violations)

    page.get_by_role("link", name="Next page").click()
    page.wait_for_url("**&page=2")
    assert page.locator(".story-coverage .article-list li").count() == 3
    check_page(page, axe_violations)
