"""The colour maths behind highlight colours: no database."""

import colorsys
import re
from pathlib import Path

import pytest

from annotations import palette

PARALLAX_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "parallax.css"

# Colours a user may well pick, chosen to be awkward: too light for a white page, too dark
# for a dark one, grey, neon, and mid blues that sit near the limit on both.
AWKWARD = [
    "#ffff00",
    "#ffffff",
    "#000000",
    "#808080",
    "#00ff00",
    "#3b82f6",
    "#4169e1",
    "#1e90ff",
    "#0b57a4",
    "#e6e6e6",
    "#8a8a8a",
    "#ff7f0e",
    "#FF00FF",
]


def hue_and_saturation(colour):
    r, g, b = (c / 255 for c in palette.parse_hex(colour))
    hue, _, saturation = colorsys.rgb_to_hls(r, g, b)
    return hue, saturation


def test_white_on_black_is_21_to_1():
    assert palette.contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert palette.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)


def test_a_colour_against_itself_is_1_to_1():
    assert palette.contrast_ratio("#0b57a4", "#0b57a4") == pytest.approx(1)


def test_known_wcag_values():
    # Values published by WebAIM's contrast checker.
    assert palette.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert palette.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert palette.relative_luminance("#ffffff") == pytest.approx(1)
    assert palette.relative_luminance("#000000") == pytest.approx(0)
    assert palette.relative_luminance("#ff0000") == pytest.approx(0.2126)


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", "#1234567", "", "#ffffff; }"])
def test_rejects_anything_but_rrggbb(colour):
    with pytest.raises(ValueError):
        palette.parse_hex(colour)


def test_hex_round_trips():
    assert palette.to_hex(palette.parse_hex("#0B57A4")) == "#0b57a4"


def test_a_colour_that_already_meets_the_ratio_is_kept():
    assert palette.meeting_contrast("#0b57a4", ["#ffffff"]) == "#0b57a4"


@pytest.mark.parametrize("colour", AWKWARD)
def test_adjusted_tag_colours_reach_3_to_1_on_every_ground(colour):
    light, dark = palette.tag_colours(colour)
    for ground in palette.LIGHT.grounds:
        assert palette.contrast_ratio(light, ground) >= 3, (colour, light, ground)
    for ground in palette.DARK.grounds:
        assert palette.contrast_ratio(dark, ground) >= 3, (colour, dark, ground)


@pytest.mark.parametrize("colour", ["#ffff00", "#00ff00", "#3b82f6", "#ff7f0e", "#e6194b"])
def test_adjusting_keeps_the_hue(colour):
    light, dark = palette.tag_colours(colour)
    hue, _ = hue_and_saturation(colour)
    for adjusted in (light, dark):
        assert hue_and_saturation(adjusted)[0] == pytest.approx(hue, abs=0.02), adjusted


def test_adjusting_moves_only_as_far_as_needed():
    # Yellow must darken a long way on white, but not to black: just past 3:1.
    light, _ = palette.tag_colours("#ffff00")
    assert 3 <= palette.lowest_contrast(light, palette.LIGHT.grounds) < 3.3


def test_highlight_grounds_keep_text_readable():
    for scheme in (palette.LIGHT, palette.DARK):
        for ground in scheme.grounds:
            assert palette.contrast_ratio(scheme.ink, ground) >= palette.TEXT_CONTRAST, ground


def custom_property(css: str, name: str) -> str:
    return re.search(rf"{name}:\s*(#[0-9a-fA-F]{{6}})", css).group(1).lower()


def test_the_page_colours_match_the_site_style_sheet():
    # The grounds tag colours are measured against must be the ones the page is drawn on.
    css = PARALLAX_CSS.read_text()
    dark_at = css.index("@media (prefers-color-scheme: dark)")
    light, dark = css[:dark_at], css[dark_at:]
    assert custom_property(light, "--paper") == palette.LIGHT.paper
    assert custom_property(light, "--ink") == palette.LIGHT.ink
    assert custom_property(dark, "--paper") == palette.DARK.paper
    assert custom_property(dark, "--ink") == palette.DARK.ink
