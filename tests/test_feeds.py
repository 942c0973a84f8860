"""Atom feeds (reading/feeds.py): newly published claims, all of them, a story's and a
tag's, and a published claim's excerpts. Public: no draft, the same for a reader and an
editor; bounded; a fixed number of queries; every text escaped."""

import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import Annotation, Claim, ClaimAlias
from reading.feeds import FEED_ENTRIES
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOST = "http://testserver"


def feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entries(root: ET.Element) -> list[dict]:
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def titles(client, url: str) -> list[str]:
    return [entry["title"] for entry in entries(feed(client, url))]


def publish(claim: Claim) -> Claim:
    claim.status = Claim.Status.PUBLISHED
    claim.save()
    return claim


@pytest.fixture
def world():
    """Two stories; the first with a published claim carried by two outlets (one
    annotation tagged "spin", one deleted), another published claim and a draft."""
    spin = make_tag(name="spin", slug="spin")
    story = make_story(title="Harbour gate")
    gazette = make_article(story=story, outlet=make_outlet(name="Harbour Gazette"))
    wire = make_article(story=story, outlet=make_outlet(name="Coast Wire"))
    memo = make_claim(story=story, statement="The memo was internal")
    tagged = make_annotation(gazette, "memo shows", claim=memo, note="Says “shows”.")
    tagged.tags.add(spin)
    make_annotation(wire, "flood barrier", claim=memo, stance=Annotation.Stance.DISPUTES)
    gone = make_annotation(wire, "chief engineer", claim=memo, note="deleted")
    gone.deleted = timezone.now()
    gone.save()
    hinges = make_claim(story=story, statement="The hinges were corroded")
    draft = make_claim(story=story, statement="A draft nobody may see")
    drafted = make_annotation(gazette, "hinges", claim=draft)
    drafted.tags.add(spin)
    other = make_claim(story=make_story(title="Other story"), statement="Elsewhere")
    for claim in (hinges, memo, other):  # published in this order: newest last
        publish(claim)
    return {"story": story, "memo": memo, "draft": draft, "spin": spin, "other": other}


def test_lists_published_claims_newest_first_without_drafts(client, world):
    root = feed(client, reverse("reading:claims-feed"))
    assert root.findtext(f"{ATOM}title") == "Parallax: newly published claims"
    assert [e["title"] for e in entries(root)] == [
        "Elsewhere",
        "The memo was internal",
        "The hinges were corroded",
    ]
    memo = entries(root)[1]
    assert memo["link"] == HOST + world["memo"].get_absolute_url()
    assert memo["id"] == memo["link"]
    assert memo["categories"] == ["Harbour gate"]
    assert "A draft" not in str(root.itertext())
    assert b"draft" not in client.get(reverse("reading:claims-feed")).content.lower()


def test_a_claim_published_by_its_editor_comes_first(client, editor_client, editor, world):
    world["draft"].created_by = editor
    world["draft"].save()
    url = reverse("annotations:claim-publish", args=[world["draft"].slug])
    assert editor_client.post(url, {"status": "published"}).status_code == 302
    assert titles(client, reverse("reading:claims-feed"))[0] == "A draft nobody may see"


def test_a_reader_and_an_editor_get_the_same_feed(client, editor_client, world):
    for url in (
        reverse("reading:claims-feed"),
        reverse("reading:story-feed", args=[world["story"].slug]),
        reverse("reading:tag-feed", args=["spin"]),
        reverse("reading:claim-feed", args=[world["memo"].slug]),
    ):
        anonymous = Client().get(url)
        editor = editor_client.get(url)
        assert (anonymous.status_code, editor.status_code) == (200, 200), url
        assert editor.content == anonymous.content, url
        assert b"A draft nobody may see" not in editor.content


def test_a_story_feed_has_that_storys_published_claims(client, world):
    url = reverse("reading:story-feed", args=[world["story"].slug])
    root = feed(client, url)
    assert root.findtext(f"{ATOM}title") == "Parallax: claims in “Harbour gate”"
    alternate = root.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == HOST + world["story"].get_absolute_url()
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == HOST + url
    assert [e["title"] for e in entries(root)] == [
        "The memo was internal",
        "The hinges were corroded",
    ]


