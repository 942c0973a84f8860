import pytest

from sources.text.anchoring import Span, locate_quote, quote_matches, quote_selector

TEXT = "The gate failed. Then the gate failed again, and the gate was closed."


def test_selector_takes_context_either_side():
    start = TEXT.index("Then")
    selector = quote_selector(TEXT, start, start + 4, context=5)
    assert (selector.prefix, selector.exact, selector.suffix) == ("led. ", "Then", " the ")


def test_selector_rejects_spans_outside_the_text():
    with pytest.raises(ValueError, match="outside"):
        quote_selector(TEXT, 10, len(TEXT) + 1)


def test_quote_matches_only_at_its_offsets():
    start = TEXT.index("gate")
    assert quote_matches(TEXT, start, start + 4, "gate")
    assert not quote_matches(TEXT, start + 1, start + 5, "gate")
    assert not quote_matches(TEXT, 5, 5, "")


def test_locate_quote_uses_context_to_choose_among_repeats():
    second = TEXT.index("gate failed again")
    assert locate_quote(TEXT, "gate", prefix="Then the ", suffix=" failed again") == Span(
        second, second + 4
    )
    third = TEXT.index("gate was")
    assert locate_quote(TEXT, "gate", prefix="and the ", suffix=" was") == Span(third, third + 4)
    assert locate_quote(TEXT, "bridge") is None
