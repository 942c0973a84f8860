"""The story page's coverage grid: which outlet carried which claim, and how.

Plain functions over plain values: the view fetches (claim id, outlet id, stance) triples in
one query, and this module lays them out as rows of cells. Nothing here touches the database,
so it is tested without one.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.utils.html import escape
from django.utils.safestring import mark_safe

# Each stance has a shape as well as a colour, so the grid never speaks through colour
# alone (WCAG 1.4.1); the shapes differ in outline, so they read in greyscale too.
STANCE_SYMBOLS = {
    "asserts": "▲",
    "reports": "●",
    "disputes": "▼",
    "quotes": "■",
    "other": "◆",
}
STANCE_MEANINGS = {
    "asserts": "states the claim in its own voice",
    "reports": "reports that someone made the claim",
    "disputes": "questions or contradicts the claim",
    "quotes": "quotes someone making the claim",
    "other": "carries the claim some other way",
}
# A cell whose annotations took no stance: carried all the same.
NO_STANCE = "none"
NO_STANCE_SYMBOL = "○"


@dataclass(frozen=True)
class StanceMark:
    """A stance as the grid shows it: its value (for the CSS class), label and symbol."""

    value: str
    label: str
    symbol: str
    meaning: str = ""


def stance_mark(value: str, label: str) -> StanceMark:
    return StanceMark(
        value=value,
        label=label,
        symbol=STANCE_SYMBOLS.get(value, STANCE_SYMBOLS["other"]),
        meaning=STANCE_MEANINGS.get(value, ""),
    )


NO_STANCE_MARK = StanceMark(
    value=NO_STANCE,
    label="Carried",
    symbol=NO_STANCE_SYMBOL,
    meaning="the outlet carried the claim; no stance was given",
)


@dataclass
class Cell:
    """One outlet's handling of one claim. `marks` holds the stances its annotations took,
    in the vocabulary's order; an annotation without a stance adds none, so a cell can be
    carried with no stance to show."""

    outlet: Any
    carried: bool = False
    marks: list[StanceMark] = field(default_factory=list)

    @property
    def stances(self) -> list[str]:
        """The stances' labels."""
        return [mark.label for mark in self.marks]


@dataclass
class Row:
    claim: Any
    cells: list[Cell]
    # The cells as HTML (render_cells()), for the template to print in one go.
    cells_html: str = ""

    @property
    def outlet_count(self) -> int:
        return sum(cell.carried for cell in self.cells)


def coverage_grid(
    claims: Sequence[Any],
    outlets: Sequence[Any],
    carried: Iterable[tuple[int, int, str]],
    stance_labels: Mapping[str, str],
) -> list[Row]:
    """A row per claim, a cell per outlet, in the orders given.

    `claims` and `outlets` are objects with a `pk`; `carried` holds (claim pk, outlet pk,
    stance) triples, repeats allowed; `stance_labels` maps each stance value to its label,
    in display order. Triples for a claim or outlet not in the lists are ignored (a claim
    hidden from this reader, say); so is a stance not in `stance_labels`, beyond marking
    the cell carried.
    """
    stances_by_cell: dict[tuple[int, int], set[str]] = defaultdict(set)
    for claim_pk, outlet_pk, stance in carried:
        stances_by_cell[claim_pk, outlet_pk].add(stance)
    # A grid of a thousand cells has a handful of combinations of stances: each one's
    # marks are made once, and each outlet's pk read once, not once per cell.
    marks_of: dict[frozenset[str], list[StanceMark]] = {}
    columns = [(outlet, outlet.pk) for outlet in outlets]
    rows = []
    for claim in claims:
        claim_pk = claim.pk
        cells = []
        for outlet, outlet_pk in columns:
            stances = stances_by_cell.get((claim_pk, outlet_pk))
            if stances is None:
                cells.append(Cell(outlet=outlet))
                continue
            key = frozenset(stances)
            marks = marks_of.get(key)
            if marks is None:
                marks = marks_of[key] = [
                    stance_mark(value, label)
                    for value, label in stance_labels.items()
                    if value in stances
                ]
            cells.append(Cell(outlet=outlet, carried=True, marks=list(marks)))
        rows.append(Row(claim=claim, cells=cells))
    return rows


@dataclass(frozen=True)
class Legend:
    """What the grid's legend explains: the stances it shows, in the vocabulary's order,
    whether a cell is carried with no stance, and whether a cell is empty (a dash)."""

    marks: list[StanceMark]
    no_stance: bool
    not_carried: bool

    @property
    def entries(self) -> list[StanceMark]:
        return self.marks + ([NO_STANCE_MARK] if self.no_stance else [])


def grid_legend(rows: Sequence[Row], stance_labels: Mapping[str, str]) -> Legend:
    """The legend of `rows`: only what the grid shows, so every entry explains a cell."""
    used: set[str] = set()
    no_stance = not_carried = False
    for row in rows:
        for cell in row.cells:
            if not cell.carried:
                not_carried = True
            elif cell.marks:
                used.update(mark.value for mark in cell.marks)
            else:
                no_stance = True
    marks = [stance_mark(value, label) for value, label in stance_labels.items() if value in used]
    return Legend(marks=marks, no_stance=no_stance, not_carried=not_carried)


NOT_CARRIED_HTML = (
    '<td class="not-carried"><span aria-hidden="true">—</span>'
    '<span class="visually-hidden">not covered</span></td>'
)


def _mark_html(value: str, symbol: str, label: str) -> str:
    return (
        f'<span class="stance stance-{escape(value)}"><span class="stance-symbol" '
        f'aria-hidden="true">{escape(symbol)}</span> {escape(label.lower())}</span>'
    )


def render_cells(rows: Sequence[Row], claim_url) -> None:
    """Give each row its cells as HTML in `cells_html`: a carried cell links to the claim's
    page filtered to the outlet (`claim_url(claim)` gives its address), a cell not carried
    shows a dash. A grid repeats these a thousand times, so they are built here as strings,
    each outlet's name and slug escaped once, not rendered cell by cell by the template."""
    outlets: dict[int, tuple[str, str]] = {}
    no_stance = _mark_html(NO_STANCE, NO_STANCE_SYMBOL, "carried")
    # Each combination of stances written once: a grid has a handful.
    written: dict[tuple[str, ...], str] = {}
    for row in rows:
        href = escape(claim_url(row.claim))
        parts = []
        for cell in row.cells:
            if not cell.carried:
                parts.append(NOT_CARRIED_HTML)
                continue
            outlet = cell.outlet
            # By the object itself: each row's cells share the grid's outlets.
            known = outlets.get(id(outlet))
            if known is None:
                known = outlets[id(outlet)] = (
                    escape(quote(outlet.slug, safe="/")),
                    escape(outlet.name),
                )
            slug, name = known
            key = tuple(mark.value for mark in cell.marks)
            marks = written.get(key)
            if marks is None:
                marks = written[key] = (
                    ", ".join(_mark_html(m.value, m.symbol, m.label) for m in cell.marks)
                    or no_stance
                )
            parts.append(
                f'<td class="carried"><a href="{href}?outlets={slug}">'
                f'<span class="visually-hidden">{name}: </span>{marks}</a></td>'
            )
        row.cells_html = mark_safe("".join(parts))
