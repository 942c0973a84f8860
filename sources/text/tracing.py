"""Tracing a quotation: do two quotations, from different articles, render the same words?

Outlets quote the same words of a source with small differences: trimmed, elided
with "…", re-punctuated, with straight or curly quotation marks, re-cased, with a
typo or a word translated differently. Quotations that render the same words are
grouped in a trace. Finding them takes two steps:

1. Lookup, in the database: each quotation is stored as its `shingles` (hashes of
   its pairs of consecutive words). A new quotation's candidates are the stored
   quotations that share at least `candidate_threshold` of its shingles.
2. Verification, here: `same_words` compares the words of two quotations and says
   how they are the same ("identical", "trimmed", "elided", "changed"), or that
   they are not.

Precision comes first: a wrong trace misleads a reader, while a missed one only
leaves two quotations apart. So two statements that share a phrase are not one
quotation, and neither are two that differ by a negation or a number.
`same_words` never accepts a pair that the lookup would not find, so a verdict
does not depend on which of the two quotations was stored first.

Pure functions: no Django.
"""

import difflib
import functools
import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass

IDENTICAL = "identical"
TRIMMED = "trimmed"
ELIDED = "elided"
CHANGED = "changed"

# Words per shingle. Pairs rather than triples: a 5-word quotation with its middle
# word changed still shares two pairs with the original, and no triple at all.
SHINGLE_SIZE = 2
# Words a quotation needs before it can match anything but an identical one. A
# three- or four-word phrase ("the Customs Service", "we will not go") stands in
# too many different statements to prove anything.
MIN_WORDS = 5
# Share of the longer quotation's words that a trimmed or elided one must keep...
MIN_SHARE = 0.4
# ...unless it keeps this many: ten words in a row, in the same order, are not a
# coincidence, however long the quotation they were taken from.
LONG_RUN_WORDS = 10
# ...or, in one unbroken run, this many content words (LONG_WORD letters or more, and not
# among FUNCTION_WORDS): an outlet quoting a phrase from a long quotation ("a bridge
# between East and West") keeps the phrase's own words, where a phrase shared by chance
# ("at the end of the day", "the ferries will wait until") is mostly short and common ones.
PHRASE_CONTENT_WORDS = 3
LONG_WORD = 4
# English words of four letters or more that say little of a phrase by themselves.
FUNCTION_WORDS = frozenset(
    """about after again against also been before being both could does done during each
    even ever from have here into just like made make many more most much must only other
    over said says same shall should some such than that their them then there these they
    this those through under until upon very were what when where whether which while will
    with within without would your""".split()  # noqa: SIM905 (a list of words reads better)
)
# Differing words allowed: one per this many words (at least one from MIN_WORDS
# words on). A changed, an added, a cut or a trimmed word counts one; a typo, the
# same word misspelt, counts half.
WORDS_PER_DIFFERENCE = 6
# A changed quotation has the same number of words as the other, give or take this.
MAX_LENGTH_CHANGE = 2
# Two words at least this similar (difflib's ratio over their letters), beginning
# with the same letter, are one word mistyped: "goverment", "government".
TYPO_RATIO = 0.8

