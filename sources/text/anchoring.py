"""Anchoring annotations in article text, the way the W3C Web Annotation model does:
a character position plus the exact quote with some text before and after it.

Offsets count Unicode code points, as Python strings do.
"""

from dataclasses import dataclass

CONTEXT_LENGTH = 32


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class QuoteSelector:
    exact: str
    prefix: str
    suffix: str


def quote_selector(text: str, start: int, end: int, context: int = CONTEXT_LENGTH) -> QuoteSelector:
    """The exact quote at [start, end) and up to `context` characters either side."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}-{end} is outside a text of {len(text)} characters")
    return QuoteSelector(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


def quote_matches(text: str, start: int, end: int, exact: str) -> bool:
    """Whether `exact` is what the text holds at [start, end)."""
    return 0 <= start < end <= len(text) and text[start:end] == exact


def locate_quote(text: str, exact: str, prefix: str = "", suffix: str = "") -> Span | None:
    """Find `exact` in `text`, using prefix and suffix to choose among repeats.

    Returns the occurrence whose surroundings agree with the most characters of
    prefix and suffix; None when the quote is not in the text at all.
    """
    if not exact:
        return None
    best: Span | None = None
    best_score = -1
    position = text.find(exact)
    while position != -1:
        end = position + len(exact)
        score = common_suffix(text[max(0, position - len(prefix)) : position], prefix)
        score += common_prefix(text[end : end + len(suffix)], suffix)
        if score > best_score:
            best, best_score = Span(position, end), score
        position = text.find(exact, position + 1)
    return best


def common_prefix(a: str, b: str) -> int:
    """How many characters a and b share at their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def common_suffix(a: str, b: str) -> int:
    """How many characters a and b share at their end."""
    return common_prefix(a[::-1], b[::-1])
