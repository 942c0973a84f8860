"""The sitemap (reading/sitemaps.py) and robots.txt (reading/views/discovery.py): every page
a reader can open and no draft, in sections paged by id that never count a table."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Claim, Tag
from reading.sitemaps import ById
from reading.views.discovery import ROBOTS_DISALLOW
from sources.models import Article, Outlet, Story
from tests.factories import make_article, make_claim, make_outlet, make_story, make_tag
from tests.url_world import build_world, url_patterns, variants

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HOST = "http://testserver"


def xml(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def index_locations(client) -> list[str]:
    root = xml(client, reverse("reading:sitemap"))
    return [entry.findtext(f"{SITEMAP}loc") for entry in root.findall(f"{SITEMAP}sitemap")]


def section(client, name: str, page: int | None = None) -> list[str]:
    url = reverse("reading:sitemap-section", args=[name]) + (f"?p={page}" if page else "")
    return [entry.findtext(f"{SITEMAP}loc") for entry in xml(client, url).findall(f"{SITEMAP}url")]


@pytest.fixture
def world():
    story = make_story(title="Harbour gate")
    article = make_article(story=story, outlet=make_outlet(name="Harbour Gazette"))
    published = make_claim(story=story, statement="The memo was internal")
    published.status = Claim.Status.PUBLISHED
    published.save()
    draft = make_claim(story=story, statement="A draft nobody may see")
    accepted = make_tag(name="spin", slug="spin")
    proposed = make_tag(name="maybe", slug="maybe", status=Tag.Status.PROPOSED)
    return {
        "story": story,
        "article": article,
        "published": published,
        "draft": draft,
        "accepted": accepted,
        "proposed": proposed,
    }


def test_the_index_lists_each_section_absolute(client, world):
    assert index_locations(client) == [
        f"{HOST}/sitemap-{name}.xml"
        for name in ("pages", "claims", "stories", "tags", "outlets", "articles")
    ]


def test_the_index_answers_on_the_requests_host(world):
    response = Client().get(reverse("reading:sitemap"), headers={"host": "localhost"})
    assert b"<loc>http://localhost/sitemap-claims.xml</loc>" in response.content


def test_sections_list_published_pages_and_no_draft(client, world):
    assert section(client, "pages") == [f"{HOST}/", f"{HOST}/claims/"]
    assert section(client, "claims") == [HOST + world["published"].get_absolute_url()]
    # The factories make a story and an outlet of their own for each row: all listed.
    assert section(client, "stories") == [
        HOST + story.get_absolute_url() for story in Story.objects.order_by("pk")
    ]
    assert section(client, "outlets") == [
        HOST + outlet.get_absolute_url() for outlet in Outlet.objects.order_by("pk")
    ]
    assert section(client, "articles") == [HOST + world["article"].get_absolute_url()]
    # The vocabulary's tags (the migrations' and ours), never a proposed one.
    tags = section(client, "tags")
    assert HOST + world["accepted"].get_absolute_url() in tags
    assert HOST + world["proposed"].get_absolute_url() not in tags
    assert len(tags) == Tag.objects.vocabulary().count()
    everything = b"".join(
        client.get(reverse("reading:sitemap-section", args=[name])).content
        for name in ("pages", "claims", "stories", "tags", "outlets", "articles")
    )
    assert world["draft"].slug.encode() not in everything


def test_a_page_gives_its_rows_lastmod(client, world):
    url = reverse("reading:sitemap-section", args=["claims"])
    root = xml(client, url)
    lastmod = root.find(f"{SITEMAP}url").findtext(f"{SITEMAP}lastmod")
    assert lastmod == world["published"].updated.date().isoformat()


def test_sections_are_paged_by_id(client, world, monkeypatch):
    monkeypatch.setattr(ById, "limit", 2)
    for _ in range(3):
        make_article(story=world["story"])
    ids = sorted(Article.objects.values_list("pk", flat=True))
    # From the lowest id, not from 1: no empty page before the first article.
    pages = -(-(ids[-1] - ids[0] + 1) // 2)
    articles = f"{HOST}/sitemap-articles.xml"
    assert [loc for loc in index_locations(client) if loc.startswith(articles)] == [
        articles,
        *(f"{articles}?p={n}" for n in range(2, pages + 1)),
    ]
    listed = [section(client, "articles", n) for n in range(1, pages + 1)]
    assert all(len(page) <= 2 for page in listed)
    # Every article once, in id order.
    assert [loc for page in listed for loc in page] == [f"{HOST}/articles/{pk}/" for pk in ids]


def test_a_section_whose_early_rows_are_gone_lists_no_empty_page(client, world, monkeypatch):
    monkeypatch.setattr(ById, "limit", 2)
    extra = [make_article(story=world["story"]) for _ in range(4)]
    Article.objects.exclude(pk__in=[article.pk for article in extra[-2:]]).delete()
    articles = f"{HOST}/sitemap-articles.xml"
    assert [loc for loc in index_locations(client) if loc.startswith(articles)] == [articles]
    assert section(client, "articles") == [f"{HOST}/articles/{a.pk}/" for a in extra[-2:]]


def test_pages_past_the_end_and_unknown_sections_are_not_found(client, world):
    url = reverse("reading:sitemap-section", args=["articles"])
    assert client.get(url + "?p=2").status_code == 404
    assert client.get(url + "?p=0").status_code == 404
    assert client.get(url + "?p=last").status_code == 404
    assert client.get(reverse("reading:sitemap-section", args=["drafts"])).status_code == 404


def test_the_sitemap_only_reads(client, world):
    assert client.post(reverse("reading:sitemap")).status_code == 405


def grow(size: int) -> None:
    story = make_story()
    for n in range(size):
        article = make_article(story=story, outlet=make_outlet())
        claim = make_claim(story=story, statement=f"Grown {size}-{n}")
        claim.status = Claim.Status.PUBLISHED
        claim.save()
        make_tag(name=f"grown {size}-{n}")
        assert article.pk


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The lowest and highest ids of each section but the fixed pages (claims,
        # stories, tags, outlets, articles), one query each.
        ("/sitemap.xml", 5),
        # The lowest and highest ids (is the page there?), then the page's rows.
        ("/sitemap-articles.xml", 2),
        ("/sitemap-claims.xml", 2),
    ],
)
def test_the_sitemap_runs_the_same_queries_whatever_its_size(client, world, url, expected):
    counts = []
    for size in (2, 12):
        grow(size)
        sql = queries_for(client, url)
        counts.append(len(sql))
        # Never a count of a table, never an OFFSET walking the pages before.
        assert not [q for q in sql if "COUNT(" in q.upper() or "OFFSET" in q.upper()]
    assert counts == [expected, expected]


def test_the_security_headers_stay_on_the_sitemap_and_robots(client, world):
    for url in (reverse("reading:sitemap"), reverse("reading:robots")):
        response = client.get(url)
        assert "default-src 'self'" in response["Content-Security-Policy"], url
        assert response["X-Content-Type-Options"] == "nosniff", url


@pytest.mark.page_cache
def test_the_sitemap_is_served_from_the_page_cache(world, django_assert_num_queries):
    url = reverse("reading:sitemap-section", args=["claims"])
    first = Client().get(url)
    # The generation; the page comes from the cache, with its type.
    with django_assert_num_queries(1):
        again = Client().get(url)
    assert again.content == first.content
    assert again["Content-Type"] == "application/xml"
    assert "Content-Security-Policy" in again


# ---- robots.txt ----


def disallowed(path: str) -> bool:
    """Whether a crawler reading our rules keeps off `path` (RFC 9309: the longest match
    wins, "*" stands for any characters; our one Allow is "/", shorter than any Disallow)."""
    for rule in ROBOTS_DISALLOW:
        pattern = "".join(".*" if char == "*" else re.escape(char) for char in rule)
        if re.match(pattern, path):
            return True
    return False


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_editing(client, db):
    response = client.get(reverse("reading:robots"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    assert f"Sitemap: {HOST}/sitemap.xml" in lines
    for path in ("/admin/", "/accounts/", "/import/", "/review/", "/search/?"):
        assert f"Disallow: {path}" in lines


def test_robots_txt_costs_no_query_and_no_template(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("reading:robots"))
    assert response.templates == []


def test_robots_txt_disallows_every_editing_route_and_no_reader_page(db):
    world = build_world()
    reader, editing = [], []
    for pattern in url_patterns():
        if pattern.key.startswith("reading:"):
            reader += [world.url(pattern, variant) for variant in variants(pattern)]
        elif pattern.key.startswith(("annotations:", "sources:", "admin:", "log")):
            editing.append(world.url(pattern))
    public = {reverse("annotations:vocabulary"), reverse("annotations:tag-styles")}
    assert [url for url in editing if url not in public and not disallowed(url)] == []
    # Reader pages are open, exports and search results aside.
    closed = [url for url in reader if disallowed(url)]
    assert closed and all(re.search(r"/export[-.\w]*$", url) for url in closed)
    assert disallowed("/search/?q=memo") and not disallowed("/search/")
    assert not disallowed("/tags/") and not disallowed("/tags/spin/")
