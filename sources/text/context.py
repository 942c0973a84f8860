"""Context around a quote: its sentence, and a link that finds it on the original page."""

import re
from urllib.parse import quote as percent_encode

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
# The last sentence end in a span: the greedy run backs off from the span's end, in C, to
# the rightmost place a sentence end starts (none starts inside another: they begin with
# a stop, which their tail never holds), so it ends where finditer()'s last match would.
_LAST_SENTENCE_END = re.compile(r"(?s:.*)" + _SENTENCE_END.pattern)


def sentence_context(text: str, start: int, end: int, limit: int = 200) -> tuple[str, str]:
    """The rest of the sentences around text[start:end], within its paragraphs.

    Each side is cut at `limit` characters, at a word, with "…" where it was cut.
    """
    paragraph_start = text.rfind("\n", 0, start) + 1
    paragraph_end = text.find("\n", end)
    paragraph_end = len(text) if paragraph_end == -1 else paragraph_end

    last = _LAST_SENTENCE_END.match(text, paragraph_start, start)
    sentence_start = last.end() if last else paragraph_start
    match = _SENTENCE_END.search(text, end, paragraph_end)
    sentence_end = match.end() if match else paragraph_end

    before = text[sentence_start:start]
    after = text[end:sentence_end].rstrip()
    if len(before) > limit:
        cut = before[-limit:]
        before = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    if len(after) > limit:
        cut = after[:limit]
        after = (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"
    return before, after


def _fragment_part(words: str) -> str:
    # Text fragments need "-", "&" and "," encoded too (they are its syntax).
    return percent_encode(words, safe="").replace("-", "%2D")


def text_fragment(exact: str, max_words: int = 6) -> str:
    """A URL fragment (#:~:text=…) that makes supporting browsers scroll to `exact`.

    Long quotes, and quotes over several paragraphs, become a start and an end
    ("text=first words,last words") so the link stays short and still matches.
    """
    paragraphs = [line.split() for line in exact.split("\n") if line.strip()]
    if not paragraphs:
        return ""
    if len(paragraphs) == 1 and len(paragraphs[0]) <= max_words * 2:
        return "#:~:text=" + _fragment_part(" ".join(paragraphs[0]))
    first = " ".join(paragraphs[0][:max_words])
    last = " ".join(paragraphs[-1][-max_words:])
    return f"#:~:text={_fragment_part(first)},{_fragment_part(last)}"
