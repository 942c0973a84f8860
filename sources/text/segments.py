"""Cutting a stretch of text where highlights begin and end, so overlaps can be drawn."""

import bisect
import heapq
import itertools
from collections.abc import Hashable, Sequence
from typing import NamedTuple


class Segment(NamedTuple):
    """A piece of text. A named tuple: an article's reader makes a thousand of them, and a
    tuple is made in half the time of a frozen dataclass."""

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


def segment_ranges(
    ranges: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int, Hashable]]
) -> list[list[Segment]]:
    """segment() for each of `ranges` (a text's passages, in order), in one sweep.

    segment() looks at every span for every piece of every range: an article with 400
    annotations and 100 passages did millions of comparisons. Here the boundaries are sorted
    once and each span enters and leaves a set of open spans once, so the cost follows the
    number of boundaries. Ranges that overlap or go backwards fall back to segment().
    """
    if any(b[0] < a[1] for a, b in itertools.pairwise(ranges)):
        return [segment(start, end, spans) for start, end in ranges]
    # By start alone (the sort is stable): keys of different types do not compare.
    spans = sorted(((s, e, key) for s, e, key in spans if s < e), key=lambda span: span[0])
    cuts = sorted({*(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    # The open spans by their place in `spans`, each as it sorts: shortest first, then the
    # one starting last, then in the order of `spans` (as segment() sorts them, stably).
    open_spans: dict[int, tuple[int, int, int, Hashable]] = {}
    ends: list[tuple[int, int]] = []
    entered = 0
    keys: tuple = ()
    result = []
    for start, end in ranges:
        low, high = bisect.bisect_right(cuts, start), bisect.bisect_left(cuts, end)
        points = [start, *cuts[low:high], end] if start < end else [start]
        pieces = []
        for left, right in itertools.pairwise(points):
            # Open every span starting at or before this piece; close those ended by it.
            changed = False
            while entered < len(spans) and spans[entered][0] <= left:
                s, e, key = spans[entered]
                open_spans[entered] = (e - s, -s, entered, key)
                heapq.heappush(ends, (e, entered))
                entered += 1
                changed = True
            while ends and ends[0][0] <= left:
                del open_spans[heapq.heappop(ends)[1]]
                changed = True
            if changed:  # Otherwise the piece has the keys of the one before.
                keys = tuple(item[3] for item in sorted(open_spans.values()))
            pieces.append(Segment(left, right, keys))
        result.append(pieces)
    return result
