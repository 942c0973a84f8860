"""The home page's live comparison: one published claim, its first outlets side by side."""

import datetime
import itertools
import random
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.models import Annotation, Claim
from reading.queries import CONTEXT_REACH
from reading.showcase import SHOWCASE_OUTLETS, excerpt_in_window, pick_claim
from sources.text.context import sentence_context
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
PUBLISHED, DRAFT = Claim.Status.PUBLISHED, Claim.Status.DRAFT
_copies = itertools.count(1)
# A text whose quote lies far from both ends, in a long paragraph: its context must come
# out the same from the bounded window as from the whole text.
LONG_TEXT = (
    "Headline of the piece\n\n"
    + "Filler words run on and on without a stop " * 30
    + "until the sentence ends. The memo shows the gate failed twice before the storm, "
    "the engineer said. "
    + "More words follow after it for a long while " * 30
    + "\n\nLast paragraph."
)


def aged(claim, days):
    """Set the claim's last update `days` ago (auto_now sets it on every save)."""
    Claim.objects.filter(pk=claim.pk).update(updated=timezone.now() - datetime.timedelta(days))
    return claim


def carried_by(claim, *outlets, quote="internal memo", text=ARTICLE_TEXT, **fields):
    for outlet in outlets:
        # An outlet holds a text once: each article ends differently.
        unique = f"{text}\n\nCopy {next(_copies)}."
        article = make_article(outlet=outlet, story=claim.story, text=unique, **fields)
        make_annotation(article, quote, claim=claim)
    return claim


def showcase(response):
    return response.context["showcase"]


# Pure: no database.


def test_pick_claim_prefers_the_latest_carried_by_two_outlets():
    one, two, three = (SimpleNamespace(outlet_count=n) for n in (1, 2, 3))

    assert pick_claim([one, two, three]) is two
    assert pick_claim([one, SimpleNamespace(outlet_count=1)]) is one
    assert pick_claim([]) is None


def test_excerpt_from_the_window_matches_the_whole_text():
    rng = random.Random(9)
    words = ["memo", "shows", "gate.", "failed!", "Storm?", "“quoted”", "and", "the"]
    text = "\n".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 400))) for _ in range(6)
    )
    for _ in range(300):
        start = rng.randrange(len(text) - 1)
        end = rng.randrange(start + 1, min(len(text), start + 300) + 1)
        context_start = max(start - CONTEXT_REACH, 0)
        row = SimpleNamespace(
            start=start,
            end=end,
            context_start=context_start,
            # As SQL's SUBSTR cuts it.
            context=text[context_start : end + CONTEXT_REACH],
        )

        excerpt = excerpt_in_window(row)

        assert (excerpt.before, excerpt.after) == sentence_context(text, start, end)


# The page


@db
def test_home_compares_the_latest_claim_two_outlets_carry(client):
    story = make_story(title="Barrier memo")
    courier, klaxon, zed = (make_outlet(name=n) for n in ("Courier", "Klaxon", "Zed"))
    older = carried_by(
        make_claim(story=story, statement="Older.", status=PUBLISHED), courier, klaxon
    )
    aged(older, 5)
    wanted = make_claim(story=story, statement="The gate failed twice.", status=PUBLISHED)
    carried_by(wanted, courier, klaxon, published=datetime.date(2024, 3, 2))
    carried_by(wanted, zed, published=datetime.date(2024, 3, 1))
    aged(wanted, 2)
    # The latest of all, but only one outlet carries it: not the one to compare.
    carried_by(make_claim(story=story, statement="Lonely.", status=PUBLISHED), zed)

    response = client.get("/")

    shown = showcase(response)
    assert shown.claim == wanted
    assert shown.outlet_count == 3
    # In order of first publication, as on the claim page.
    assert [e.article.outlet.name for e in shown.excerpts] == ["Zed", "Courier", "Klaxon"]
    html = response.content.decode()
    section = html[html.index('<section class="live-comparison"') : html.index("</section>")]
    assert f'<a href="{wanted.get_absolute_url()}">The gate failed twice.</a>' in section
    assert '<h3 class="live-outlet">Zed</h3>' in section
    assert (
        '<blockquote class="live-quote">The flood barrier had failed two inspections before '
        'the storm, an <mark class="hl hl-untagged">internal memo</mark> shows.</blockquote>'
    ) in section
    assert f'<a href="{wanted.get_absolute_url()}">See all 3 outlets</a>' in section


@db
def test_home_shows_at_most_three_outlets_and_colours_the_highlight_by_tag(client):
    story = make_story()
    claim = make_claim(story=story, status=PUBLISHED)
    tag, second = make_tag(), make_tag()
    outlets = [make_outlet() for _ in range(5)]
    carried_by(claim, *outlets)
    for annotation in claim.annotations.all():
        annotation.tags.add(tag)
        annotation.tags.add(second)

    response = client.get("/")

    assert len(showcase(response).excerpts) == SHOWCASE_OUTLETS == 3
    html = response.content.decode()
    # Each of its tags shows, as on the reader and the claim page.
    assert html.count(f'<mark class="hl tag-{tag.pk} tag2-{second.pk}">internal memo</mark>') == 3
    assert "how the first 3 of 5 outlets worded it" in html
    assert '<link rel="stylesheet" href="/tags.css">' in html
    assert f'<a href="{claim.get_absolute_url()}">See all 5 outlets</a>' in html


