"""The reading pages' addresses are shared links: they never change. The reading package
owns their routes, and models reach them through reading.addresses, so no other app names
them."""

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import resolve, reverse

ROOT = Path(__file__).resolve().parent.parent

# Each public address as links in the wild have it, and the route that answers it.
PUBLIC = [
    ("/", "reading:home", []),
    ("/stories/harbour-gate/", "reading:story", ["harbour-gate"]),
    ("/outlets/harbour-wire/", "reading:outlet", ["harbour-wire"]),
    ("/tags/framing/", "reading:tag", ["framing"]),
    ("/tags/признание/", "reading:tag", ["признание"]),
    ("/search/", "reading:search", []),
    ("/claims/", "reading:claims", []),
    ("/claims/the-mayor-knew/", "reading:claim", ["the-mayor-knew"]),
    ("/claims/the-mayor-knew/export.csv", "reading:claim-csv", ["the-mayor-knew"]),
    ("/claims/the-mayor-knew/export-raw.csv", "reading:claim-raw-csv", ["the-mayor-knew"]),
    ("/claims/the-mayor-knew/export.json", "reading:claim-json", ["the-mayor-knew"]),
    ("/articles/7/", "reading:article", [7]),
    ("/articles/7/versions/", "reading:article-versions", [7]),
    ("/articles/7/versions/2/", "reading:article-version", [7, 2]),
    ("/annotations/9/", "reading:annotation", [9]),
    ("/speakers/jens-stoltenberg/", "reading:speaker", ["jens-stoltenberg"]),
    ("/feeds/claims/", "reading:claims-feed", []),
    ("/stories/harbour-gate/feed/", "reading:story-feed", ["harbour-gate"]),
    ("/tags/признание/feed/", "reading:tag-feed", ["признание"]),
    ("/claims/the-mayor-knew/feed/", "reading:claim-feed", ["the-mayor-knew"]),
    ("/sitemap.xml", "reading:sitemap", []),
    ("/sitemap-claims.xml", "reading:sitemap-section", ["claims"]),
    ("/robots.txt", "reading:robots", []),
    (
        "/articles/7/quotations/0123456789abcdef0123456789abcdef/",
        "reading:quotation",
        [7, "0123456789abcdef0123456789abcdef"],
    ),
]


@pytest.mark.parametrize(("path", "name", "args"), PUBLIC, ids=[p[0] for p in PUBLIC])
def test_public_addresses_do_not_change(path, name, args):
    assert resolve(path).view_name == name
    assert reverse(name, args=args) == quote(path)


def test_every_reading_route_is_in_the_table():
    from reading.urls import urlpatterns

    assert {f"reading:{p.name}" for p in urlpatterns} == {name for _, name, _ in PUBLIC}


def names_a_route(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return re.findall(r"""["'](?:reading|annotations):[\w-]+["']""", text)


def test_sources_never_names_another_apps_routes():
    files = [
        *ROOT.joinpath("sources").rglob("*.py"),
        *ROOT.joinpath("templates/sources").rglob("*"),
    ]
    named = {str(f.relative_to(ROOT)): names_a_route(f) for f in files if f.is_file()}
    assert {f: n for f, n in named.items() if n} == {}


def test_models_reach_their_pages_through_reading_addresses():
    for module in ("sources/models.py", "annotations/models.py"):
        text = ROOT.joinpath(module).read_text(encoding="utf-8")
        assert "reverse(" not in text, module
        assert "addresses." in text, module
