"""Stored claim counts (annotations.counters): per claim and outlet, rolled up per claim and
per story and outlet, kept right by the database whatever path a write takes, and counted
again by `manage.py recount`."""

import subprocess
import sys
from collections import Counter

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from annotations import counters
from annotations.editing import (
    delete_annotation,
    merge_claims,
    restore_annotation,
    set_claim_status,
    update_annotation,
)
from annotations.models import (
    Annotation,
    Claim,
    ClaimCount,
    ClaimOutletUse,
    StoryOutletClaims,
)
from sources.models import Article
from tests.concurrency_helpers import ROOT, server_env
from tests.databases import database_of_its_own
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
)

db = pytest.mark.django_db
PUBLISHED = Claim.Status.PUBLISHED


def stored() -> dict:
    """The stored counts, each table's rows that are not all 0."""
    return {
        "uses": {
            (row.claim_id, row.outlet_id): row.uses
            for row in ClaimOutletUse.objects.exclude(uses=0)
        },
        "claims": {
            row.claim_id: (row.annotations, row.outlets)
            for row in ClaimCount.objects.exclude(annotations=0, outlets=0)
        },
        "stories": {
            (row.story_id, row.outlet_id): (row.claims, row.published)
            for row in StoryOutletClaims.objects.exclude(claims=0, published=0)
        },
    }


def counted() -> dict:
    """The same counts, counted from the live annotations themselves."""
    rows = Annotation.objects.visible().filter(claim__isnull=False)
    uses = Counter(rows.values_list("claim", "article__outlet"))
    claims: dict = {}
    stories: Counter = Counter()
    published: Counter = Counter()
    status = dict(Claim.objects.values_list("pk", "status"))
    story = dict(Claim.objects.values_list("pk", "story"))
    for (claim, outlet), n in uses.items():
        annotations, outlets = claims.get(claim, (0, 0))
        claims[claim] = (annotations + n, outlets + 1)
        stories[story[claim], outlet] += 1
        published[story[claim], outlet] += status[claim] == PUBLISHED
    return {
        "uses": dict(uses),
        "claims": claims,
        "stories": {key: (n, published[key]) for key, n in stories.items()},
    }


def assert_counts_right():
    assert stored() == counted()


@pytest.fixture
def world():
    """Two outlets, two stories; three articles, a published and a draft claim in story
    one, a claim in story two; four annotations."""
    first, second = make_outlet(), make_outlet()
    one, two = make_story(), make_story()
    articles = [
        make_article(outlet=first, story=one, text=f"{ARTICLE_TEXT}\n\nUpdate 1."),
        make_article(outlet=second, story=one, text=f"{ARTICLE_TEXT}\n\nUpdate 2."),
        make_article(outlet=first, story=two, text=f"{ARTICLE_TEXT}\n\nUpdate 3."),
    ]
    shown = make_claim(story=one, status=PUBLISHED)
    draft = make_claim(story=one)
    other = make_claim(story=two, status=PUBLISHED)
    annotations = [
        make_annotation(articles[0], "memo shows", claim=shown),
        make_annotation(articles[0], "Update 1", claim=shown),
        make_annotation(articles[1], "memo shows", claim=draft),
        make_annotation(articles[2], "memo shows", claim=other),
    ]
    return {
        "outlets": (first, second),
        "stories": (one, two),
        "articles": articles,
        "claims": (shown, draft, other),
        "annotations": annotations,
    }


@db
def test_annotating_counts_each_claim_per_outlet_claim_and_story(world):
    (first, second), (one, two) = world["outlets"], world["stories"]
    shown, draft, other = world["claims"]

    counts = stored()

    assert counts["uses"] == {
        (shown.pk, first.pk): 2,
        (draft.pk, second.pk): 1,
        (other.pk, first.pk): 1,
    }
    assert counts["claims"] == {shown.pk: (2, 1), draft.pk: (1, 1), other.pk: (1, 1)}
    # Outlet two carries only the draft: one claim, none a reader sees.
    assert counts["stories"] == {
        (one.pk, first.pk): (1, 1),
        (one.pk, second.pk): (1, 0),
        (two.pk, first.pk): (1, 1),
    }


@db
def test_an_editor_moving_an_annotation_to_another_claim_moves_the_counts(world, editor):
    shown, draft, _ = world["claims"]
    annotation = world["annotations"][2]

    update_annotation(annotation, editor, {"claim": shown, "stance": "", "note": ""})

    assert stored()["claims"][shown.pk] == (3, 2)
    assert draft.pk not in stored()["claims"]
    assert_counts_right()

    update_annotation(annotation, editor, {"claim": None, "stance": "", "note": ""})
    assert stored()["claims"][shown.pk] == (2, 1)
    assert_counts_right()


