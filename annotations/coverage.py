"""The story page's coverage grid: which outlet carried which claim, and how.

Plain functions over plain values: the view fetches (claim id, outlet id, stance) triples in
one query, and this module lays them out as rows of cells. Nothing here touches the database,
so it is tested without one.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Cell:
    """One outlet's handling of one claim. `stances` holds the labels of the stances its
    annotations took, in the vocabulary's order; an annotation without a stance adds none,
    so a cell can be carried with no stance to show."""

    outlet: Any
    carried: bool = False
    stances: list[str] = field(default_factory=list)


@dataclass
class Row:
    claim: Any
    cells: list[Cell]

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
    rows = []
    for claim in claims:
        cells = []
        for outlet in outlets:
            stances = stances_by_cell.get((claim.pk, outlet.pk))
            if stances is None:
                cells.append(Cell(outlet=outlet))
                continue
            labels = [label for value, label in stance_labels.items() if value in stances]
            cells.append(Cell(outlet=outlet, carried=True, stances=labels))
        rows.append(Row(claim=claim, cells=cells))
    return rows
