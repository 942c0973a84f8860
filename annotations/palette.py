"""Highlight colours that stay visible: WCAG contrast maths, and tag colours adjusted to meet it.

Plain functions on "#rrggbb" strings; nothing here knows about Django. A highlight is drawn
as a neutral ground (the same for every annotation, the "untagged highlight") with one 3px
line per tag in the tag's colour. That line is what tells tags apart, so each tag's colour
must reach 3:1 (WCAG 1.4.11, non-text contrast) against everything it can sit on or beside:
the page, the highlight's ground, and the darker ground of overlapping highlights, in light
and in dark mode. Text keeps its own contrast because the grounds are near the page's colour.
"""

import colorsys
import re
from dataclasses import dataclass
from functools import lru_cache

HEX_COLOUR = re.compile(r"^#([0-9a-fA-F]{6})$")

# What a tag's line needs against its grounds (WCAG 1.4.11), and text against its ground.
NON_TEXT_CONTRAST = 3.0
TEXT_CONTRAST = 4.5


@dataclass(frozen=True)
class Scheme:
    """The colours a highlight is drawn on, in one colour scheme.

    `paper` must equal --paper in static/css/parallax.css (a test holds them together);
    the highlight grounds are defined here only and reach the page through /tags.css.
    """

    paper: str
    ink: str
    highlight: str
    overlap: str

    @property
    def grounds(self) -> tuple[str, str, str]:
        return (self.paper, self.highlight, self.overlap)


LIGHT = Scheme(paper="#ffffff", ink="#1d1d1f", highlight="#e9ecf0", overlap="#d3d8df")
DARK = Scheme(paper="#131417", ink="#e8e9ec", highlight="#2a2e35", overlap="#3a3f48")


def parse_hex(colour: str) -> tuple[int, int, int]:
    """The colour "#1a2b3c" as (26, 43, 60). Raises ValueError for anything but #rrggbb."""
    match = HEX_COLOUR.match(colour.strip())
    if not match:
        raise ValueError(f"Not a #rrggbb colour: {colour!r}")
    digits = match.group(1)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: int) -> float:
    # sRGB to linear light, as WCAG 2 defines it.
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance: 0 for black, 1 for white."""
    r, g, b = (_linear(c) for c in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, from 1 (same luminance) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _with_lightness(colour: str, lightness: float) -> str:
    r, g, b = (c / 255 for c in parse_hex(colour))
    hue, _, saturation = colorsys.rgb_to_hls(r, g, b)
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return to_hex((round(red * 255), round(green * 255), round(blue * 255)))


def lowest_contrast(colour: str, grounds) -> float:
    return min(contrast_ratio(colour, ground) for ground in grounds)


def meeting_contrast(colour: str, grounds, ratio: float = NON_TEXT_CONTRAST) -> str:
    """`colour` with its lightness moved just enough (hue and saturation kept) to reach
    `ratio` against every one of `grounds`; unchanged if it already does.

    Luminance grows with HSL lightness at a fixed hue and saturation, so the nearest
    lightness that works, darker or lighter, is found by stepping out from the colour's
    own. When none does (grounds on both sides of the range), the best one is returned.
    """
    if lowest_contrast(colour, grounds) >= ratio:
        return colour.lower()
    r, g, b = (c / 255 for c in parse_hex(colour))
    _, start, _ = colorsys.rgb_to_hls(r, g, b)
    steps = 200
    candidates = sorted(
        (i / steps for i in range(steps + 1)), key=lambda lightness: abs(lightness - start)
    )
    best, best_ratio = colour.lower(), lowest_contrast(colour, grounds)
    for lightness in candidates:
        candidate = _with_lightness(colour, lightness)
        candidate_ratio = lowest_contrast(candidate, grounds)
        if candidate_ratio >= ratio:
            return candidate
        if candidate_ratio > best_ratio:
            best, best_ratio = candidate, candidate_ratio
    return best


# Tags share a few colours, and finding one's adjustment tries up to 200 lightnesses:
# remembered, /tags.css costs one query and a dictionary look-up per tag.
@lru_cache(maxsize=4096)
def tag_colours(colour: str) -> tuple[str, str]:
    """A tag's line colour in light mode and in dark mode."""
    return meeting_contrast(colour, LIGHT.grounds), meeting_contrast(colour, DARK.grounds)
