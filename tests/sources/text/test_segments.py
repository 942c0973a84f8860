from sources.text.segments import Segment, segment


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