# Words that turn a statement into its opposite, in the languages Parallax reads
# most. A differing word among these makes another statement, not another
# rendering (as does a differing number). Words ending in "n't" count too.
NEGATIONS = frozenset(
    {
        # English
        *("not", "no", "never", "nor", "neither", "none", "nothing", "nobody", "nowhere"),
        *("cannot", "without"),
        # French
        *("ne", "pas", "jamais", "rien", "aucun", "aucune", "non", "sans"),
        # German
        *("nicht", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals"),
        *("nichts", "niemand", "ohne"),
        # Spanish, Italian, Portuguese
        *("nunca", "jamás", "nada", "nadie", "ni", "tampoco", "sin", "mai", "niente"),
        *("nessuno", "senza", "não", "ninguém", "sem"),
        # Dutch
        *("niet", "geen", "nooit", "niets", "zonder"),
    }
)

# Apostrophes and single quotation marks all become "'", and "_" (which \w
# matches) a space; one to one, so offsets into the text stay valid.
_APOSTROPHES = str.maketrans({**dict.fromkeys("’‘′ʼ‛`´＇", "'"), "_": " "})
# Combining marks (Latin, Cyrillic, Hebrew, Arabic, Indic, Thai): part of a word
# although Python's \w does not match them.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0963\u0966-\u0dff\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
# Invisible characters that may sit inside a word (soft hyphen, zero-width space
# and joiners, word joiner, byte order mark): kept inside it, then removed.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_REMOVE_INVISIBLE = str.maketrans(dict.fromkeys(_INVISIBLE))
# A word: letters and digits, with apostrophes inside it ("don't", "l'état") and
# the separators of a number ("3.1", "1,000"). Dashes and other punctuation split.
_WORD = re.compile(
    rf"[\w{_MARKS}][\w{_MARKS}{_INVISIBLE}]*(?:(?:'|(?<=\d)[.,](?=\d))[\w{_MARKS}{_INVISIBLE}]+)*"
)
# An ellipsis: "…", "...", ". . .", alone or in brackets ("[…]", "(...)").
_ELLIPSIS = re.compile(r"[\[(]\s*(?:…|\.(?:\s?\.){2,})\s*[\])]|…|\.(?:\s?\.){2,}")


@dataclass(frozen=True)
class _Scan:
    """A quotation's words, where each stands in the text, and where it was elided."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    # Word indices i where an ellipsis stands between words[i - 1] and words[i].
    breaks: frozenset[int]

    def parts(self) -> list[tuple[str, ...]]:
        """The words between ellipses."""
        bounds = [0, *sorted(self.breaks), len(self.words)]
        return [self.words[lo:hi] for lo, hi in itertools.pairwise(bounds)]


def _normal_word(word: str) -> str:
    if word.isascii():
        return word.lower()
    # NFKC: composed accents, and ligatures and full-width letters as plain ones.
    return unicodedata.normalize("NFKC", word.translate(_REMOVE_INVISIBLE)).casefold()


# A batch of quotations is compared with a score of candidates each: each text is
# scanned once. _Scan holds tuples, so the shared value cannot be changed.
@functools.lru_cache(maxsize=4096)
def _scan(text: str) -> _Scan:
    text = text.translate(_APOSTROPHES)
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    breaks: set[int] = set()
    position = 0
    stops = [(m.start(), m.end()) for m in _ELLIPSIS.finditer(text)]
    for stop, resume in [*stops, (len(text), len(text))]:
        for match in _WORD.finditer(text, position, stop):
            words.append(_normal_word(match.group()))
            spans.append(match.span())
        breaks.add(len(words))
        position = resume
    return _Scan(tuple(words), tuple(spans), frozenset(b for b in breaks if 0 < b < len(words)))


def words(text: str) -> list[str]:
    """The comparable words of a quotation.

    Case-folded (and NFKC-normalised); apostrophes and single quotation marks
    unified (’ ‘ ′ → '), kept inside a word ("don't") and dropped around it;
    punctuation, quotation marks and ellipses dropped; dashes split words
    ("well-known" is two words); numbers kept whole ("3.1", "1,000").

    Accents are kept: they tell words apart in some languages (French "a" and
    "à", Spanish "si" and "sí"). Two words that differ only by accents count as
    a typo in `same_words`.
    """
    return list(_scan(text).words)


def _shingle_keys(scan: _Scan) -> set[tuple[str, ...]]:
    """The runs of SHINGLE_SIZE words within each part; all the words when there
    are none (a quotation shorter than a shingle)."""
    keys: set[tuple[str, ...]] = set()
    for part in scan.parts():
        keys.update(zip(*(part[i:] for i in range(SHINGLE_SIZE)), strict=False))
    if not keys and scan.words:
        keys.add(tuple(scan.words))
    return keys


def _hash(key: tuple[str, ...]) -> int:
    # Words hold no spaces, so joining them with one is unambiguous.
    digest = hashlib.blake2b(" ".join(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def shingles(text: str) -> list[int]:
    """Distinct hashes of the quotation's runs of SHINGLE_SIZE consecutive words, sorted.

    No run spans an ellipsis. A quotation with no such run (shorter than a
    shingle, or cut by ellipses into single words) gives one hash of all its
    words; one without words gives none. Hashes are blake2b digests of 8 bytes
    read as signed 64-bit integers (a PostgreSQL bigint): the same in every
    process and on every machine.
    """
    return sorted({_hash(key) for key in _shingle_keys(_scan(text))})


def candidate_threshold(shingle_count: int) -> int:
    """How many shingles a stored quotation must share with one of `shingle_count`
    shingles to be worth verifying with `same_words`: no more than the least similar
    partner `same_words` accepts shares, so the lookup skips no partner, while the many
    quotations that share only a commonplace pair are not compared word by word.

    All of them for a quotation of fewer than MIN_WORDS words (it matches only an
    identical one). Otherwise what its allowance leaves: each mistyped word costs two
    pairs and counts half a difference, so up to four pairs per allowed difference go;
    never fewer than two (five words, the middle one changed), never more than
    MIN_WORDS - 1 (a trimmed or elided partner keeps that many pairs).
    """
    if shingle_count < MIN_WORDS - 1:
        return max(1, shingle_count)
    lost = 4 * _allowance(shingle_count + 1)
    return max(2, min(MIN_WORDS - 1, shingle_count - lost))


@dataclass(frozen=True)
class Sameness:
    """How two quotations render the same words.

    kind: "identical" (the same words once normalised), "trimmed" (one is a
    contiguous part of the other), "elided" (one has "…" and each of its kept
    parts stands in the other, in order) or "changed" (the same words but for a
    typo or a changed word or two).
    shorter: which has fewer words, "a" or "b"; "" when they have as many.
    """

    kind: str
    shorter: str


def _is_telling(word: str) -> bool:
    """Whether a differing word makes another statement: a negation or a number."""
    return word in NEGATIONS or word.endswith("n't") or any(c.isdigit() for c in word)


def _bare(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# An alignment asks about the same pair of words several times.
@functools.lru_cache(maxsize=65536)
def _is_typo(x: str, y: str) -> bool:
    """Whether two different words are one word mistyped (or written with and
    without accents). A number is mistyped only in its separators ("1,000",
    "1000"); a negation never is ("no", "now")."""
    if any(c.isdigit() for c in x + y):
        return x.replace(",", "").replace(".", "") == y.replace(",", "").replace(".", "")
    if x in NEGATIONS or y in NEGATIONS or x.endswith("n't") or y.endswith("n't"):
        return False
    x, y = _bare(x), _bare(y)
    if x == y:
        return True
    # The same first letter: a prefix that negates ("moral", "amoral") is no typo.
    if x[0] != y[0]:
        return False
    # The cheap upper bounds first, as difflib advises.
    matcher = difflib.SequenceMatcher(None, x, y)
    return (
        matcher.real_quick_ratio() >= TYPO_RATIO
        and matcher.quick_ratio() >= TYPO_RATIO
        and matcher.ratio() >= TYPO_RATIO
    )


# An alignment step: (op, i1, i2, j1, j2) over the shorter's words [i1:i2] and the
# longer's [j1:j2]. op is "same", "typo" and "changed" (one word each), "added"
# (the shorter's words only) or "missing" (the longer's words only, at i1).
_Step = tuple[str, int, int, int, int]


def _pair(short: list[str], long: list[str], i1: int, i2: int, j1: int, j2: int) -> list[_Step]:
    """A replaced block, word for word: paired from its start or from its end,
    whichever finds more typos; the words left over are added or missing."""
    k = min(i2 - i1, j2 - j1)
    head = sum(_is_typo(short[i1 + x], long[j1 + x]) for x in range(k))
    tail = sum(_is_typo(short[i2 - k + x], long[j2 - k + x]) for x in range(k))
    if tail > head:
        a, b = i2 - k, j2 - k
        leftover_first = True
    else:
        a, b = i1, j1
        leftover_first = False
    pairs: list[_Step] = []
    for x in range(k):
        op = "typo" if _is_typo(short[a + x], long[b + x]) else "changed"
        pairs.append((op, a + x, a + x + 1, b + x, b + x + 1))
    leftover: list[_Step] = []
    if leftover_first:
        if i2 - i1 > k:
            leftover.append(("added", i1, i2 - k, j1, j1))
        elif j2 - j1 > k:
            leftover.append(("missing", i1, i1, j1, j2 - k))
        return leftover + pairs
    if i2 - i1 > k:
        leftover.append(("added", i1 + k, i2, j2, j2))
    elif j2 - j1 > k:
        leftover.append(("missing", i2, i2, j1 + k, j2))
    return pairs + leftover


def _align(short: list[str], long: list[str]) -> list[_Step]:
    """The shorter's words against the longer's, in order."""
    steps: list[_Step] = []
    matcher = difflib.SequenceMatcher(None, short, long, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            steps.append(("same", i1, i2, j1, j2))
        elif tag == "delete":
            steps.append(("added", i1, i2, j1, j2))
        elif tag == "insert":
            steps.append(("missing", i1, i2, j1, j2))
        else:
            steps.extend(_pair(short, long, i1, i2, j1, j2))
    return steps


def _allowance(word_count: int) -> int:
    """How many differing words a quotation of `word_count` words may have."""
    if word_count < MIN_WORDS:
        return 0
    return max(1, word_count // WORDS_PER_DIFFERENCE)


def _substantial(kept: _Scan, longer_count: int) -> bool:
    """Whether the words a trimmed or elided quotation kept are enough to tell it
    from a phrase the two share by chance."""
    count = len(kept.words)
    # Each ellipsis costs one word: the kept parts must hold as many word pairs as
    # a run of MIN_WORDS words does, so "we … will … not … go … now" is not enough.
    pairs = sum(max(0, len(part) - 1) for part in kept.parts())
    content = sum(1 for w in kept.words if len(w) >= LONG_WORD and w not in FUNCTION_WORDS)
    phrase = len(kept.parts()) == 1 and content >= PHRASE_CONTENT_WORDS
    return (
        count >= MIN_WORDS
        and pairs >= MIN_WORDS - 1
        and (count >= MIN_SHARE * longer_count or count >= LONG_RUN_WORDS or phrase)
    )


def _verdict(short: _Scan, long: _Scan) -> str | None:
    """The kind of sameness of two quotations that are not identical, or None."""
    short_count, long_count = len(short.words), len(long.words)
    if short_count < MIN_WORDS:
        return None
    # Each word of the shorter missing from the longer is at least half a
    # difference (a typo): too many, and the alignment is not worth making.
    known = set(long.words)
    missing = sum(word not in known for word in short.words)
    if missing > 2 * _allowance(long_count):
        return None
    # Lengths further apart than a change allows leave only trimmed or elided, whose
    # conditions on the shorter alone are cheap: checked before the alignment.
    if long_count - short_count > MAX_LENGTH_CHANGE and (
        missing > 2 * _allowance(short_count) or not _substantial(short, long_count)
    ):
        return None
    # And the longer's words missing from the shorter: each is at least half a
    # difference of a change, or a typo or one of the (few) words trimmed.
    own = set(short.words)
    extra = sum(word not in own for word in long.words)
    if extra > max(
        2 * _allowance(long_count), 2 * _allowance(short_count) + long_count - short_count
    ):
        return None
    typos = changed = added = cut = trimmed = elided = 0
    # The words that differ, checked for a negation or a number only when it matters.
    differing: list[str] = []
    for op, i1, i2, j1, j2 in _align(short.words, long.words):
        if op in ("same", "typo"):
            typos += op == "typo"
            continue
        if op == "missing":
            count = j2 - j1
            if i1 in (0, len(short.words)):
                trimmed += count
            elif i1 in short.breaks:
                elided += count
            else:
                cut += count
        elif op == "added":
            added += i2 - i1
        else:
            changed += 1
        differing += short.words[i1:i2] + long.words[j1:j2]

    # Every word of the shorter stands in the longer, in order, bar typos.
    kept_in_order = (trimmed or elided) and not (changed or added or cut)
    if kept_in_order and _substantial(short, long_count) and typos <= 2 * _allowance(short_count):
        return ELIDED if elided else TRIMMED
    # Counted in halves: a typo counts half a difference.
    half_differences = typos + 2 * (changed + added + cut + trimmed + elided)
    if (
        short_count >= MIN_WORDS
        and long_count - short_count <= MAX_LENGTH_CHANGE
        and half_differences <= 2 * _allowance(long_count)
        and not any(map(_is_telling, differing))
    ):
        return CHANGED
    return None


def _findable(first: _Scan, second: _Scan) -> bool:
    """Whether the lookup finds each quotation from the other (enough shared shingles)."""
    keys_first, keys_second = _shingle_keys(first), _shingle_keys(second)
    shared = len(keys_first & keys_second)
    needed = max(candidate_threshold(len(keys_first)), candidate_threshold(len(keys_second)))
    return shared >= needed


def same_words(a: str, b: str) -> Sameness | None:
    """Whether quotations a and b render the same words, and how; None when they do not.

    Words compare as `words` gives them. With n the longer's word count:

    - identical: the same words (punctuation, quotation marks, case, spacing and
      ellipses aside).
    - trimmed: the shorter's words are a contiguous run of the longer's, and it
      keeps at least MIN_WORDS (5) words and MIN_SHARE (40%) of n, or at least
      LONG_RUN_WORDS (10) words. "the Customs Service" is not a trace of "the
      Federal Reserve, not the Customs Service"; the last 7 words of a 12-word
      quotation are.
    - elided: the shorter has ellipses ("…", "...", "[…]"), and each of its parts
      stands, contiguous, in the longer, in order; the kept words must be
      substantial as for trimmed, and the parts must hold at least 4 pairs of
      adjacent words. The words an elision cut may change the meaning (a "not"):
      they are still the source's words, and `word_diff` shows the cut.
      Trimmed and elided quotations may have typos (two per 6 kept words) but no
      changed word.
    - changed: both have at least MIN_WORDS words, their lengths differ by at
      most MAX_LENGTH_CHANGE (2), and at most one word in WORDS_PER_DIFFERENCE
      (6) of n differs (at least one allowed): each changed, added, cut or
      trimmed word counts one, each typo half. A typo is a near-identical word
      (TYPO_RATIO, 0.8, with the same first letter; or only accents apart). A
      differing negation ("we will go", "we will not go") or number ("212
      million", "218 million") makes another statement: never "changed".
    - anything else, or a pair that shares too few shingles for the lookup to
      find it from either side (see `candidate_threshold`): None.

    A quotation without words matches nothing. The order of the arguments only
    swaps `shorter`.
    """
    first, second = _scan(a), _scan(b)
    if not first.words or not second.words:
        return None
    if first.words == second.words and first.breaks == second.breaks:
        return Sameness(IDENTICAL, "")
    if not _findable(first, second):
        return None
    if first.words == second.words:
        return Sameness(IDENTICAL, "")
    # One orientation for both argument orders, so that the verdict is symmetric.
    swap = (len(second.words), second.words) < (len(first.words), first.words)
    short, long = (second, first) if swap else (first, second)
    kind = _verdict(short, long)
    if kind is None:
        return None
    if len(short.words) == len(long.words):
        return Sameness(kind, "")
    return Sameness(kind, "b" if swap else "a")


def _display_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each word's span widened over the punctuation attached to it ("“We", "city,"),
    up to a space or the next word."""
    widened: list[tuple[int, int]] = []
    for n, (start, end) in enumerate(spans):
        floor = widened[-1][1] if widened else 0
        ceiling = spans[n + 1][0] if n + 1 < len(spans) else len(text)
        while start > floor and not text[start - 1].isspace():
            start -= 1
        while end < ceiling and not text[end].isspace():
            end += 1
        widened.append((start, end))
    return widened


def word_diff(longest: str, other: str) -> list[tuple[str, str]]:
    """What `other` cut or changed against `longest`, word by word, for display.

    Runs of (op, text) in the order of `longest`: "same" (words of both, as
    `longest` spells them), "cut" (words of `longest` missing from `other`),
    "changed" (the words `other` has where `longest` has different ones, as
    `other` spells them) and "added" (words of `other` not in `longest`). A run's
    text is the original text, with the punctuation attached to its words.
    """
    long_scan, other_scan = _scan(longest), _scan(other)
    sources = {
        "long": (longest, _display_spans(longest, long_scan.spans)),
        "other": (other, _display_spans(other, other_scan.spans)),
    }
    # (op, source, first word, last word), merged while contiguous.
    runs: list[tuple[str, str, int, int]] = []
    for step, i1, i2, j1, j2 in _align(other_scan.words, long_scan.words):
        if step in ("same", "missing"):
            op, source, lo, hi = ("same" if step == "same" else "cut"), "long", j1, j2
        else:
            op, source, lo, hi = ("added" if step == "added" else "changed"), "other", i1, i2
        if lo == hi:
            continue
        if runs and runs[-1][:2] == (op, source) and runs[-1][3] == lo - 1:
            runs[-1] = (op, source, runs[-1][2], hi - 1)
        else:
            runs.append((op, source, lo, hi - 1))
    texts: list[tuple[str, str]] = []
    for op, source, first, last in runs:
        text, spans = sources[source]
        piece = text[spans[first][0] : spans[last][1]]
        if texts and texts[-1][0] == op:
            texts[-1] = (op, f"{texts[-1][1]} {piece}")
        else:
            texts.append((op, piece))
    return texts
