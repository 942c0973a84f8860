"""The addresses of the reading pages, for models and code outside this package: a model's
get_absolute_url() asks here, so no app but this one names these routes.

A page lists hundreds of articles, annotations and tags, each with its address; reverse()
walks the URL patterns every time (15% of the claim page's time). So each route is reversed
once per URL prefix, with a placeholder, and its addresses are made by putting the id or
slug in its place: the same string reverse() would give.
"""

import re
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

# Stands for the id or slug in a reversed route: matches both the int and slug converters,
# and cannot occur in a route's fixed text.
PLACEHOLDER = "9073310001"
# Slugs that reverse() leaves as they are: ASCII, which its percent-encoding never touches.
# Any other (a tag in Cyrillic) goes through reverse() itself.
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=64)
def _route(name: str, prefix: str, urlconf) -> tuple[str, str]:
    """The text before and after the argument in the route's address, under `prefix`."""
    before, _, after = reverse(name, urlconf=urlconf, args=[PLACEHOLDER]).rpartition(PLACEHOLDER)
    return before, after


def _by_id(name: str, value: int) -> str:
    before, after = _route(name, get_script_prefix(), get_urlconf())
    return f"{before}{int(value)}{after}"


def _by_slug(name: str, slug: str) -> str:
    if not PLAIN_SLUG.fullmatch(slug or ""):
        return reverse(name, args=[slug])
    before, after = _route(name, get_script_prefix(), get_urlconf())
    return f"{before}{slug}{after}"


def story(slug: str) -> str:
    return _by_slug("reading:story", slug)


def outlet(slug: str) -> str:
    return _by_slug("reading:outlet", slug)


def tag(slug: str) -> str:
    return _by_slug("reading:tag", slug)


def claim(slug: str) -> str:
    return _by_slug("reading:claim", slug)


def article(article_id: int) -> str:
    return _by_id("reading:article", article_id)


def article_version(article_id: int, number: int) -> str:
    return reverse("reading:article-version", args=[article_id, number])


def annotation(annotation_id: int) -> str:
    return _by_id("reading:annotation", annotation_id)


def quotation(article_id: int, key: str) -> str:
    return reverse("reading:quotation", args=[article_id, key])


def speaker(slug: str) -> str:
    return _by_slug("reading:speaker", slug)
