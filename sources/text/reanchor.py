"""Finding annotations again after an article's text was corrected.

An annotation is anchored the W3C way: offsets into the text it was made on, the
exact quote, and some text before (prefix) and after (suffix). When the article's
text changes, `reanchor` places each annotation in the new text, or says it
cannot, and never guesses silently:

1. A word-level diff of the old and new texts (moved paragraphs included) maps
   offsets exactly where the annotation's words and their surroundings survived
   (a few words either side, within the paragraph; or, on one side only, when
   the annotation is long enough not to be paired by chance and has not moved
   alone into other surroundings). Status "anchored", method "diff".
2. Only what the diff cannot place is searched for:
   - the exact quote with its exact prefix and suffix: "anchored", "exact";
   - the exact quote where its surroundings changed, chosen among its
     occurrences by the context and the diff's idea of where it should be:
     "anchored", "context" for a clear winner, else "review";
   - the quote's own words changed: the diff's projection of the old span and
     normalised occurrences are scored on quote and context. Only changes that
     vanish under normalisation (quotation marks, dashes, whitespace, case) are
     applied ("anchored", "fuzzy"); a real word change goes to "review".
3. A place whose words the diff maps to OTHER words of the old text (an
   identical or near-identical copy that was already there) never wins: at most
   it is proposed for review.
4. Nothing plausible: "orphaned". Nothing is ever deleted here; callers keep the
   old data of annotations in review or orphaned.

Offsets count code points, as Python strings do. Pure functions: no Django.
"""

import bisect
import difflib
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sources.text.anchoring import common_prefix, common_suffix

ANCHORED = "anchored"
REVIEW = "review"
ORPHANED = "orphaned"

# A search result is scored on the quote and its context together: the
# similarity of the quote, of the prefix and of the suffix (each 0..1, compared
# after normalising quotation marks, dashes, whitespace and case), averaged with
# each part weighted by its length in characters. A short quote thus relies on
# its context and a paragraph-long quote on itself.
#
# 0.9 is the line between applying a search result and asking an editor: at most
# one character in ten of quote-plus-context may disagree. Measured on the test
# article: a word changed just before or after a sentence scores 0.91 to 0.97, and
# so does a one-word quote whose neighbouring word changed (0.94); but a one-word
# quote whose sentence was rewritten scores 0.67, the same word elsewhere 0.34,
# and an identical sentence standing in other surroundings 0.6 to 0.8. Above the
# line a result is still applied only when the quote differs at most by
# normalisation, the place is clearly better than any other (SEARCH_MARGIN) and
# it is not a copy of other text.
REVIEW_THRESHOLD = 0.9
# Below this score a place shares too little with the annotation to be worth an
# editor's time: the annotation is orphaned rather than sent to review.
PROPOSAL_FLOOR = 0.5
# A proposal's own words must resemble the quote this much (ratio of matching
# characters), whatever its context: a sentence rewritten in place is not a
# proposal for the old sentence.
QUOTE_FLOOR = 0.7
# The winning place must beat the next best other place by this much.
SEARCH_MARGIN = 0.05
# Surroundings the diff must keep for an annotation to follow it: this many words
# either side, counted up to a line break or the edge of the text (paragraphs
# move as a whole, so what lies beyond a line break does not count).
DIFF_CONTEXT_WORDS = 3
# Where one side's surroundings changed, an annotation still follows the diff
# when it stays in the diff's order and its surviving run of words (its own
# words plus the unchanged context) is at least this long: the in-order diff does
# not pair runs of that length by chance.
MIN_RUN_WORDS = 5
# Blocks that moved (deleted in one place, inserted in another) are paired in a
# second pass only when they hold at least this many words, so that common short
# phrases are not taken for moved text.
MIN_MOVED_WORDS = 5
MOVE_PASSES = 4
# Runs of fewer words than this that the first pass pairs between changes are
# coincidences of rewritten text, and are unpaired (see _drop_islands).
MIN_ISLAND_WORDS = 3
# Occurrences of a quote scored in full; more (a one-word quote among many) are
# first narrowed by a cheap context comparison.
MAX_CANDIDATES = 24
# Above this many token pairs, the diff's fallback for stretches without unique
# words runs with difflib's junk heuristic (quicker, coarser).
FALLBACK_LIMIT = 100_000
# Above this many token pairs left for the moved-blocks pass, it uses the patience
# diff instead of difflib's longest-blocks-first matching.
MOVE_LIMIT = 4_000_000


