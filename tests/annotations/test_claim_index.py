"""The claims index: search, story and tag filters, drafts for editors only, pagination."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.models import Annotation, Claim
from reading import paging
from reading.views import browse
from reading.views.browse import CLAIMS_PER_PAGE, query_param
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_coverage,
    make_outlet,
    make_story,
    make_tag,
)

db = pytest.mark.django_db
URL = "/claims/"
PUBLISHED = Claim.Status.PUBLISHED


def statements(response):
    return [claim.statement for claim in response.context["page"].object_list]


def test_query_param_trims_cuts_and_drops_nul_characters():
    assert query_param(None) == ""
    assert query_param("  gate  ") == "gate"
    assert query_param("ga\x00te") == "gate"
    assert query_param("x" * 500) == "x" * 200


@db
def test_lists_published_claims_with_story_and_outlet_count(client):
    story = make_story(title="Barrier memo")
    claim = make_claim(story=story, statement="The gate failed.", status=PUBLISHED)
    for outlet in (make_outlet(), make_outlet()):
        make_annotation(make_article(outlet=outlet, story=story), "memo shows", claim=claim)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<a class="claim-statement" href="{claim.get_absolute_url()}">The gate failed.</a>' in html
    )
    assert f'In <a href="{story.get_absolute_url()}">Barrier memo</a>' in html
    assert "Carried by 2 outlets" in html
    # Readers get no status badges: everything they see is published.
    assert "badge" not in html


@db
def test_readers_never_see_drafts(client, django_user_model):
    story = make_story()
    make_claim(story=story, statement="Shown to all.", status=PUBLISHED)
    make_claim(story=story, statement="Secret draft wording.", status=Claim.Status.DRAFT)
    make_claim(statement="Draft in a story with no published claim.")

    response = client.get(URL)

    assert statements(response) == ["Shown to all."]
    html = response.content.decode()
    assert "Secret draft wording." not in html
    # Not even its story is offered as a filter.
    assert [s.title for s in response.context["stories"]] == [story.title]
    assert "Draft in a story" not in client.get(URL, {"q": "draft"}).content.decode()

    client.force_login(django_user_model.objects.create_user("reader", password="x-unused-1"))
    assert "Secret draft wording." not in client.get(URL).content.decode()


@db
def test_editors_see_drafts_with_a_status_badge(editor_client):
    story = make_story()
    make_claim(story=story, statement="A published one.", status=PUBLISHED)
    make_claim(story=story, statement="A draft one.", status=Claim.Status.DRAFT)

    response = editor_client.get(URL)

    assert statements(response) == ["A draft one.", "A published one."]
    html = response.content.decode()
    assert '<span class="badge badge-draft">Draft</span>' in html
    assert '<span class="badge badge-published">Published</span>' in html


@db
def test_search_matches_the_statement_ignoring_case(client):
    make_claim(statement="The NATO summit was postponed.", status=PUBLISHED)
    make_claim(statement="Kyiv would fall within days.", status=PUBLISHED)

    response = client.get(URL, {"q": "  nato "})

    assert statements(response) == ["The NATO summit was postponed."]
    # The form keeps what was asked.
    assert 'name="q" value="nato"' in response.content.decode()


@db
def test_filters_by_story(client):
    barrier, bridge = make_story(title="Barrier"), make_story(title="Bridge")
    make_claim(story=barrier, statement="The gate failed.", status=PUBLISHED)
    make_claim(story=bridge, statement="The bridge held.", status=PUBLISHED)

    response = client.get(URL, {"story": bridge.slug})

    assert statements(response) == ["The bridge held."]
    assert f'<option value="{bridge.slug}" selected>Bridge</option>' in response.content.decode()


@db
def test_filters_by_tag_on_live_annotations_only(client):
    story = make_story()
    framing, quote = make_tag(name="framing-x"), make_tag(name="quote-x")
    tagged = make_claim(story=story, statement="Tagged framing.", status=PUBLISHED)
    other = make_claim(story=story, statement="Tagged quote only.", status=PUBLISHED)
    gone = make_claim(story=story, statement="Framing only on a deleted one.", status=PUBLISHED)
    make_claim(story=story, statement="Not annotated.", status=PUBLISHED)
    article = make_article(story=story)
    make_annotation(article, "memo shows", claim=tagged).tags.add(framing, quote)
    make_annotation(article, "hinges were corroded", claim=other).tags.add(quote)
    deleted = make_annotation(article, "internal memo", claim=gone)
    deleted.tags.add(framing)
    Annotation.objects.filter(pk=deleted.pk).update(deleted=timezone.now())

    response = client.get(URL, {"tag": framing.slug})

    assert statements(response) == ["Tagged framing."]
    # Two tags on one annotation do not count its outlet twice.
    assert response.context["page"].object_list[0].outlet_count == 1
    assert (
        f'<option value="{framing.slug}" selected>framing-x</option>' in response.content.decode()
    )
    assert statements(client.get(URL, {"tag": quote.slug})) == [
        "Tagged framing.",
        "Tagged quote only.",
    ]


@db
def test_filters_combine(client):
    barrier, bridge = make_story(), make_story()
    tag = make_tag()
    for story in (barrier, bridge):
        for statement in ("Gate failed.", "Gate held."):
            claim = make_claim(story=story, statement=statement, status=PUBLISHED)
            article = make_article(story=story, text=f"{ARTICLE_TEXT}\n\n{claim.pk}")
            make_annotation(article, "memo shows", claim=claim).tags.add(tag)

    response = client.get(URL, {"q": "failed", "story": bridge.slug, "tag": tag.slug})

    assert [c.story for c in response.context["page"].object_list] == [bridge]
    assert statements(response) == ["Gate failed."]


@db
def test_empty_result_says_what_was_asked_and_links_to_clear_it(client):
    story = make_story(title="Barrier memo")
    make_claim(story=story, statement="The gate failed.", status=PUBLISHED)
    tag = make_tag(name="framing-x")

    html = client.get(URL, {"q": "bridge", "story": story.slug, "tag": tag.slug}).content.decode()

    assert "No claims match “bridge” in the story “Barrier memo” with the tag “framing-x”." in html
    assert '<a href="/claims/">Clear the filters</a>' in html


@db
def test_says_so_when_there_are_no_claims_at_all(client):
    html = client.get(URL).content.decode()

    assert "No published claims yet." in html
    assert "Clear the filters" not in html


@db
def test_form_has_visible_labels_and_a_submit_button(client):
    html = client.get(URL).content.decode()

    assert '<form class="filter-form" method="get" action="/claims/"' in html
    assert '<label for="claim-search">Search claims</label>' in html
    assert '<label for="claim-story">Story</label>' in html
    assert '<label for="claim-tag">Tag</label>' in html
    assert '<button type="submit" class="button">Show claims</button>' in html


@db
def test_escapes_hostile_search_text(client):
    html = client.get(URL, {"q": '"><script>alert(1)</script>'}).content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@db
def test_paginates_and_keeps_the_filters_in_page_links(client):
    story = make_story()
    for n in range(CLAIMS_PER_PAGE + 1):
        make_claim(story=story, statement=f"Gate claim {n:03}", status=PUBLISHED)

    first = client.get(URL, {"q": "gate"})
    second = client.get(URL, {"q": "gate", "page": 2})

    assert len(first.context["page"].object_list) == CLAIMS_PER_PAGE
    assert statements(second) == ["Gate claim 050"]
    html = first.content.decode()
    assert '<nav class="pagination" aria-label="Pages of claims">' in html
    assert 'href="?q=gate&amp;page=2" rel="next"' in html
    assert client.get(URL, {"page": "abc"}).context["page"].number == 1


@db
def test_home_links_to_the_index(client):
    assert '<a href="/claims/">All claims</a>' in client.get("/").content.decode()


@db
@pytest.mark.parametrize("outlets, articles", [(3, 3), (30, 20)], ids=["9", "600"])
def test_runs_a_fixed_number_of_queries(client, django_assert_num_queries, outlets, articles):
    tag = make_tag()
    make_coverage(outlets, articles, tags=[tag])

    # 1. stories with claims this user may see (the Story filter)
    # 2. tags (the Tag filter)
    # 3. the name variants the search words are widened with
    # 4. how many claims match, up to 1,000 past this page (for the paginator)
    # 5. this page of claims with their story and outlet counts (only theirs)
    # (PostgreSQL: and the text search configurations in use.)
    expected = 5 + (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        response = client.get(URL, {"tag": tag.slug, "q": "claim"})

    assert [c.outlet_count for c in response.context["page"].object_list] == [outlets]


@db
@pytest.mark.parametrize("outlets, articles", [(3, 3), (30, 20)], ids=["9", "600"])
def test_for_an_editor_runs_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries, outlets, articles
):
    make_coverage(outlets, articles, tags=[make_tag()])

    # 1. the session, 2. the user, 3. is the user in the editors group,
    # 4. stories with claims, 5. tags, 6. how many claims match (up to 1,000 past this
    # page), 7. this page of them with their outlet counts
    with django_assert_num_queries(7):
        response = editor_client.get(URL)

    assert len(response.context["page"].object_list) == 2


@db
def test_counts_only_so_far_past_the_page_asked_for(client, monkeypatch):
    """The index never counts every claim: at most COUNT_CAP past the page's start, and
    says "more than" when more follow; each deeper page counts further."""
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    monkeypatch.setattr(browse, "CLAIMS_PER_PAGE", 2)
    story = make_story()
    for n in range(7):
        make_claim(story=story, statement=f"Claim {n}", status=PUBLISHED)

    first = client.get(URL)
    third = client.get(URL, {"page": 3})
    last = client.get(URL, {"page": 4})

    html = first.content.decode()
    assert 'All claims <span class="meta">more than 2</span>' in html
    assert "Showing 1–2 of more than 2, by statement." in html
    assert '<p class="meta">Page 1 of more than 1</p>' in html
    assert statements(third) == ["Claim 4", "Claim 5"]
    assert '<p class="meta">Page 3 of more than 3</p>' in third.content.decode()
    assert 'href="?page=4"' in third.content.decode()
    assert statements(last) == ["Claim 6"]
    html = last.content.decode()
    assert "Showing 7–7 of 7, by statement." in html
    assert '<p class="meta">Page 4 of 4</p>' in html
    assert 'rel="next"' not in html


@db
def test_counts_the_outlets_of_the_claims_shown_only(client):
    story = make_coverage(3, 1)
    claim = story.claims.get(status=PUBLISHED)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert [c.outlet_count for c in response.context["page"].object_list] == [3]
    page_query = queries.captured_queries[-1]["sql"]
    # The page's claims are chosen by a LIMIT in a subquery; the outlets are counted per
    # claim returned, never in a GROUP BY over every claim's annotations.
    assert re.search(r"LIMIT \d+\)", page_query)
    assert "GROUP BY" not in page_query
    assert claim.statement in response.content.decode()


@db
def test_survives_nul_characters_and_overlong_values(client):
    make_claim(statement="The gate failed.", status=PUBLISHED)

    for params in ({"q": "ga\x00te"}, {"story": "x\x00"}, {"tag": "\x00"}, {"q": "g" * 10_000}):
        assert client.get(URL, params).status_code == 200
    assert statements(client.get(URL, {"q": "ga\x00te"})) == ["The gate failed."]


@db
def test_search_finds_a_claim_by_the_words_of_its_excerpts(client):
    story = make_story()
    article = make_article(
        story=story,
        text="Call\n\nHe said: please close the airspace over Kyiv.\n\nZelenskyy hung up.",
    )
    claim = make_claim(story=story, statement="Zelensky asked for a no-fly zone", status=PUBLISHED)
    make_annotation(article, "please close the airspace over Kyiv", claim=claim)
    other = make_claim(story=story, statement="The call was short", status=PUBLISHED)
    gone = make_annotation(article, "hung up", claim=other)
    Annotation.objects.filter(pk=gone.pk).update(deleted=timezone.now())

    assert statements(client.get(URL, {"q": "close airspace"})) == [claim.statement]
    # A name in another spelling, the statement's own words, a phrase.
    assert statements(client.get(URL, {"q": "Зеленский"})) == [claim.statement]
    assert statements(client.get(URL, {"q": '"no-fly zone"'})) == [claim.statement]
    # A deleted annotation's words do not count.
    assert statements(client.get(URL, {"q": "hung"})) == []


@db
def test_story_filter_lists_the_newest_stories_and_the_one_chosen(client, monkeypatch):
    monkeypatch.setattr(browse, "STORY_OPTIONS", 2)
    oldest, middle, newest = (make_story(title=f"Filter story {n}") for n in (1, 2, 3))
    for story in (oldest, middle, newest):
        make_claim(story=story, status=PUBLISHED)
    # A story whose claims are all drafts is no option for a reader.
    make_claim(story=make_story(title="Filter story 4"))

    def options(response):
        return [story.slug for story in response.context["stories"]]

    response = client.get(URL)
    assert options(response) == [middle.slug, newest.slug]
    assert "The newest stories with claims" in response.text

    # The story filtered to is always an option, however old.
    response = client.get(URL, {"story": oldest.slug})
    assert options(response) == [oldest.slug, middle.slug, newest.slug]
    assert f'<option value="{oldest.slug}" selected>' in response.text
