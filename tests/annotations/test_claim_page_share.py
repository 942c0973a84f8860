"""The claim page as a shared link: its link preview, its citation, what it prints, and
its layout as the number of outlets and their languages vary."""

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from annotations.models import Claim
from tests.factories import (
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

pytestmark = pytest.mark.django_db


class ShareTags(HTMLParser):
    """Each <meta> tag's content by its name or property, and the canonical link."""

    def __init__(self):
        super().__init__()
        self.tags: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            key = attrs.get("property") or attrs.get("name")
            self.tags.setdefault(key, []).append(attrs["content"])
        if tag == "link" and attrs.get("rel") == "canonical":
            self.tags.setdefault("canonical", []).append(attrs["href"])


def share_tags(html: str) -> dict[str, str]:
    """The preview tags, each of which must appear exactly once."""
    parser = ShareTags()
    parser.feed(html)
    keys = [
        "description",
        "og:title",
        "og:description",
        "og:url",
        "og:type",
        "twitter:card",
        "twitter:title",
        "twitter:description",
        "canonical",
    ]
    for key in keys:
        assert len(parser.tags.get(key, [])) == 1, (key, parser.tags.get(key))
    return {key: parser.tags[key][0] for key in keys}


@pytest.fixture
def claim():
    """Harbour Wire disputes the claim (tagged framing), Quay Daily reports it (quote);
    Silent Times covers the story without it."""
    story = make_story(title="Harbour gate")
    claim = make_claim(story=story, statement="The mayor knew", status=Claim.Status.PUBLISHED)
    wire = make_article(
        outlet=make_outlet(name="Harbour Wire"), story=story, published=datetime.date(2024, 3, 5)
    )
    daily = make_article(
        outlet=make_outlet(name="Quay Daily"), story=story, published=datetime.date(2024, 3, 4)
    )
    make_article(outlet=make_outlet(name="Silent Times"), story=story)
    make_annotation(wire, "the hinges were corroded", claim=claim, stance="disputes").tags.add(
        "framing"
    )
    make_annotation(daily, "failed two inspections", claim=claim, stance="reports").tags.add(
        "quote"
    )
    return claim


def get(client, claim, query=""):
    response = client.get(claim.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def test_open_graph_and_twitter_tags_of_the_claim_page(client, claim):
    tags = share_tags(get(client, claim))
    assert tags["og:title"] == tags["twitter:title"] == "The mayor knew"
    assert tags["og:type"] == "article"
    assert tags["twitter:card"] == "summary"
    assert tags["og:url"] == tags["canonical"] == "http://testserver/claims/the-mayor-knew/"
    assert (
        tags["og:description"]
        == tags["twitter:description"]
        == tags["description"]
        == "How 2 outlets worded it: Quay Daily (reports); Harbour Wire (disputes). "
        "Not covered by Silent Times."
    )


def test_a_filtered_link_previews_what_the_filters_show(client, claim):
    tags = share_tags(get(client, claim, "?tags=quote"))
    assert tags["og:url"] == "http://testserver/claims/the-mayor-knew/?tags=quote"
    assert tags["og:description"] == (
        "How 1 outlet worded it: Quay Daily (reports). Not covered by Silent Times. "
        "Filters: tags: quote."
    )


def test_a_link_filtered_to_nothing_says_the_filters_hide_the_excerpts(client, claim):
    html = get(client, claim, "?tags=quote&stance=disputes")
    tags = share_tags(html)
    assert "not annotated yet" not in tags["og:description"]
    assert tags["og:description"] == tags["twitter:description"] == tags["description"]
    assert tags["og:description"] == (
        "No excerpt matches these filters (tags: quote; stance: disputes); "
        "2 outlets carry this claim."
    )
    assert tags["og:title"] == "The mayor knew"
    assert tags["og:url"].endswith("/claims/the-mayor-knew/?tags=quote&stance=disputes")
    # Beside the message, the way back to every excerpt.
    assert (
        'No excerpt matches these filters. <a href="/claims/the-mayor-knew/">Clear filters</a>'
        in html
    )


def test_a_claim_nobody_annotated_says_so(client):
    claim = make_claim(statement="Nobody said it", status=Claim.Status.PUBLISHED)
    tags = share_tags(get(client, claim))
    assert tags["og:description"].startswith("No outlet's wording of this claim is annotated yet.")


def test_citation_names_the_claim_the_filters_the_address_and_the_day(client, claim):
    html = get(client, claim, "?outlets=harbour-wire&stance=disputes")
    today = timezone.localdate()
    assert (
        "“The mayor knew”. Parallax: how 2 outlets worded this claim. Story: Harbour gate. "
        "Filters: outlets: Harbour Wire; stance: disputes. "
        "http://testserver/claims/the-mayor-knew/?outlets=harbour-wire&amp;stance=disputes "
        f"(accessed {today.day} {today:%B %Y})."
    ) in html
    assert "<summary>Cite this comparison</summary>" in html


def test_print_block_says_where_when_and_which_filters(client, claim):
    html = get(client, claim, "?tags=framing")
    today = timezone.localdate()
    assert (
        "<p>Printed from http://testserver/claims/the-mayor-knew/?tags=framing "
        f"on {today.day} {today:%B %Y}.</p>"
    ) in html
    assert "<p>Filters in force: tags: framing.</p>" in html
    assert "<p>Filters in force: none.</p>" in get(client, claim)


def test_filters_control_counts_the_filters_in_force(client, claim):
    assert "<summary>Filters (0)</summary>" in get(client, claim)
    html = get(client, claim, "?outlets=harbour-wire,quay-daily&tags=quote&stance=reports")
    assert "<summary>Filters (4)</summary>" in html


def test_the_tag_legend_stands_above_the_columns(client, claim):
    html = get(client, claim)
    legend = html.index('class="tag-legend"')
    assert html.index("tag-legend-list") < html.index('class="columns side-by-side"')
    assert legend < html.index('class="columns side-by-side"')
    assert ">framing</a>" in html[legend:] and ">quote</a>" in html[legend:]


def story_with_outlets(count: int, languages=("en",), name="Outlet") -> Claim:
    """A published claim carried by `count` outlets ("Outlet 00", …), their languages taken
    in turn, each with two excerpts."""
    story = make_story()
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED)
    for n in range(count):
        article = make_article(
            outlet=make_outlet(name=f"{name} {n:02}", language=languages[n % len(languages)]),
            story=story,
            published=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
        )
        make_annotation(article, "memo shows", claim=claim)
        make_annotation(article, "hinges were corroded", claim=claim)
    return claim


def test_twelve_outlets_stand_side_by_side_and_thirteen_get_a_row_each(client):
    twelve = get(client, story_with_outlets(12))
    assert 'class="columns side-by-side" data-columns="12" role="region"' in twelve
    assert 'tabindex="0"' in twelve
    assert "more-excerpts" not in twelve

    thirteen = get(client, story_with_outlets(13, name="Wire"))
    assert 'class="columns compact" data-columns="13"' in thirteen
    assert "side-by-side" not in thirteen
    # Each outlet's first excerpt shows; the second waits behind its <details>.
    assert thirteen.count('<details class="more-excerpts">') == 13
    assert "<summary>1 more excerpt from Wire 00</summary>" in thirteen


def test_columns_name_their_language_only_when_the_languages_mix(client):
    one_language = get(client, story_with_outlets(2, languages=("en",)))
    assert "column-language" not in one_language
    mixed = get(client, story_with_outlets(2, languages=("en", "ru"), name="Mixed"))
    assert '<span class="column-language">English</span>' in mixed
    assert '<span class="column-language">Russian</span>' in mixed
    # The quoted words carry their language, for screen readers and hyphenation.
    assert '<blockquote class="excerpt-text" lang="ru">' in mixed


def test_the_article_language_stands_in_for_an_outlet_without_one(client):
    story = make_story()
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED)
    for name, language in [("Kyiv Post", "uk"), ("Baku Daily", "az")]:
        article = make_article(outlet=make_outlet(name=name), story=story, language=language)
        make_annotation(article, "memo shows", claim=claim)
    html = get(client, claim)
    assert '<span class="column-language">Ukrainian</span>' in html
    assert '<span class="column-language">Azerbaijani</span>' in html


