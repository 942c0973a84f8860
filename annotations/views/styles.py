"""/tags.css: every tag's colour as a style sheet (the CSP allows no inline style)."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from annotations import palette
from annotations.models import Tag

# A colour that is not #rrggbb (written past the form's validator) falls back to the
# default rather than reaching the style sheet as it is.
FALLBACK_COLOUR = Tag._meta.get_field("colour").default


def _rules(scheme: palette.Scheme, colours: list[tuple[int, str]]) -> list[str]:
    # A mark shows up to three tags: its classes tag-N, tag2-N and tag3-N name the tag
    # drawn in the first, second and third line.
    rules = [f":root {{ --hl-ground: {scheme.highlight}; --hl-overlap: {scheme.overlap}; }}"]
    for pk, colour in colours:
        rules.append(
            f".tag-{pk} {{ --tag-colour: {colour}; }} "
            f".tag2-{pk} {{ --tag-colour-2: {colour}; }} "
            f".tag3-{pk} {{ --tag-colour-3: {colour}; }}"
        )
    return rules


def _tag_colours(colour: str) -> tuple[str, str]:
    try:
        return palette.tag_colours(colour)
    except ValueError:
        return palette.tag_colours(FALLBACK_COLOUR)


@require_safe
def tag_styles(request):
    """Each tag's colour, moved (lightness only) to reach 3:1 against the page and the
    highlight grounds: one set for light mode, one for dark mode."""
    light, dark = [], []
    for pk, colour in Tag.objects.order_by("pk").values_list("pk", "colour"):
        light_colour, dark_colour = _tag_colours(colour)
        light.append((pk, light_colour))
        dark.append((pk, dark_colour))
    css = "\n".join(
        [
            "/* Tag colours from annotations.palette: each reaches 3:1 against the page and",
            "   the highlight grounds in its colour scheme. */",
            *_rules(palette.LIGHT, light),
            "@media (prefers-color-scheme: dark) {",
            *_rules(palette.DARK, dark),
            "}",
        ]
    )
    response = HttpResponse(css + "\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response