@dataclass(frozen=True)
class Anchor:
    """Where an annotation sits in the OLD text."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Placement:
    """Where the annotation goes in the NEW text.

    status: "anchored" (start/end is its new place), "review" (start/end is the
    proposed place, or None when there is none) or "orphaned" (None).
    method: "diff", "exact", "context", "fuzzy" or "none".
    score: 1.0 for "diff" and "exact"; the search score (see REVIEW_THRESHOLD)
    for "context" and "fuzzy"; 0.0 when orphaned.
    """

    status: str
    start: int | None
    end: int | None
    method: str
    score: float


# Words, runs of whitespace, and single other characters (punctuation).
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WHITESPACE = re.compile(r"\s+")
_TYPOGRAPHY = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
    }
)


def normalise(text: str) -> str:
    """Text with the differences a correction may make harmlessly taken out:
    quotation marks and dashes unified, whitespace runs made one space, case folded."""
    return _WHITESPACE.sub(" ", text.translate(_TYPOGRAPHY)).casefold()


def _token_key(token: str) -> str:
    # Whitespace compares by kind only (a space is a space, a line break a line
    # break), so reflowed text still lines up word for word without letting the
    # diff slide across paragraph boundaries.
    if token[0].isspace():
        return "\n" if "\n" in token else " "
    return token.translate(_TYPOGRAPHY).casefold()


@dataclass
class _Tokens:
    text: str
    starts: list[int]
    ends: list[int]
    keys: list[int]
    words: list[bool]
    breaks: list[bool]

    def index_at(self, offset: int) -> int:
        """The token holding the character at `offset`."""
        return bisect.bisect_right(self.starts, offset) - 1


def _tokenise(text: str, interned: dict[str, int]) -> _Tokens:
    tokens = _TOKEN.findall(text)
    ends = list(itertools.accumulate(map(len, tokens)))
    starts = [0, *ends[:-1]] if tokens else []
    # Most tokens repeat ("the", " "): work each distinct one out once.
    known: dict[str, tuple[int, bool, bool]] = {}
    for token in set(tokens):
        first = token[0]
        known[token] = (
            interned.setdefault(_token_key(token), len(interned)),
            first.isalnum() or first == "_",
            first.isspace() and "\n" in token,
        )
    described = [known[token] for token in tokens]
    return _Tokens(
        text,
        starts,
        ends,
        [d[0] for d in described],
        [d[1] for d in described],
        [d[2] for d in described],
    )


# ---------------------------------------------------------------------------
# The diff: patience-style matching of tokens, then a pass for moved blocks.


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs increasing in their second item (patience sorting)."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_index.append(n)
        else:
            tails[k] = j
            tail_index[k] = n
        previous[n] = tail_index[k - 1] if k else -1
    chain: list[tuple[int, int]] = []
    n = tail_index[-1] if tail_index else -1
    while n != -1:
        chain.append(pairs[n])
        n = previous[n]
    chain.reverse()
    return chain


def _unique_pairs(
    a: Sequence[int], b: Sequence[int], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Tokens found exactly once in each range, as (i, j) in the order of a."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    position_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1 and count_a.get(b[j]) == 1}
    return [(i, position_b[a[i]]) for i in range(alo, ahi) if a[i] in position_b]


def _match(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Pairs (i, j) of equal tokens, increasing in both, like a diff's equal runs.

    Patience diff: common ends first, then tokens unique on both sides anchor the
    alignment, and the gaps between them are matched the same way; difflib takes
    the gaps that have no unique tokens. This stays near linear on long texts where
    difflib alone slows down on words as common as "the".
    """
    pairs: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            pairs.append((alo, blo))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            pairs.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        anchors = _longest_increasing(_unique_pairs(a, b, alo, ahi, blo, bhi))
        if anchors:
            previous_a, previous_b = alo, blo
            for i, j in anchors:
                pairs.append((i, j))
                stack.append((previous_a, i, previous_b, j))
                previous_a, previous_b = i + 1, j + 1
            stack.append((previous_a, ahi, previous_b, bhi))
            continue
        small = (ahi - alo) * (bhi - blo) <= FALLBACK_LIMIT
        matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=not small)
        for block in matcher.get_matching_blocks():
            pairs.extend((alo + block.a + k, blo + block.b + k) for k in range(block.size))
    pairs.sort()
    return pairs


@dataclass
class _Alignment:
    old_to_new: list[int]
    new_to_old: list[int]
    # Old tokens paired by the moved-blocks pass rather than in order.
    moved: list[bool]


