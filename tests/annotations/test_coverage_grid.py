"""The story page's coverage grid: claims by outlets, with how each outlet carried each claim."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from annotations.models import Annotation, Claim
from reading.coverage import coverage_grid
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
STANCES = {"asserts": "Asserts", "reports": "Reports", "disputes": "Disputes"}


def obj(pk):
    return SimpleNamespace(pk=pk)


def plain(rows):
    """Rows as (claim pk, [(outlet pk, carried, stances), …]) for comparing."""
    return [
        (row.claim.pk, [(c.outlet.pk, c.carried, c.stances) for c in row.cells]) for row in rows
    ]


# The pure grid: no database.


def test_grid_has_a_row_per_claim_and_a_cell_per_outlet_in_the_orders_given():
    rows = coverage_grid(
        [obj(2), obj(1)],
        [obj(20), obj(10)],
        [(1, 10, "reports"), (2, 20, "asserts")],
        STANCES,
    )

    assert plain(rows) == [
        (2, [(20, True, ["Asserts"]), (10, False, [])]),
        (1, [(20, False, []), (10, True, ["Reports"])]),
    ]
    assert [row.outlet_count for row in rows] == [1, 1]


def test_grid_lists_each_stance_once_in_vocabulary_order():
    triples = [(1, 10, "disputes"), (1, 10, "reports"), (1, 10, "disputes"), (1, 10, "asserts")]

    (row,) = coverage_grid([obj(1)], [obj(10)], triples, STANCES)

    assert row.cells[0].stances == ["Asserts", "Reports", "Disputes"]


def test_grid_marks_a_cell_carried_even_without_a_stance():
    (row,) = coverage_grid([obj(1)], [obj(10), obj(11)], [(1, 10, "")], STANCES)

    assert plain([row]) == [(1, [(10, True, []), (11, False, [])])]


def test_grid_ignores_claims_and_outlets_it_was_not_given():
    rows = coverage_grid([obj(1)], [obj(10)], [(2, 10, "reports"), (1, 99, "reports")], STANCES)

    assert plain(rows) == [(1, [(10, False, [])])]


def test_grid_of_nothing_is_empty():
    assert coverage_grid([], [obj(10)], [], STANCES) == []
    assert plain(coverage_grid([obj(1)], [], [], STANCES)) == [(1, [])]


# The story page


def grid(response):
    """The grid as (statement, [(outlet name, stances or None when not carried), …])."""
    return [
        (
            row.claim.statement,
            [(c.outlet.name, c.stances if c.carried else None) for c in row.cells],
        )
        for row in response.context["grid"]
    ]


def covered_story():
    """Two outlets; Alpha reports and disputes the published claim, Zeta carries the draft."""
    story = make_story()
    alpha, zeta = make_outlet(name="Alpha Post"), make_outlet(name="Zeta Times")
    published = make_claim(story=story, statement="The gate failed.", status=PUBLISHED)
    draft = make_claim(story=story, statement="Secret draft wording.", status=DRAFT)
    a1 = make_article(outlet=alpha, story=story)
    a2 = make_article(outlet=alpha, story=story, text=f"{ARTICLE_TEXT}\n\nUpdate.")
    z1 = make_article(outlet=zeta, story=story)
    make_annotation(a1, "memo shows", claim=published, stance="reports")
    make_annotation(a2, "memo shows", claim=published, stance="disputes")
    make_annotation(a2, "internal memo", claim=published, stance="reports")
    make_annotation(z1, "memo shows", claim=draft, stance="asserts")
    return story, published, draft


@db
def test_story_grid_shows_how_each_outlet_carried_each_published_claim(client):
    story, published, _ = covered_story()

    response = client.get(story.get_absolute_url())

    assert grid(response) == [
        ("The gate failed.", [("Alpha Post", ["Reports", "Disputes"]), ("Zeta Times", None)]),
    ]
    html = response.content.decode()
    assert "Secret draft wording." not in html
    outlet = story.articles.get(outlet__name="Alpha Post", text=ARTICLE_TEXT).outlet
    assert (
        f'<td class="carried"><a href="{published.get_absolute_url()}?outlets={outlet.slug}">'
        '<span class="visually-hidden">Alpha Post: </span>'
        '<span class="stance stance-reports"><span class="stance-symbol" aria-hidden="true">●'
        "</span> reports</span>, "
        '<span class="stance stance-disputes"><span class="stance-symbol" aria-hidden="true">▼'
        "</span> disputes</span></a></td>"
    ) in html
    assert (
        '<td class="not-carried"><span aria-hidden="true">—</span>'
        '<span class="visually-hidden">not covered</span></td>'
    ) in html


@db
def test_story_grid_is_a_real_table_with_caption_and_headers(client):
    story, published, _ = covered_story()

    html = client.get(story.get_absolute_url()).content.decode()

    assert (
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Coverage grid, claims by outlets">'
        in html
    )
    assert (
        '<caption class="visually-hidden">Claims of this story (rows) and how each outlet '
        "(columns) carried them</caption>"
    ) in html
    assert '<th scope="col" class="grid-corner">Claim</th>' in html
    assert html.count('<th scope="col"><a href="/outlets/') == 2
    assert (
        f'<th scope="row"><a href="{published.get_absolute_url()}">The gate failed.</a></th>'
        in html
    )


@db
def test_story_grid_shows_drafts_to_editors_marked(editor_client):
    story, _, draft = covered_story()

    response = editor_client.get(story.get_absolute_url())

    # The most annotated claim first (three annotations against the draft's one).
    assert grid(response) == [
        ("The gate failed.", [("Alpha Post", ["Reports", "Disputes"]), ("Zeta Times", None)]),
        ("Secret draft wording.", [("Alpha Post", None), ("Zeta Times", ["Asserts"])]),
    ]
    html = response.content.decode()
    assert '<tr class="is-draft">' in html
    assert (
        f'<a href="{draft.get_absolute_url()}">Secret draft wording.</a> '
        '<span class="badge badge-draft">Draft</span></th>'
    ) in html


@db
def test_story_grid_skips_deleted_annotations_and_says_carried_without_a_stance(client):
    story = make_story()
    claim = make_claim(story=story, statement="The gate failed.", status=PUBLISHED)
    kept, gone = make_article(story=story), make_article(story=story)
    make_annotation(kept, "memo shows", claim=claim)
    deleted = make_annotation(gone, "memo shows", claim=claim, stance="disputes")
    Annotation.objects.filter(pk=deleted.pk).update(deleted=timezone.now())

    response = client.get(story.get_absolute_url())

    cells = {name: stances for name, stances in grid(response)[0][1]}
    assert cells == {kept.outlet.name: [], gone.outlet.name: None}
    assert (
        '<span class="stance stance-none"><span class="stance-symbol" aria-hidden="true">○'
        "</span> carried</span></a></td>"
    ) in response.content.decode()


@db
def test_story_without_claims_or_articles_has_no_grid(client):
    story = make_story()
    make_claim(story=story, status=PUBLISHED)

    assert "Who carried which claim" not in client.get(story.get_absolute_url()).content.decode()

    make_article(story=make_story())
    bare = make_article().story
    assert "Who carried which claim" not in client.get(bare.get_absolute_url()).content.decode()


@db
@pytest.mark.parametrize("outlets, articles", [(3, 3), (30, 20)], ids=["9", "600"])
def test_story_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, outlets, articles
):
    story = make_coverage(outlets, articles, tags=[make_tag()])

    # 1. the story
    # 2. its outlets with their articles counted
    # 3. its published claims with their stored annotation and outlet counts
    # 4. how many published claims each outlet carries (stored)
    # 5. (claim, outlet, stance) for the grid's window
    # 6. this page of its articles
    # 7. its most-quoted words (no trace is shared here: one query)
    with django_assert_num_queries(7):
        response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["grid_outlets"]) == outlets
    assert response.context["article_count"] == outlets * articles
    assert len(response.context["page"]) == min(outlets * articles, 50)
    assert [row.outlet_count for row in response.context["grid"]] == [outlets]


@db
@pytest.mark.parametrize("outlets, articles", [(3, 3), (30, 20)], ids=["9", "600"])
def test_story_page_for_an_editor_runs_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries, outlets, articles
):
    story = make_coverage(outlets, articles, tags=[make_tag()])

    # 1. the session, 2. the user, 3. is the user in the editors group,
    # 4. the story, 5. its outlets with their articles counted, 6. all its claims with
    # their stored annotation and outlet counts, 7. how many claims each outlet carries
    # (stored), 8. (claim, outlet, stance) for the grid's window, drafts included, 9. this
    # page of its articles, 10. its most-quoted words
    with django_assert_num_queries(10):
        response = editor_client.get(story.get_absolute_url())

    assert len(response.context["claims"]) == 2
    assert sorted(row.outlet_count for row in response.context["grid"]) == [0, outlets]