def test_a_tag_feed_has_the_published_claims_a_live_annotation_tags(client, world):
    # The draft is tagged too; the other claims are not.
    assert titles(client, reverse("reading:tag-feed", args=["spin"])) == ["The memo was internal"]
    # A tag on a deleted annotation only does not count.
    unused = make_tag(name="unused", slug="unused")
    Annotation.objects.get(note="deleted").tags.add(unused)
    assert titles(client, reverse("reading:tag-feed", args=["unused"])) == []


def test_a_tag_feed_answers_for_a_slug_in_any_script(client, world):
    make_tag(name="признание", slug="признание")
    root = feed(client, reverse("reading:tag-feed", args=["признание"]))
    assert root.findtext(f"{ATOM}title") == "Parallax: claims tagged “признание”"


def test_a_claim_feed_has_its_excerpts_outlet_quote_and_note(client, world):
    memo = world["memo"]
    root = feed(client, reverse("reading:claim-feed", args=[memo.slug]))
    assert root.findtext(f"{ATOM}title") == "Parallax: “The memo was internal”, outlet by outlet"
    found = entries(root)
    # Newest first; the deleted one is left out.
    assert [e["title"] for e in found] == [
        "Coast Wire: “flood barrier”",
        "Harbour Gazette: “memo shows”",
    ]
    gazette = found[1]
    annotation = Annotation.objects.get(exact="memo shows")
    assert gazette["link"] == HOST + annotation.get_absolute_url()
    assert gazette["categories"] == ["spin"]
    assert "<blockquote><p>memo shows</p></blockquote>" in gazette["summary"]
    assert "<p>Says “shows”.</p>" in gazette["summary"]
    assert HOST + annotation.article.get_absolute_url() in gazette["summary"]
    assert "Stance: Disputes." in found[0]["summary"]
    assert "deleted" not in ET.tostring(root, encoding="unicode")


def test_a_drafts_feed_is_not_found_for_editors_either(client, editor_client, world):
    url = reverse("reading:claim-feed", args=[world["draft"].slug])
    assert client.get(url).status_code == 404
    assert editor_client.get(url).status_code == 404


def test_an_old_slug_of_a_published_claim_redirects_to_its_feed(client, world):
    ClaimAlias.objects.create(claim=world["memo"], slug="memo-before")
    ClaimAlias.objects.create(claim=world["draft"], slug="draft-before")
    response = client.get(reverse("reading:claim-feed", args=["memo-before"]))
    assert response.status_code == 301
    assert response["Location"] == reverse("reading:claim-feed", args=[world["memo"].slug])
    # A draft's old slug tells nothing.
    assert client.get(reverse("reading:claim-feed", args=["draft-before"])).status_code == 404


def test_unknown_story_tag_and_claim_are_not_found(client, db):
    for name in ("reading:story-feed", "reading:tag-feed", "reading:claim-feed"):
        assert client.get(reverse(name, args=["nothing-here"])).status_code == 404


def test_feeds_only_read(client, world):
    response = client.post(reverse("reading:claims-feed"))
    assert response.status_code == 405


def test_texts_are_escaped_and_control_characters_dropped(client):
    story = make_story(title="Fish & <b>chips</b>")
    hostile = "<script>alert(1)</script> & \x0bmore"
    claim = publish(make_claim(story=story, statement=hostile))
    article = make_article(
        story=story,
        outlet=make_outlet(name="<i>Outlet</i>"),
        text=f"{ARTICLE_TEXT}\n\nHe said <img src=x onerror=alert(1)> twice.",
    )
    make_annotation(
        article, "<img src=x onerror=alert(1)>", claim=claim, note="<script>x()</script>\x0c"
    )
    response = client.get(reverse("reading:claims-feed"))
    assert b"<script>" not in response.content
    [entry] = entries(ET.fromstring(response.content))
    # A plain-text title, the statement itself; the summary is HTML, its texts escaped.
    assert entry["title"] == "<script>alert(1)</script> & more"
    assert "Fish &amp; &lt;b&gt;chips&lt;/b&gt;" in entry["summary"]

    response = client.get(reverse("reading:claim-feed", args=[claim.slug]))
    assert b"<script>" not in response.content and b"<img" not in response.content
    [entry] = entries(ET.fromstring(response.content))
    assert entry["title"] == "<i>Outlet</i>: “<img src=x onerror=alert(1)>”"
    assert "&lt;img src=x onerror=alert(1)&gt;" in entry["summary"]
    assert "<p>&lt;script&gt;x()&lt;/script&gt;</p>" in entry["summary"]
    assert "<script" not in entry["summary"] and "<img" not in entry["summary"]


