import itertools
import random

from sources.text.segments import Segment, segment, segment_ranges


def test_no_spans_gives_one_plain_segment():
    assert segment(10, 20, []) == [Segment(10, 20, ())]


def test_overlapping_spans_are_cut_at_every_boundary_innermost_first():
    spans = [(12, 18, "long"), (14, 16, "short"), (30, 40, "elsewhere")]
    assert segment(10, 20, spans) == [
        Segment(10, 12, ()),
        Segment(12, 14, ("long",)),
        Segment(14, 16, ("short", "long")),
        Segment(16, 18, ("long",)),
        Segment(18, 20, ()),
    ]


def test_span_running_across_passages_is_clipped_to_each():
    spans = [(5, 25, "across")]
    assert segment(0, 10, spans) == [Segment(0, 5, ()), Segment(5, 10, ("across",))]
    assert segment(20, 30, spans) == [Segment(20, 25, ("across",)), Segment(25, 30, ())]


def test_one_sweep_over_ranges_cuts_as_segment_does_for_each():
    rng = random.Random(7)
    for _ in range(200):
        edges = sorted(rng.sample(range(0, 300), rng.randint(2, 12)))
        ranges = list(itertools.pairwise(edges))
        spans = []
        for n in range(rng.randint(0, 40)):
            start = rng.randrange(0, 299)
            spans.append((start, rng.randint(start + 1, 300), n if n % 3 else f"q{n}"))
        spans += spans[:2]  # the same span twice

        assert segment_ranges(ranges, spans) == [segment(s, e, spans) for s, e in ranges]


def test_ranges_out_of_order_are_still_cut_each_on_its_own():
    spans = [(0, 10, "a"), (5, 25, "b")]
    ranges = [(20, 30), (0, 12), (8, 22)]

    assert segment_ranges(ranges, spans) == [segment(s, e, spans) for s, e in ranges]


def test_an_empty_range_has_no_pieces():
    assert segment_ranges([(5, 5), (5, 9)], [(0, 9, "a")]) == [[], [Segment(5, 9, ("a",))]]