def _align(old: _Tokens, new: _Tokens) -> _Alignment:
    old_to_new = [-1] * len(old.keys)
    new_to_old = [-1] * len(new.keys)
    moved = [False] * len(old.keys)
    for i, j in _match(old.keys, new.keys):
        old_to_new[i], new_to_old[j] = j, i
    _slide_to_boundaries(old, old_to_new, new_to_old)
    _slide_to_boundaries(new, new_to_old, old_to_new)
    _drop_islands(old, new, old_to_new, new_to_old)
    # A paragraph that moved is a deletion in one place and an equal insertion in
    # another: match what is left on each side against each other.
    for _ in range(MOVE_PASSES):
        left_old = [i for i, j in enumerate(old_to_new) if j < 0]
        left_new = [j for j, i in enumerate(new_to_old) if i < 0]
        if not left_old or not left_new:
            break
        runs: list[list[tuple[int, int]]] = []
        # Longest blocks first (difflib's way), not the patience diff's common
        # ends: what is left is mostly moved blocks among insertions. When much
        # is left (most of the text rewritten) difflib would take seconds, and
        # the patience diff stands in.
        a = [old.keys[i] for i in left_old]
        b = [new.keys[j] for j in left_new]
        if len(a) * len(b) <= MOVE_LIMIT:
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            pairs = [
                (block.a + k, block.b + k)
                for block in matcher.get_matching_blocks()
                for k in range(block.size)
            ]
        else:
            pairs = _match(a, b)
        for x, y in pairs:
            i, j = left_old[x], left_new[y]
            # A run is contiguous on both sides; it is cut at line breaks, so that
            # a moved paragraph does not lend its neighbour's first words to
            # another paragraph that begins the same way.
            if runs and runs[-1][-1] == (i - 1, j - 1) and not old.breaks[i - 1]:
                runs[-1].append((i, j))
            else:
                runs.append([(i, j)])
        found = False
        for run in runs:
            if not _moved_block(old, new, run):
                continue
            found = True
            for i, j in run:
                old_to_new[i], new_to_old[j] = j, i
                moved[i] = True
        if not found:
            break
    if any(moved):
        _slide_to_boundaries(old, old_to_new, new_to_old, moved)
        _slide_to_boundaries(new, new_to_old, old_to_new)
    return _Alignment(old_to_new, new_to_old, moved)


def _moved_block(old: _Tokens, new: _Tokens, run: list[tuple[int, int]]) -> bool:
    """Whether a run the moved-blocks pass paired is text that moved: long enough
    not to be a common phrase, or a whole paragraph on both sides."""
    words = sum(old.words[i] for i, _ in run)
    if words >= MIN_MOVED_WORDS:
        return True
    (i_lo, j_lo), (i_hi, j_hi) = run[0], run[-1]
    whole = all(
        (lo == 0 or side.breaks[lo - 1]) and (hi == len(side.keys) - 1 or side.breaks[hi + 1])
        for side, lo, hi in ((old, i_lo, i_hi), (new, j_lo, j_hi))
    )
    return words > 0 and whole


def _drop_islands(old: _Tokens, new: _Tokens, old_to_new: list[int], new_to_old: list[int]) -> None:
    """Unpair short runs of equal tokens stranded among changes.

    Inside rewritten text the diff pairs whatever small words the two versions
    happen to share ("the", "Harbour council", a full stop), and a run of equal
    paragraphs may run on into the first word of the next, different paragraph.
    Such pairs mean nothing, and they would keep those tokens from the
    moved-blocks pass. Runs are judged paragraph by paragraph: a piece of fewer
    than MIN_ISLAND_WORDS words goes unless it is a whole paragraph on both sides.
    """
    count = len(old_to_new)

    def whole(side: _Tokens, lo: int, hi: int) -> bool:
        return (lo == 0 or side.breaks[lo - 1]) and (hi == len(side.keys) or side.breaks[hi])

    i = 0
    while i < count:
        if old_to_new[i] < 0:
            i += 1
            continue
        run_lo = i
        i += 1
        while i < count and old_to_new[i] == old_to_new[i - 1] + 1:
            i += 1
        run_hi = i
        # Pieces between line breaks: (lo, hi) in old token indices.
        pieces: list[tuple[int, int]] = []
        lo = run_lo
        for k in range(run_lo, run_hi + 1):
            if k == run_hi or old.breaks[k]:
                if k > lo:
                    pieces.append((lo, k))
                lo = k + 1
        kept: set[int] = set()
        for lo, hi in pieces:
            j_lo, j_hi = old_to_new[lo], old_to_new[hi - 1] + 1
            short = sum(old.words[lo:hi]) < MIN_ISLAND_WORDS
            if not short or (whole(old, lo, hi) and whole(new, j_lo, j_hi)):
                kept.update(range(lo, hi))
        for k in range(run_lo, run_hi):
            if k in kept:
                continue
            if old.breaks[k] and (k - 1 in kept or k + 1 in kept):
                continue
            new_to_old[old_to_new[k]] = -1
            old_to_new[k] = -1