@db
def test_home_context_comes_from_the_text_around_the_quote(client):
    claim = make_claim(status=PUBLISHED)
    carried_by(claim, make_outlet(), quote="gate failed twice", text=LONG_TEXT)

    (excerpt,) = showcase(client.get("/")).excerpts

    start = LONG_TEXT.index("gate failed twice")
    assert start > 2 * CONTEXT_REACH
    assert (excerpt.before, excerpt.after) == sentence_context(
        LONG_TEXT, start, start + len("gate failed twice")
    )
    assert excerpt.before == "The memo shows the "
    assert excerpt.after == " before the storm, the engineer said."


@db
def test_home_falls_back_to_a_claim_one_outlet_carries(client):
    claim = carried_by(
        make_claim(statement="Only one.", status=PUBLISHED), make_outlet(name="Solo")
    )

    response = client.get("/")

    assert showcase(response).claim == claim
    html = response.content.decode()
    assert "how one outlet worded it" in html
    assert f'<a href="{claim.get_absolute_url()}">Open the comparison</a>' in html


@db
def test_drafts_never_reach_home_not_even_for_editors(editor_client):
    published = carried_by(make_claim(statement="Public.", status=PUBLISHED), make_outlet())
    aged(published, 3)
    draft = make_claim(story=published.story, statement="Secret draft wording.", status=DRAFT)
    carried_by(draft, make_outlet(), make_outlet())

    # A fresh client for the reader: editor_client is the `client` fixture, logged in.
    for user_client in (Client(), editor_client):
        response = user_client.get("/")
        assert showcase(response).claim == published
        assert "Secret draft wording." not in response.content.decode()


@db
def test_deleted_annotations_count_for_nothing(client):
    gone = carried_by(make_claim(statement="All deleted.", status=PUBLISHED), make_outlet())
    Annotation.objects.filter(claim=gone).update(deleted=timezone.now())
    kept = carried_by(make_claim(statement="Kept.", status=PUBLISHED), make_outlet(), make_outlet())
    first = kept.annotations.order_by("pk").first()
    Annotation.objects.filter(pk=first.pk).update(deleted=timezone.now())
    aged(kept, 1)

    shown = showcase(client.get("/"))

    assert shown.claim == kept
    assert shown.outlet_count == 1
    assert len(shown.excerpts) == 1


@db
def test_empty_state_tells_editors_how_to_start(editor_client):
    make_claim(status=PUBLISHED)  # published, but no annotation: nothing to compare

    reader_html = Client().get("/").content.decode()
    editor_html = editor_client.get("/").content.decode()

    assert "No comparison to show yet" in reader_html
    assert "No published comparison yet." in reader_html
    assert "import articles" not in reader_html
    assert '<a href="/import/">import articles</a> from two or more outlets' in editor_html
    assert "then publish the claim from its page" in editor_html


@db
@pytest.mark.parametrize("outlets, articles", [(2, 2), (12, 15)], ids=["small", "large"])
def test_home_runs_a_fixed_number_of_queries_and_loads_no_article_text(
    client, django_assert_num_queries, outlets, articles
):
    tag = make_tag()
    for _ in range(3):
        make_coverage(outlets, articles, tags=[tag])

    # 1. stories with article and outlet counts
    # 2. outlets with article counts
    # 3. recent published claims with their story
    # 4. the live comparison's candidates: the latest published claims with a live
    #    annotation, each with its outlet count (a subquery per claim returned)
    # 5. the chosen claim's first annotation per outlet, with the text around it
    # 6. their tags
    with CaptureQueriesContext(connection) as queries, django_assert_num_queries(6):
        response = client.get("/")

    assert showcase(response).outlet_count == outlets
    assert len(showcase(response).excerpts) == min(outlets, SHOWCASE_OUTLETS)
    for query in queries.captured_queries:
        sql = query["sql"]
        # The article text is read only inside SUBSTR() (SQLite) or SUBSTRING(): never whole.
        assert sql.count('"sources_article"."text"') == len(
            re.findall(r'SUBSTR(?:ING)?\("sources_article"\."text"', sql, re.I)
        ), sql
    candidates = queries.captured_queries[3]["sql"]
    assert candidates.rstrip().endswith("LIMIT 20")


@db
def test_an_orphan_never_shows_on_home_at_its_stale_offsets(client):
    """An orphan's offsets refer to an earlier text: the home page's excerpt for its outlet
    is another, anchored annotation, or none."""
    story = make_story()
    claim = make_claim(story=story, status=PUBLISHED)
    first, second = make_outlet(), make_outlet()
    carried_by(claim, first, second)
    orphan = claim.annotations.get(article__outlet=first)
    orphan.anchor_status = Annotation.AnchorStatus.ORPHANED
    orphan.save()

    excerpts = showcase(client.get("/")).excerpts

    assert [e.annotation.pk for e in excerpts] == [claim.annotations.get(article__outlet=second).pk]
