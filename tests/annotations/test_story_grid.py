"""The story grid's stances: a symbol and a word for each (never colour alone), explained by
a legend above the grid, and a scroll cue for a grid wider than the screen."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from annotations.models import Annotation, Claim
from reading.coverage import (
    NO_STANCE_SYMBOL,
    STANCE_MEANINGS,
    STANCE_SYMBOLS,
    coverage_grid,
    grid_legend,
)
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
)

db = pytest.mark.django_db
LABELS = dict(Annotation.Stance.choices)


def obj(pk):
    return SimpleNamespace(pk=pk)


# Pure: no database.


def test_every_stance_has_its_own_symbol_and_meaning():
    assert set(STANCE_SYMBOLS) == set(Annotation.Stance.values)
    assert set(STANCE_MEANINGS) == set(Annotation.Stance.values)
    symbols = [*STANCE_SYMBOLS.values(), NO_STANCE_SYMBOL, "—"]
    assert len(set(symbols)) == len(symbols)


def test_cells_carry_each_stance_with_its_symbol_in_vocabulary_order():
    (row,) = coverage_grid([obj(1)], [obj(10)], [(1, 10, "disputes"), (1, 10, "asserts")], LABELS)

    marks = row.cells[0].marks
    assert [(m.value, m.label, m.symbol) for m in marks] == [
        ("asserts", "Asserts", "▲"),
        ("disputes", "Disputes", "▼"),
    ]
    assert row.cells[0].stances == ["Asserts", "Disputes"]


def test_legend_explains_only_what_the_grid_shows():
    rows = coverage_grid(
        [obj(1), obj(2)],
        [obj(10), obj(11)],
        [(1, 10, "reports"), (1, 11, "disputes"), (2, 10, "reports"), (2, 11, "reports")],
        LABELS,
    )

    legend = grid_legend(rows, LABELS)

    assert [m.value for m in legend.entries] == ["reports", "disputes"]
    assert legend.not_carried is False


def test_legend_names_cells_without_a_stance_and_cells_not_carried():
    rows = coverage_grid(
        [obj(1)], [obj(10), obj(11), obj(12)], [(1, 10, ""), (1, 11, "quotes")], LABELS
    )

    legend = grid_legend(rows, LABELS)

    assert [(m.value, m.symbol) for m in legend.entries] == [
        ("quotes", "■"),
        ("none", NO_STANCE_SYMBOL),
    ]
    assert legend.not_carried is True


def test_stance_colours_are_variables_with_dark_mode_values():
    css = (Path(settings.BASE_DIR) / "static/css/browse.css").read_text()
    # The dark-mode blocks: "@media (prefers-color-scheme: dark) { :root { … } }".
    dark = "".join(re.findall(r"prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}", css))
    light = re.sub(r"@media \(prefers-color-scheme: dark\) \{\s*:root \{[^}]*\}\s*\}", "", css)
    for stance in Annotation.Stance.values:
        assert f"--stance-{stance}: #" in light, stance
        assert f"--stance-{stance}: #" in dark, stance
        rule = f".stance-{stance} .stance-symbol {{ color: var(--stance-{stance}); }}"
        assert rule in css, stance


# The story page


def story_with_stances():
    story = make_story()
    alpha, zeta, omega = (make_outlet(name=name) for name in ("Alpha Post", "Zeta Times", "Omega"))
    claim = make_claim(story=story, statement="The gate failed.", status=Claim.Status.PUBLISHED)
    make_annotation(
        make_article(outlet=alpha, story=story), "memo shows", claim=claim, stance="asserts"
    )
    zeta_article = make_article(outlet=zeta, story=story)
    make_annotation(zeta_article, "memo shows", claim=claim, stance="disputes")
    make_annotation(zeta_article, "internal memo", claim=claim)
    make_article(outlet=omega, story=story, text=f"{ARTICLE_TEXT}\n\nOmega.")
    return story


@db
def test_story_grid_shows_a_symbol_beside_each_stance_word(client):
    story = story_with_stances()

    html = client.get(story.get_absolute_url()).content.decode()

    assert (
        '<span class="visually-hidden">Alpha Post: </span><span class="stance stance-asserts">'
        '<span class="stance-symbol" aria-hidden="true">▲</span> asserts</span></a></td>'
    ) in html
    assert (
        '<span class="visually-hidden">Zeta Times: </span><span class="stance stance-disputes">'
        '<span class="stance-symbol" aria-hidden="true">▼</span> disputes</span></a></td>'
    ) in html


@db
def test_story_grid_has_a_legend_above_it_for_each_symbol_shown(client):
    story = story_with_stances()

    html = client.get(story.get_absolute_url()).content.decode()

    legend = html[
        html.index('<div class="stance-legend">') : html.index(
            "</ul>", html.index('<div class="stance-legend">')
        )
    ]
    assert html.index('<div class="stance-legend">') < html.index('<table class="grid-table">')
    items = re.findall(r"<li>(.*?)</li>", legend, re.S)
    assert [re.sub(r"<[^>]+>", "", item) for item in items] == [
        "▲ Asserts: states the claim in its own voice",
        "▼ Disputes: questions or contradicts the claim",
        "— Not carried: no annotation of the outlet is under the claim",
    ]
    assert '<ul class="legend-list" aria-labelledby="legend-heading">' in legend


@db
def test_story_grid_has_a_scroll_cue_its_module_shows_when_the_table_overflows(client):
    story = story_with_stances()

    html = client.get(story.get_absolute_url()).content.decode()

    assert (
        '<p class="scroll-hint" id="grid-scroll-hint" hidden>Scroll sideways for more outlets '
        '<span aria-hidden="true">→</span></p>'
    ) in html
    assert '<script type="module" src="/static/js/coverage-grid.js"></script>' in html
    assert '<div class="grid-frame" data-grid-frame>' in html


@db
def test_story_without_a_grid_has_no_legend_or_cue(client):
    story = make_story()
    make_article(story=story)

    html = client.get(story.get_absolute_url()).content.decode()

    assert "stance-legend" not in html
    assert "grid-scroll-hint" not in html
    assert "coverage-grid.js" not in html