def _boundary(side: _Tokens, at: int) -> int:
    """How natural a place token index `at` (between tokens at-1 and at) is for a
    change to begin or end: text edge, line break, after punctuation, at a space."""
    if at <= 0 or at >= len(side.keys):
        return 6
    if side.breaks[at - 1] or side.breaks[at]:
        return 5
    text = side.text
    before, after = text[side.starts[at - 1]], text[side.starts[at]]
    if not before.isspace() and not side.words[at - 1] and after.isspace():
        return 3
    if before.isspace() or after.isspace():
        return 2
    return 1


def _slide_to_boundaries(
    side: _Tokens, to_other: list[int], from_other: list[int], moved: list[bool] | None = None
) -> None:
    """Shift each pure deletion (or insertion) to the most natural boundaries.

    A diff may cut a deleted paragraph as "opposition … said.\n\nThe " where the
    same tokens could be cut "The opposition … said.\n\n", or keep "wall" and
    delete ". More words" where it could keep "wall." and delete " More words.":
    all are correct diffs, but only the natural cut keeps paragraphs and sentences
    whole, which the moved-blocks pass and the annotations on them need. Equal
    tokens at both ends of a block make the shift possible.
    """
    keys, count = side.keys, len(side.keys)
    i = 0
    while i < count:
        if to_other[i] >= 0:
            i += 1
            continue
        lo = i
        while i < count and to_other[i] < 0:
            i += 1
        hi = i
        # Only blocks between two kept tokens that are neighbours on the other side.
        if lo == 0 or hi == count or to_other[hi] != to_other[lo - 1] + 1:
            continue
        back = 0
        while (
            lo - back - 1 >= 0
            and to_other[lo - back - 1] == to_other[lo - 1] - back
            and keys[lo - back - 1] == keys[hi - back - 1]
        ):
            back += 1
        forward = 0
        while (
            hi + forward < count
            and to_other[hi + forward] == to_other[hi] + forward
            and keys[lo + forward] == keys[hi + forward]
        ):
            forward += 1
        if not back and not forward:
            continue
        shift = max(
            range(-back, forward + 1),
            key=lambda k: (_boundary(side, lo + k) + _boundary(side, hi + k), -abs(k)),
        )
        # Each pairing moves from token `giver` to token `taker` (with its flag
        # of having been paired by the moved-blocks pass, on the old side).
        if shift < 0:
            moves = [(lo - m, hi - m) for m in range(1, -shift + 1)]
        else:
            moves = [(hi + m, lo + m) for m in range(shift)]
        for giver, taker in moves:
            j = to_other[giver]
            to_other[taker], to_other[giver] = j, -1
            from_other[j] = taker
            if moved is not None:
                moved[taker], moved[giver] = moved[giver], False
        i = hi + max(shift, 0)


