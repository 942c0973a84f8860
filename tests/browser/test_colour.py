"""Highlight colours as the browser draws them: every tag's line stands out from the page and
from the highlight's ground in light and dark mode, and each page's legend names its tags."""

import re

import pytest

from annotations import palette
from annotations.models import Claim
from tests.browser.helpers import check_page
from tests.factories import make_annotation, make_article, make_claim, make_story, make_tag

SCHEMES = ["light", "dark"]


@pytest.fixture
def story(transactional_db):
    """One article whose highlights carry awkward colours: yellow (too light for a white
    page), navy (too dark for a dark one), two tags on one span, and one without a tag."""
    story = make_story(title="Harbour gate")
    claim = make_claim(story=story, statement="The mayor knew", status=Claim.Status.PUBLISHED)
    yellow = make_tag(name="hedging", colour="#ffff00")
    navy = make_tag(name="blame", colour="#000080")
    grey = make_tag(name="echo", colour="#808080")
    make_tag(name="unused", colour="#ff00ff")
    article = make_article(story=story)
    both = make_annotation(article, "memo shows", claim=claim)
    both.tags.add(yellow, navy)
    make_annotation(article, "the chief engineer").tags.add(grey)
    make_annotation(article, "hinges")
    other = make_annotation(make_article(story=story), "memo shows", claim=claim)
    other.tags.add(navy)
    return story


def rgb(css_colour: str) -> str:
    """A computed colour, "rgb(12, 34, 56)", as "#0c2238"."""
    r, g, b = (int(n) for n in re.findall(r"\d+", css_colour)[:3])
    return palette.to_hex((r, g, b))


def line_colours(box_shadow: str) -> list[str]:
    """The colours of a computed box-shadow's layers, first layer first."""
    return [rgb(c) for c in re.findall(r"rgba?\([^)]*\)", box_shadow)]


def computed(page, selector: str, prop: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, f"(nodes) => nodes.map((n) => getComputedStyle(n).{prop})"
    )


def page_background(page) -> str:
    return rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def legend_names(page) -> list[str]:
    return sorted(page.locator(".tag-legend li a").all_inner_texts())


@pytest.mark.parametrize("scheme", SCHEMES)
def test_reader_highlight_lines_reach_3_to_1_in_each_scheme(page, story, scheme, axe_violations):
    page.emulate_media(color_scheme=scheme)
    article = story.articles.order_by("pk").first()
    page.goto(article.get_absolute_url())
    page.wait_for_load_state("networkidle")
    paper = page_background(page)
    assert paper == (palette.DARK.paper if scheme == "dark" else palette.LIGHT.paper)

    tagged = "mark.hl:not(.hl-untagged)"
    shadows = computed(page, tagged, "boxShadow")
    grounds = [rgb(c) for c in computed(page, tagged, "backgroundColor")]
    assert shadows
    for shadow, ground in zip(shadows, grounds, strict=True):
        lines = line_colours(shadow)
        assert lines, shadow
        for line in lines:
            assert palette.contrast_ratio(line, paper) >= 3, (scheme, line, paper)
            assert palette.contrast_ratio(line, ground) >= 3, (scheme, line, ground)

    # Two tags on one span: two lines, each in its own tag's colour.
    [double] = computed(page, "mark.hl[class*='tag2-']", "boxShadow")
    first, second = line_colours(double)
    assert first != second

    # The untagged highlight: no coloured line, a dashed one of its own.
    [untagged_style] = computed(page, "mark.hl-untagged", "borderBottomStyle")
    assert untagged_style == "dashed"
    [untagged_ground] = computed(page, "mark.hl-untagged", "backgroundColor")
    for shadow in shadows:
        for line in line_colours(shadow):
            assert palette.contrast_ratio(line, rgb(untagged_ground)) >= 3

    # The legend: exactly this page's tags, each swatch as visible as the lines.
    assert legend_names(page) == ["blame", "echo", "hedging"]
    for swatch in computed(page, ".tag-legend .tag-swatch", "backgroundColor"):
        assert palette.contrast_ratio(rgb(swatch), paper) >= 3
    check_page(page, axe_violations)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_claim_page_excerpts_and_legend_in_each_scheme(page, story, scheme, axe_violations):
    page.emulate_media(color_scheme=scheme)
    page.goto(story.claims.get().get_absolute_url())
    page.wait_for_load_state("networkidle")
    paper = page_background(page)
    assert legend_names(page) == ["blame", "hedging"]
    shadows = computed(page, ".excerpt mark.hl", "boxShadow")
    assert sorted(len(line_colours(s)) for s in shadows) == [1, 2]
    for shadow in shadows:
        for line in line_colours(shadow):
            assert palette.contrast_ratio(line, paper) >= 3, (scheme, line, paper)
    # Chips keep the page's ink on the page's ground, so their names read in any scheme.
    ink = computed(page, ".tag-chip a", "color")
    chip_grounds = computed(page, ".tag-chip", "backgroundColor")
    for text, ground in zip(ink, chip_grounds, strict=True):
        assert palette.contrast_ratio(rgb(text), rgb(ground)) >= 4.5
    check_page(page, axe_violations)