def test_page_queries_stay_fixed_with_the_compact_layout_and_languages(
    client, django_assert_num_queries
):
    small = story_with_outlets(2, ("en", "ru"), name="Small")
    large = story_with_outlets(20, ("en", "ru", "uk"), name="Large")
    # claim with story, the matching annotations with claim and author, their tags, their
    # articles with outlets, the story's outlets, the outlets carrying the claim, the tags on
    # it, the verbs of the quotations the excerpts overlap, the claim's relations both ways.
    with django_assert_num_queries(9):
        client.get(small.get_absolute_url())
    with django_assert_num_queries(9):
        response = client.get(large.get_absolute_url())
    assert response.context["comparison"].compact


def test_legend_names_only_the_tags_of_the_excerpts_shown(client):
    shown, hidden = make_tag(name="blame"), make_tag(name="hedging")
    claim = make_claim(status=Claim.Status.PUBLISHED)
    article = make_article(story=claim.story)
    make_annotation(article, "flood barrier", claim=claim).tags.add(shown)
    make_annotation(article, "hinges were corroded", claim=claim).tags.add(hidden)

    page = client.get(f"{claim.get_absolute_url()}?tags={shown.slug}").content.decode()

    legend = page.split('class="tag-legend"', 1)[1].split("</ul>", 1)[0]
    assert ">blame<" in legend
    assert "hedging" not in legend
    # The filter controls still offer every tag used on the claim.
    assert f'value="{hidden.slug}"' in page
