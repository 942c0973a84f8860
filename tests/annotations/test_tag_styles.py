"""/tags.css: each tag's colour, adjusted to stay visible in light and in dark mode."""

import re

import pytest
from django.urls import reverse

from annotations import palette
from annotations.models import Tag
from tests.factories import make_tag

pytestmark = pytest.mark.django_db


def tag_styles(client) -> str:
    response = client.get(reverse("annotations:tag-styles"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    return response.content.decode()


def light_and_dark(css: str) -> tuple[str, str]:
    dark_at = css.index("@media (prefers-color-scheme: dark) {")
    return css[:dark_at], css[dark_at:]


def colour_of(css: str, selector: str, prop: str) -> str:
    match = re.search(rf"{re.escape(selector)} {{ {prop}: (#[0-9a-f]{{6}}); }}", css)
    assert match, (selector, prop)
    return match.group(1)


def test_a_tag_too_light_for_the_page_gets_a_darker_colour_in_light_mode(client):
    yellow = make_tag(colour="#ffff00")
    light, dark = light_and_dark(tag_styles(client))
    shown = colour_of(light, f".tag-{yellow.pk}", "--tag-colour")
    assert shown != "#ffff00"
    for ground in palette.LIGHT.grounds:
        assert palette.contrast_ratio(shown, ground) >= 3
    # On the dark page yellow is bright enough as it is.
    assert colour_of(dark, f".tag-{yellow.pk}", "--tag-colour") == "#ffff00"


def test_a_tag_too_dark_for_the_dark_page_gets_a_lighter_colour_in_dark_mode(client):
    navy = make_tag(colour="#000080")
    light, dark = light_and_dark(tag_styles(client))
    assert colour_of(light, f".tag-{navy.pk}", "--tag-colour") == "#000080"
    shown = colour_of(dark, f".tag-{navy.pk}", "--tag-colour")
    for ground in palette.DARK.grounds:
        assert palette.contrast_ratio(shown, ground) >= 3


def test_every_tag_has_a_class_for_each_of_a_marks_three_lines(client):
    tag = make_tag(colour="#0b57a4")
    light, dark = light_and_dark(tag_styles(client))
    for css in (light, dark):
        colours = {
            colour_of(css, f".tag-{tag.pk}", "--tag-colour"),
            colour_of(css, f".tag2-{tag.pk}", "--tag-colour-2"),
            colour_of(css, f".tag3-{tag.pk}", "--tag-colour-3"),
        }
        assert len(colours) == 1


def test_defines_the_highlight_grounds_for_both_schemes(client):
    light, dark = light_and_dark(tag_styles(client))
    assert f"--hl-ground: {palette.LIGHT.highlight};" in light
    assert f"--hl-overlap: {palette.LIGHT.overlap};" in light
    assert f"--hl-ground: {palette.DARK.highlight};" in dark
    assert f"--hl-overlap: {palette.DARK.overlap};" in dark
    assert dark.rstrip().endswith("}")


def test_a_colour_stored_past_the_validator_never_reaches_the_style_sheet(client):
    # The form's validator is skipped by create(): the style sheet must not trust the column.
    bad = make_tag(colour="red}*{")
    css = tag_styles(client)
    assert "red" not in css
    assert "*{" not in css
    light, _ = light_and_dark(css)
    default = Tag._meta.get_field("colour").default
    assert colour_of(light, f".tag-{bad.pk}", "--tag-colour") == palette.tag_colours(default)[0]


def test_one_query_whatever_the_number_of_tags(client, django_assert_num_queries):
    make_tag(colour="#ffff00")
    with django_assert_num_queries(1):  # the tags' pk and colour
        tag_styles(client)
    for n in range(20):
        make_tag(colour=f"#{n:02x}{n:02x}ff")
    with django_assert_num_queries(1):  # the same query
        css = tag_styles(client)
    assert css.count("--tag-colour:") == 2 * Tag.objects.count()


def test_browsers_may_cache_it(client):
    response = client.get(reverse("annotations:tag-styles"))
    assert response["Cache-Control"] == "public, max-age=60"
