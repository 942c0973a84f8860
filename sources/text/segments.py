"""Cutting a stretch of text where highlights begin and end, so overlaps can be drawn."""

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    # Keys of the spans covering this segment, innermost (shortest) first.
    keys: tuple


def segment(start: int, end: int, spans: Sequence[tuple[int, int, Hashable]]) -> list[Segment]:
    """Split [start, end) at every span boundary inside it.

    Each piece lists the spans that cover it, so overlapping highlights can be
    drawn piece by piece. Spans outside [start, end) are ignored.
    """
    inside = [(max(s, start), min(e, end), key) for s, e, key in spans if s < end and e > start]
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    pieces = []
    for left, right in itertools.pairwise(cuts):
        covering = [(e - s, s, key) for s, e, key in spans if s <= left and e >= right]
        covering.sort(key=lambda item: (item[0], -item[1]))
        pieces.append(Segment(left, right, tuple(key for _, _, key in covering)))
    return pieces