# ---------------------------------------------------------------------------
# word_diff: what changed, for pages that show it.


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Runs of ("equal" | "delete" | "insert", text) turning `old` into `new`.

    Joining the equal and delete runs gives `old`; the equal and insert runs give
    `new`. Words compare exactly (a change of case or quotation marks shows).
    Spaces and punctuation alone between two changes are folded into the change,
    so a rewritten phrase reads as one deletion and one insertion.
    """
    old_tokens = [m.group() for m in _TOKEN.finditer(old)]
    new_tokens = [m.group() for m in _TOKEN.finditer(new)]
    interned: dict[str, int] = {}
    a = [interned.setdefault(t, len(interned)) for t in old_tokens]
    b = [interned.setdefault(t, len(interned)) for t in new_tokens]
    pairs = _match(a, b)
    # Segments: (old_lo, old_hi, new_lo, new_hi, equal?)
    segments: list[tuple[int, int, int, int, bool]] = []
    i = j = 0
    for pi, pj in [*pairs, (len(a), len(b))]:
        if pi > i or pj > j:
            segments.append((i, pi, j, pj, False))
        if pi < len(a):
            if segments and segments[-1][4] and segments[-1][1] == pi:
                lo_a, _, lo_b, _, _ = segments[-1]
                segments[-1] = (lo_a, pi + 1, lo_b, pj + 1, True)
            else:
                segments.append((pi, pi + 1, pj, pj + 1, True))
        i, j = pi + 1, pj + 1
    # Fold equal segments without words that sit between two changes.
    folded: list[tuple[int, int, int, int, bool]] = []
    for n, segment in enumerate(segments):
        lo_a, hi_a, lo_b, hi_b, equal = segment
        between = 0 < n < len(segments) - 1
        wordless = not any(t[0].isalnum() or t[0] == "_" for t in old_tokens[lo_a:hi_a])
        if equal and between and wordless:
            equal = False
        if folded and not equal and not folded[-1][4]:
            p_lo_a, _, p_lo_b, _, _ = folded[-1]
            folded[-1] = (p_lo_a, hi_a, p_lo_b, hi_b, False)
        else:
            folded.append((lo_a, hi_a, lo_b, hi_b, equal))
    runs: list[tuple[str, str]] = []
    for lo_a, hi_a, lo_b, hi_b, equal in folded:
        if equal:
            runs.append(("equal", "".join(old_tokens[lo_a:hi_a])))
            continue
        if hi_a > lo_a:
            runs.append(("delete", "".join(old_tokens[lo_a:hi_a])))
        if hi_b > lo_b:
            runs.append(("insert", "".join(new_tokens[lo_b:hi_b])))
    return runs


# ---------------------------------------------------------------------------
# Re-anchoring.


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    score: float
    quote_similarity: float
    # The quote differs at most by normalisation (or not at all).
    harmless: bool
    # Prefix and suffix stand unchanged, character for character.
    exact_context: bool
    # Most of its words are the diff's image of other words of the old text.
    copy: bool
    method: str


class _Reanchoring:
    """What one correction shares across its anchors: the tokens and the diff."""

    def __init__(self, old_text: str, new_text: str) -> None:
        interned: dict[str, int] = {}
        self.old_text = old_text
        self.new_text = new_text
        self.old = _tokenise(old_text, interned)
        self.new = _tokenise(new_text, interned)
        self.alignment = _align(self.old, self.new)
        self._normalised_new: tuple[str, list[int]] | None = None

    # -- step 1: the diff -------------------------------------------------

    def place(self, anchor: Anchor) -> Placement:
        if not anchor.exact or anchor.start >= anchor.end:
            return Placement(ORPHANED, None, None, "none", 0.0)
        in_old = self.old_text[anchor.start : anchor.end] == anchor.exact
        tokens = (self.old.index_at(anchor.start), self.old.index_at(anchor.end - 1))
        if in_old:
            span = self._by_diff(anchor, *tokens)
            if span is not None:
                return Placement(ANCHORED, span[0], span[1], "diff", 1.0)
        projection = self._project(anchor, *tokens) if in_old else None
        return self._search(anchor, tokens if in_old else None, projection)

    def _by_diff(self, anchor: Anchor, first: int, last: int) -> tuple[int, int] | None:
        old, new, to_new = self.old, self.new, self.alignment.old_to_new
        for i in range(first, last + 1):
            if to_new[i] < 0 or (i > first and to_new[i] != to_new[i - 1] + 1):
                return None
        start = new.starts[to_new[first]] + anchor.start - old.starts[first]
        end = new.starts[to_new[last]] + anchor.end - old.starts[last]
        if self.new_text[start:end] != anchor.exact:
            return None
        left_words, left_kept = self._surviving(first, -1)
        right_words, right_kept = self._surviving(last, +1)
        if left_kept and right_kept:
            return start, end
        moved = any(self.alignment.moved[i] for i in range(first, last + 1))
        if moved and not self._same_paragraph(first, last):
            # Moved on its own into other surroundings: as good as a deleted
            # sentence whose copy stands elsewhere; the search decides.
            return None
        own_words = sum(old.words[first : last + 1])
        if own_words + left_words + right_words >= MIN_RUN_WORDS:
            return start, end
        return None

    def _same_paragraph(self, first: int, last: int) -> bool:
        """Whether a moved annotation still stands among its own surroundings.

        True when the paragraph it now stands in holds other words of its old
        paragraph (sentences swapped within a paragraph), or no words from any
        other old paragraph (its paragraph was rewritten around it). False when
        it went, alone, into text that stood elsewhere before: other surroundings.
        """
        old, new = self.old, self.new
        to_new, to_old = self.alignment.old_to_new, self.alignment.new_to_old
        old_lo, old_hi = _paragraph_of(old, first, last)
        new_lo, new_hi = _paragraph_of(new, to_new[first], to_new[last])
        elsewhere = False
        for j in range(new_lo, new_hi + 1):
            i = to_old[j]
            if i < 0 or not new.words[j] or first <= i <= last:
                continue
            if old_lo <= i <= old_hi:
                return True
            elsewhere = True
        return not elsewhere

    def _surviving(self, edge: int, step: int) -> tuple[int, bool]:
        """Context words beside token `edge` that the diff keeps next to it, and
        whether the whole context window (DIFF_CONTEXT_WORDS words, up to a line
        break or the text's edge) was kept."""
        old, to_new = self.old, self.alignment.old_to_new
        words = 0
        i = edge + step
        while 0 <= i < len(old.keys) and words < DIFF_CONTEXT_WORDS and not old.breaks[i]:
            if to_new[i] < 0 or to_new[i] != to_new[i - step] + step:
                return words, False
            words += old.words[i]
            i += step
        return words, True

    # -- step 2: where the diff would put it --------------------------------

    def _project(self, anchor: Anchor, first: int, last: int) -> tuple[int, int] | None:
        """The new span the diff suggests for the old one, even where words changed:
        offsets of kept tokens carry over; changed ends take the edge of the nearest
        kept token outside, or inside when the outside one moved elsewhere."""
        to_new = self.alignment.old_to_new
        inside = [i for i in range(first, last + 1) if to_new[i] >= 0]
        start = self._project_edge(anchor.start, first, inside[0] if inside else None, -1)
        end = self._project_edge(anchor.end, last, inside[-1] if inside else None, +1)
        if start is None or end is None or start >= end:
            return None
        if end - start > 2 * len(anchor.exact) + 64:
            return None
        # Trim whitespace the quote does not have at its ends.
        while start < end and self.new_text[start].isspace() and not anchor.exact[0].isspace():
            start += 1
        while end > start and self.new_text[end - 1].isspace() and not anchor.exact[-1].isspace():
            end -= 1
        if start >= end or not any(c.isalnum() for c in self.new_text[start:end]):
            return None
        return start, end

    def _project_edge(self, offset: int, edge: int, inner: int | None, step: int) -> int | None:
        old, new, to_new = self.old, self.new, self.alignment.old_to_new
        if to_new[edge] >= 0:
            j = to_new[edge]
            if step < 0:
                return min(new.starts[j] + offset - old.starts[edge], new.ends[j])
            if offset >= old.ends[edge]:
                return new.ends[j]
            return min(new.starts[j] + offset - old.starts[edge], new.ends[j])
        # The edge token changed: look for the nearest kept token outside.
        outer = edge + step
        while 0 <= outer < len(to_new) and to_new[outer] < 0 and abs(outer - edge) < 64:
            outer += step
        outside: int | None
        if outer < 0:
            outside = 0
        elif outer >= len(to_new):
            outside = len(self.new_text)
        elif to_new[outer] >= 0:
            j = to_new[outer]
            outside = new.ends[j] if step < 0 else new.starts[j]
        else:
            outside = None
        if inner is None:
            return outside
        j_inner = to_new[inner]
        inner_edge = new.starts[j_inner] if step < 0 else new.ends[j_inner]
        near = abs(inner - edge) * 2 + 64
        if outside is not None and 0 <= (inner_edge - outside) * -step <= near * 8:
            return outside
        # The outside neighbour went elsewhere: walk out from the inner token over
        # as many changed tokens as the old text had there.
        j = j_inner
        for _ in range(abs(inner - edge)):
            k = j + step
            if not 0 <= k < len(new.keys) or self.alignment.new_to_old[k] >= 0:
                break
            j = k
        return new.starts[j] if step < 0 else new.ends[j]

    # -- step 3: search -----------------------------------------------------

    def _search(
        self,
        anchor: Anchor,
        tokens: tuple[int, int] | None,
        projection: tuple[int, int] | None,
    ) -> Placement:
        if projection is not None:
            expected = projection[0]
        else:
            share = anchor.start / max(1, len(self.old_text))
            expected = round(share * len(self.new_text))
        exact_spans = self._occurrences(anchor, expected)
        candidates = [self._candidate(anchor, s, e, tokens, "context") for s, e in exact_spans]
        seen = set(exact_spans)
        fuzzy_spans = []
        if projection is not None:
            fuzzy_spans.append(projection)
        fuzzy_spans.extend(self._normalised_occurrences(anchor, expected))
        for span in fuzzy_spans:
            if span not in seen:
                seen.add(span)
                candidates.append(self._candidate(anchor, *span, tokens, "fuzzy"))
        if not candidates:
            return Placement(ORPHANED, None, None, "none", 0.0)

        # (a) the exact quote with its exact context, at one place (or, among
        # identical places, the one the diff points at).
        exact = [c for c in candidates if c.exact_context and c.method == "context" and not c.copy]
        if len(exact) > 1:
            # The same words with the same context at several places: only the
            # one the diff points at is certain.
            exact = [c for c in exact if _overlaps(c, projection)]
        if len(exact) == 1:
            return Placement(ANCHORED, exact[0].start, exact[0].end, "exact", 1.0)

        ranked = sorted(candidates, key=lambda c: (-c.score, abs(c.start - expected)))
        best = ranked[0]
        rival = next((c for c in ranked[1:] if not _overlap(c, best)), None)
        clear = rival is None or best.score - rival.score >= SEARCH_MARGIN
        if best.score >= REVIEW_THRESHOLD and best.harmless and not best.copy and clear:
            return Placement(ANCHORED, best.start, best.end, best.method, round(best.score, 3))
        proposals = [c for c in ranked if c.quote_similarity >= QUOTE_FLOOR]
        if proposals and proposals[0].score >= PROPOSAL_FLOOR:
            p = proposals[0]
            return Placement(REVIEW, p.start, p.end, p.method, round(p.score, 3))
        return Placement(ORPHANED, None, None, "none", 0.0)

    def _occurrences(self, anchor: Anchor, expected: int) -> list[tuple[int, int]]:
        """Places where the exact quote stands; with many, the likeliest few."""
        text, quote = self.new_text, anchor.exact
        found: list[int] = []
        position = text.find(quote)
        while position != -1:
            if _edges_fit(anchor, text, position, position + len(quote)):
                found.append(position)
            position = text.find(quote, position + 1)
        if len(found) > MAX_CANDIDATES:
            found = self._narrow(anchor, found, expected)
        return [(s, s + len(quote)) for s in found]

    def _normalised_occurrences(self, anchor: Anchor, expected: int) -> list[tuple[int, int]]:
        """Places where the quote stands once quotation marks, whitespace and case
        are normalised (its own words unchanged)."""
        normal, origin = self._normalised()
        quote = normalise(anchor.exact).strip()
        if not quote:
            return []
        found: list[int] = []
        position = normal.find(quote)
        while position != -1:
            found.append(position)
            position = normal.find(quote, position + 1)
        spans = [(origin[p], origin[p + len(quote) - 1] + 1) for p in found]
        spans = [(s, e) for s, e in spans if _edges_fit(anchor, self.new_text, s, e)]
        if len(spans) > MAX_CANDIDATES:
            starts = self._narrow(anchor, [s for s, _ in spans], expected)
            keep = set(starts)
            spans = [span for span in spans if span[0] in keep]
        return spans

    def _normalised(self) -> tuple[str, list[int]]:
        """The new text normalised, with each character's offset in the original."""
        if self._normalised_new is None:
            text = self.new_text.translate(_TYPOGRAPHY)
            parts: list[str] = []
            origin: list[int] = []
            position = 0
            for space in itertools.chain(_WHITESPACE.finditer(text), [None]):
                stop = space.start() if space else len(text)
                chunk = text[position:stop]
                folded = chunk.casefold()
                parts.append(folded)
                if len(folded) == len(chunk):
                    origin.extend(range(position, stop))
                else:
                    for offset, char in enumerate(chunk, start=position):
                        origin.extend([offset] * len(char.casefold()))
                if space:
                    parts.append(" ")
                    origin.append(space.start())
                    position = space.end()
            self._normalised_new = ("".join(parts), origin)
        return self._normalised_new

    def _narrow(self, anchor: Anchor, starts: list[int], expected: int) -> list[int]:
        """The occurrences whose immediate surroundings agree most, and the nearest."""
        text, length = self.new_text, len(anchor.exact)

        def agreement(s: int) -> int:
            before = text[max(0, s - len(anchor.prefix)) : s]
            after = text[s + length : s + length + len(anchor.suffix)]
            return common_suffix(before, anchor.prefix) + common_prefix(after, anchor.suffix)

        by_context = sorted(starts, key=lambda s: (-agreement(s), abs(s - expected)))
        by_distance = sorted(starts, key=lambda s: abs(s - expected))
        keep = dict.fromkeys(by_context[: MAX_CANDIDATES - 4] + by_distance[:4])
        return sorted(keep)

    def _candidate(
        self, anchor: Anchor, start: int, end: int, tokens: tuple[int, int] | None, method: str
    ) -> _Candidate:
        text = self.new_text
        found = text[start:end]
        quote = normalise(anchor.exact)
        if found == anchor.exact:
            quote_similarity, harmless = 1.0, True
        else:
            candidate = normalise(found)
            harmless = candidate.strip() == quote.strip()
            quote_similarity = 1.0 if harmless else _similarity(quote, candidate)
        weight = len(quote)
        total = weight * quote_similarity
        # Context counts only within the quote's old paragraph: paragraphs move
        # whole, so what stood beyond a line break says little about the place.
        # (The new side is not cut: a reflow may have put line breaks in it.)
        before = normalise(text[max(0, start - 96) : start])
        after = normalise(text[end : end + 96])
        prefix = normalise(_paragraph_tail(anchor.prefix))
        suffix = normalise(_paragraph_head(anchor.suffix))
        if prefix:
            weight += len(prefix)
            total += len(prefix) * _similarity(prefix, before[-len(prefix) :])
        if suffix:
            weight += len(suffix)
            total += len(suffix) * _similarity(suffix, after[: len(suffix)])
        exact_context = (
            text[max(0, start - len(anchor.prefix)) : start] == anchor.prefix
            and text[end : end + len(anchor.suffix)] == anchor.suffix
        )
        return _Candidate(
            start=start,
            end=end,
            score=total / weight if weight else 0.0,
            quote_similarity=quote_similarity,
            harmless=harmless,
            exact_context=exact_context,
            copy=self._is_copy(start, end, tokens),
            method=method,
        )

    def _is_copy(self, start: int, end: int, tokens: tuple[int, int] | None) -> bool:
        """Whether most words at [start, end) are the diff's image of other old words
        than the annotation's own: a copy that already stood elsewhere."""
        new, to_old = self.new, self.alignment.new_to_old
        first, last = self.new.index_at(start), self.new.index_at(max(start, end - 1))
        words = others = 0
        for j in range(first, last + 1):
            if not new.words[j]:
                continue
            words += 1
            i = to_old[j]
            if tokens is None:
                # Without the annotation's old tokens the diff cannot tell.
                return False
            if i >= 0 and not tokens[0] <= i <= tokens[1]:
                others += 1
        return words > 0 and others * 2 > words


def _edges_fit(anchor: Anchor, text: str, start: int, end: int) -> bool:
    """Whether text[start:end] begins and ends at word edges where the quote did:
    "the" is not looked for inside "other" unless it was cut from a word."""

    def inside_word(before: str, after: str) -> bool:
        return before[-1:].isalnum() and after[:1].isalnum()

    before, after = text[max(0, start - 1) : start], text[end : end + 1]
    if not inside_word(anchor.prefix, anchor.exact) and inside_word(before, anchor.exact):
        return False
    return inside_word(anchor.exact, anchor.suffix) or not inside_word(anchor.exact, after)


def _paragraph_of(side: _Tokens, first: int, last: int) -> tuple[int, int]:
    """The tokens of the paragraph(s) holding tokens first..last."""
    lo, hi = first, last
    while lo > 0 and not side.breaks[lo - 1]:
        lo -= 1
    while hi < len(side.keys) - 1 and not side.breaks[hi + 1]:
        hi += 1
    return lo, hi


def _paragraph_tail(text: str) -> str:
    """What of a prefix lies in the quote's own paragraph (after the last line break)."""
    return text[text.rfind("\n") + 1 :]


def _paragraph_head(text: str) -> str:
    """What of a suffix lies in the quote's own paragraph (before the first line break)."""
    cut = text.find("\n")
    return text if cut == -1 else text[:cut]


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _overlap(a: _Candidate, b: _Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _overlaps(candidate: _Candidate, span: tuple[int, int] | None) -> bool:
    return span is not None and candidate.start < span[1] and span[0] < candidate.end


def reanchor(old_text: str, new_text: str, anchors: Sequence[Anchor]) -> list[Placement]:
    """Place each anchor (offsets into `old_text`) in `new_text`: one Placement per
    anchor, in the same order. See the module's docstring for the rules."""
    if not anchors:
        return []
    work: _Reanchoring | None = None
    placements = []
    for anchor in anchors:
        unchanged = old_text == new_text and anchor.start < anchor.end
        if unchanged and anchor.exact and old_text[anchor.start : anchor.end] == anchor.exact:
            # The same text: every anchor stays, no diff needed.
            placements.append(Placement(ANCHORED, anchor.start, anchor.end, "diff", 1.0))
            continue
        if work is None:
            work = _Reanchoring(old_text, new_text)
        placements.append(work.place(anchor))
    return placements