@db
def test_deleting_and_restoring_an_annotation_counts_it_out_and_back(world, editor):
    shown = world["claims"][0]
    first = world["outlets"][0]

    delete_annotation(world["annotations"][0], editor)
    assert stored()["uses"][shown.pk, first.pk] == 1
    delete_annotation(world["annotations"][1], editor)
    assert (shown.pk, first.pk) not in stored()["uses"]
    assert_counts_right()

    restore_annotation(world["annotations"][1], editor)
    assert stored()["claims"][shown.pk] == (1, 1)
    assert_counts_right()


@db
def test_publishing_a_claim_or_taking_it_back_moves_what_readers_see(world, editor):
    one = world["stories"][0]
    first, second = world["outlets"]
    shown, draft, _ = world["claims"]

    set_claim_status(draft, PUBLISHED, editor)
    assert stored()["stories"][one.pk, second.pk] == (1, 1)
    assert_counts_right()

    set_claim_status(shown, Claim.Status.DRAFT, editor)
    assert stored()["stories"][one.pk, first.pk] == (1, 0)
    assert_counts_right()


@db
def test_merging_claims_moves_their_counts(world, editor):
    one = world["stories"][0]
    second = world["outlets"][1]
    shown, draft, _ = world["claims"]

    merge_claims(draft, shown, editor)

    assert stored()["claims"] == {shown.pk: (3, 2), world["claims"][2].pk: (1, 1)}
    assert stored()["stories"][one.pk, second.pk] == (1, 1)
    assert_counts_right()


@db
def test_saving_unchanged_counts_nothing_twice(world):
    annotation = world["annotations"][0]
    annotation.note = "Edited."
    annotation.save()
    claim = world["claims"][0]
    claim.save()

    assert_counts_right()


@db
def test_deleting_rows_for_good_takes_their_uses_away(world):
    world["annotations"][0].delete()
    assert_counts_right()

    # An article's deletion takes its annotations with it.
    world["articles"][1].delete()
    assert_counts_right()
    assert world["outlets"][1].pk not in {outlet for _, outlet in stored()["stories"]}

    # A claim deleted with its annotations gone, and its count rows with it.
    world["annotations"][3].delete()
    world["claims"][2].delete()
    assert_counts_right()


@db
def test_bulk_writes_and_raw_sql_are_counted_too(world):
    """update(), bulk_create and raw SQL send no signal: the database counts them all
    the same."""
    second, two = world["outlets"][1], world["stories"][1]
    shown, draft, other = world["claims"]

    Annotation.objects.filter(pk=world["annotations"][0].pk).update(deleted=timezone.now())
    assert_counts_right()

    # An article moved to another outlet takes its uses along.
    Article.objects.filter(pk=world["articles"][0].pk).update(outlet=second)
    assert stored()["uses"][shown.pk, second.pk] == 1
    assert_counts_right()

    Annotation.objects.bulk_create(
        Annotation(article=world["articles"][1], start=0, end=4, exact="Text", claim=shown)
        for _ in range(3)
    )
    assert stored()["claims"][shown.pk] == (4, 1)
    assert_counts_right()

    # A claim moved to another story takes the outlets carrying it along.
    Claim.objects.filter(pk=draft.pk).update(story=two)
    assert stored()["stories"][two.pk, second.pk] == (1, 0)
    assert_counts_right()

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE annotations_annotation SET claim_id = %s WHERE claim_id = %s",
            [other.pk, shown.pk],
        )
    assert shown.pk not in stored()["claims"]
    assert_counts_right()


@db
def test_recount_puts_wrong_counts_right(world):
    ClaimOutletUse.objects.update(uses=99)
    ClaimCount.objects.all().delete()
    StoryOutletClaims.objects.update(published=7)

    call_command("recount", stdout=None)

    assert_counts_right()
    assert sum(stored()["uses"].values()) == 4


def test_recount_leaves_no_old_row_versions_behind_on_postgresql(tmp_path):
    """The roll-ups follow each recounted row through its trigger, updating a claim's row
    once per outlet: run by itself, the command vacuums the count tables, so no page reads
    through those old versions until autovacuum comes (it may be off). On a database of
    its own: VACUUM cannot run inside the test's transaction, and a transactional test
    would empty the tables other tests of this process share."""
    with database_of_its_own("postgresql", tmp_path, "recount") as url:
        env = server_env(url)
        for command in (["migrate", "--verbosity", "0"], ["recount"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300
            )
        with psycopg.connect(url) as database:
            rows = database.execute(
                "SELECT relname, last_vacuum, last_analyze FROM pg_stat_user_tables "
                "WHERE relname = ANY(%s)",
                [counters.count_tables()],
            ).fetchall()
    assert {name for name, *_ in rows} == set(counters.count_tables())
    assert all(vacuumed and analysed for _, vacuumed, analysed in rows), rows
