"""Every page a reader may share carries a description, Open Graph and Twitter card tags
that tell the truth about what it shows, and never a draft claim's statement."""

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from annotations.models import Claim
from tests.factories import (
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

DRAFT_STATEMENT = "The minister secretly approved the barrier budget cut"
PUBLISHED_STATEMENT = "The barrier failed two inspections before the storm"


class HeadTags(HTMLParser):
    """The <meta> and <link rel=canonical> tags of a page, keyed by name or property."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.canonical: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs["content"])
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])


def head_tags(response) -> HeadTags:
    assert response.status_code == 200
    parser = HeadTags()
    parser.feed(response.content.decode())
    return parser


def share_tags(response) -> dict[str, str]:
    """The share tags, each present exactly once, as a dict."""
    tags = head_tags(response)
    keys = [
        "description",
        "og:site_name",
        "og:type",
        "og:title",
        "og:description",
        "og:url",
        "og:image",
        "twitter:card",
        "twitter:title",
        "twitter:description",
    ]
    for key in keys:
        assert len(tags.meta.get(key, [])) == 1, f"{key}: {tags.meta.get(key)}"
    assert len(tags.canonical) == 1
    found = {key: tags.meta[key][0] for key in keys}
    found["canonical"] = tags.canonical[0]
    # The same text in each place a preview may read it from.
    assert found["og:description"] == found["twitter:description"] == found["description"]
    assert found["og:title"] == found["twitter:title"]
    assert found["og:url"] == found["canonical"]
    assert found["og:site_name"] == "Parallax"
    assert found["twitter:card"] == "summary"
    assert found["og:image"] == "http://testserver/static/img/icon-192.png"
    return found


@pytest.fixture
def world(db):
    """A story covered by two outlets, one published and one draft claim, annotated."""
    story = make_story(title="The barrier that failed", description="How the flood came.")
    times = make_outlet(name="The Daily Times", country="United Kingdom", language="en")
    post = make_outlet(name="Morning Post")
    first = make_article(
        outlet=times,
        story=story,
        title="Barrier failed twice",
        byline="Ann Reporter",
        published=datetime.date(2024, 3, 3),
    )
    second = make_article(outlet=post, story=story, title="Memo on the barrier")
    published = make_claim(story=story, statement=PUBLISHED_STATEMENT, status="published")
    draft = make_claim(story=story, statement=DRAFT_STATEMENT, status=Claim.Status.DRAFT)
    tag = make_tag(name="hinge fault", slug="hinge-fault", definition="Someone admits a fact.")
    on_published = make_annotation(first, "memo shows", claim=published)
    on_published.tags.add(tag)
    on_draft = make_annotation(second, "hinges were corroded", claim=draft)
    on_draft.tags.add(tag)
    return {
        "story": story,
        "times": times,
        "first": first,
        "second": second,
        "tag": tag,
        "on_published": on_published,
        "on_draft": on_draft,
    }


def test_story_page_says_how_many_articles_outlets_and_published_claims(client, world):
    story = world["story"]
    tags = share_tags(client.get(story.get_absolute_url()))
    assert tags["og:title"] == "The barrier that failed"
    assert tags["description"] == (
        "2 articles from 2 outlets, 1 claim compared. How the flood came."
    )
    assert tags["og:url"] == f"http://testserver{story.get_absolute_url()}"
    assert tags["og:type"] == "website"


def test_story_page_counts_only_published_claims_for_an_editor_too(editor_client, world):
    # A preview is what the link shows anyone: an editor's page carries the reader's numbers.
    tags = share_tags(editor_client.get(world["story"].get_absolute_url()))
    assert "1 claim compared" in tags["description"]


def test_article_page_names_its_outlet_date_byline_and_annotations(client, world):
    article = world["first"]
    tags = share_tags(client.get(article.get_absolute_url()))
    assert tags["og:title"] == "Barrier failed twice (The Daily Times)"
    assert tags["description"] == (
        "The Daily Times, 3 March 2024. By Ann Reporter. 1 annotation. "
        "Part of the story “The barrier that failed”."
    )
    assert tags["og:type"] == "article"
    assert tags["og:url"] == f"http://testserver{article.get_absolute_url()}"


def test_annotation_permalink_has_its_quote_tags_and_published_claim(client, world):
    annotation = world["on_published"]
    tags = share_tags(client.get(annotation.get_absolute_url()))
    assert tags["og:title"] == "Annotation on “Barrier failed twice” (The Daily Times)"
    assert tags["description"] == (f"“memo shows” Tagged hinge fault. Claim: {PUBLISHED_STATEMENT}")
    assert tags["og:url"] == f"http://testserver{annotation.get_absolute_url()}"


def test_annotation_permalink_never_shows_a_draft_claim_to_anyone(client, editor_client, world):
    annotation = world["on_draft"]
    for who in (client, editor_client):
        tags = share_tags(who.get(annotation.get_absolute_url()))
        assert tags["description"] == "“hinges were corroded” Tagged hinge fault."
        assert "Claim" not in tags["description"]


def test_tag_page_has_its_definition_and_use(client, world):
    tag = world["tag"]
    tags = share_tags(client.get(tag.get_absolute_url()))
    assert tags["og:title"] == "Tag “hinge fault”"
    assert tags["description"] == "Someone admits a fact. Used 2 times across 2 outlets."
    assert tags["og:url"] == "http://testserver/tags/hinge-fault/"


def test_tag_page_filtered_to_a_story_says_so(client, world):
    tag, story = world["tag"], world["story"]
    tags = share_tags(client.get(tag.get_absolute_url(), {"story": story.slug}))
    assert tags["og:title"] == "Tag “hinge fault” in “The barrier that failed”"
    assert tags["description"].endswith("Used 2 times across 2 outlets in this story.")
    assert tags["og:url"] == f"http://testserver/tags/hinge-fault/?story={story.slug}"


def test_tag_page_filtered_to_no_story_never_repeats_the_filter(client, world):
    tags = share_tags(client.get(world["tag"].get_absolute_url(), {"story": "Forged words"}))
    assert tags["description"] == "Someone admits a fact. Not used in the story asked for."
    assert "Forged" not in tags["og:title"]
    assert tags["og:url"] == "http://testserver/tags/hinge-fault/"


def test_outlet_page_says_where_it_publishes_and_how_much(client, world):
    outlet = world["times"]
    tags = share_tags(client.get(outlet.get_absolute_url()))
    assert tags["og:title"] == "The Daily Times"
    assert tags["description"] == (
        "The Daily Times (United Kingdom, English): 1 article in Parallax, "
        "with how it reported each claim."
    )
    assert tags["og:url"] == f"http://testserver{outlet.get_absolute_url()}"


@pytest.mark.parametrize("page", ["story", "first", "second", "on_draft", "tag", "times"])
def test_a_reader_never_sees_a_draft_statement_in_share_tags(client, world, page):
    tags = head_tags(client.get(world[page].get_absolute_url()))
    for values in tags.meta.values():
        for value in values:
            assert DRAFT_STATEMENT not in value


def test_hostile_text_is_escaped_in_share_tags(client, db):
    article = make_article(title='Evil "><script>alert(1)</script>')
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert share_tags(client.get(article.get_absolute_url()))["og:title"].startswith(
        'Evil "><script>'
    )


def test_long_texts_are_cut_at_a_word(client, db):
    article = make_article(title="word " * 60)
    tags = share_tags(client.get(article.get_absolute_url()))
    assert len(tags["og:title"]) <= 120
    assert tags["og:title"].endswith("word…")


def test_pages_without_share_have_no_share_tags(client, db):
    tags = head_tags(client.get(reverse("annotations:vocabulary")))
    assert "og:title" not in tags.meta
    assert tags.meta["color-scheme"] == ["light dark"]