def test_a_feed_holds_the_latest_entries_only(client, world):
    story = world["story"]
    for n in range(FEED_ENTRIES + 3):
        publish(make_claim(story=story, statement=f"Claim {n:03}"))
    found = titles(client, reverse("reading:claims-feed"))
    assert len(found) == FEED_ENTRIES
    assert found[0] == f"Claim {FEED_ENTRIES + 2:03}"


def grow(world, size: int) -> None:
    """`size` more published claims in the first story, each with an annotation tagged
    "spin" on an article of an outlet of its own, also under the claim "memo"."""
    story = world["story"]
    for n in range(size):
        claim = publish(make_claim(story=story, statement=f"Grown claim {size}-{n}"))
        article = make_article(story=story, outlet=make_outlet())
        for target in (claim, world["memo"]):
            annotation = make_annotation(article, "memo shows", claim=target, note="grown")
            annotation.tags.add(world["spin"], make_tag())


FEEDS = {
    # 1. the claims with their stories
    "reading:claims-feed": (None, 1),
    # 1. the story, 2. its claims
    "reading:story-feed": ("story", 2),
    # 1. the tag, 2. the claims with its live uses
    "reading:tag-feed": ("spin", 2),
    # 1. the claim and its story, 2. its excerpts with their articles and outlets,
    # 3. their tags
    "reading:claim-feed": ("memo", 3),
}


@pytest.mark.parametrize("name", list(FEEDS))
def test_a_feed_runs_the_same_queries_whatever_its_size(
    name, client, world, django_assert_num_queries
):
    key, expected = FEEDS[name]
    url = reverse(name, args=[world[key].slug] if key else [])
    sizes = []
    for size in (2, 12):
        grow(world, size)
        with django_assert_num_queries(expected):
            sizes.append(len(entries(feed(client, url))))
    assert sizes[0] < sizes[1]


def test_the_security_headers_stay_on_a_feed(client, world):
    response = client.get(reverse("reading:claims-feed"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.page_cache
def test_a_feed_is_served_from_the_page_cache(world, django_assert_num_queries):
    url = reverse("reading:claim-feed", args=[world["memo"].slug])
    first = Client().get(url)
    # The generation; the feed comes from the cache, with its type.
    with django_assert_num_queries(1):
        again = Client().get(url)
    assert again.content == first.content
    assert again["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "Content-Security-Policy" in again


def alternate_links(html: str) -> list[str]:
    head = html.split("</head>", 1)[0]
    return [
        line
        for line in head.split("<link")
        if 'rel="alternate" type="application/atom+xml"' in line
    ]


def test_pages_advertise_their_feed_in_the_head(client, world):
    pages = {
        reverse("reading:home"): reverse("reading:claims-feed"),
        world["story"].get_absolute_url(): reverse("reading:story-feed", args=["harbour-gate"]),
        world["spin"].get_absolute_url(): reverse("reading:tag-feed", args=["spin"]),
        world["memo"].get_absolute_url(): reverse("reading:claim-feed", args=[world["memo"].slug]),
    }
    for page, feed_url in pages.items():
        links = alternate_links(client.get(page).content.decode())
        assert len(links) == 1, page
        assert f'href="{feed_url}"' in links[0], page


def test_a_draft_page_advertises_no_feed(editor_client, world):
    response = editor_client.get(world["draft"].get_absolute_url())
    assert response.status_code == 200
    assert alternate_links(response.content.decode()) == []
