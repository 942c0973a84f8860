"""Quotations in an article's text: the words in quotation marks, who said them and how.

    Stoltenberg then bluntly admitted, “In Georgia …”   speaker "Stoltenberg",
                                                         verb "bluntly admitted"
    “So,” Alito declared, “I take it you agree.”         one quotation in two parts

The text is plain, paragraphs separated by blank lines. Finding quotations works in
any language; speakers and verbs are read for English only (`language="en"`).

Quotation marks. “…”, "…", ‘…’, '…', «…», »…«, „…“, „…”, ‚…‘, ‹…› and ”…” pair up
paragraph by paragraph, the way a reader pairs them: an opening mark waits for its
closing mark, a closing mark ends the latest quotation waiting for it (stray openers
left above it are dropped). A single mark between letters (don't, O'Brien) or in a
known elision ('90s, rock 'n' roll) is an apostrophe; after an "s" and before a space
(students’ union) it closes a quotation only when no plainer closing mark follows
before the next opening one. A run of five marks or more is noise, not marks. An
unclosed quotation is dropped at the end of its paragraph, unless the next paragraph
opens with the same mark (or » after «): the typographic way to run one quotation over
several paragraphs, which becomes one quotation with one span per paragraph.

Cost. Linear in the text: each mark is pushed and popped once, and the words read
around each quotation are bounded (MAX_* below). Stray and unbalanced marks cost about
as much as plain text; each real quotation costs some microseconds more.

What counts. Only outermost quotations are returned: a quotation inside another is
part of the outer one's text (with its own marks), so returned quotations never
overlap. A quotation needs two words or more: “Bibi” and the so-called “experts” are
not quotations. Spans leave out the marks and the spaces just inside them (« … »).

Interrupted and continued. “So,” Alito declared, “I take it you agree.” is one
quotation with two spans when the words between the two parts are an attribution and
no sentence ends there; its text joins the parts as written, with a single space
("So, I take it you agree."). In other languages the same happens when the words
between are a short clause set off by commas or dashes. After a full stop it is a new
quotation: “No,” she said. “I was trying to help.” gives one quotation (“No,” is one
word), which takes the attribution of the one before it: a quotation without an
attribution of its own takes that of the previous quotation in its paragraph (one
word or not), or, when it opens its paragraph, that of the last quotation of the
paragraph before, if that paragraph ended with it (the speaker goes on talking).

Attribution (English). Its own attribution is, in this order: a reporting verb that
introduces the quotation (Smith said, “… / As Kissinger writes: “… / Smith told
reporters that “…); the attribution right after it (“…,” Smith said. / “…,” said the
minister. / “…,” Stoltenberg, who …, writes.), unless the quotation ended its sentence
with a full stop; the last reporting verb earlier in its sentence (Smith says the
alliance “was letting Ukraine down”). A participle with no subject (…, adding that
“…) takes the subject and verb of the sentence's first reporting verb with one, or else
the name the sentence opens with. A verb missing from the lexicon still counts where
the shape leaves no doubt: a word in -ed after a comma-ended quotation (“…,” Smith
snarled.) or before a colon that introduces one (Jones disagreed: “…”).

Speaker. A capitalised name is kept as written, from its first capitalised word
(George F. Kennan, Moon of Alabama, US President Joe Biden); other noun phrases are
cut to their head, before the first preposition (a spokeswoman for the ministry →
"a spokeswoman"). A pronoun he, she or they becomes a name when that is unambiguous:
the name that is the subject of an earlier reporting verb in the same sentence (Smith
recounts a meeting where he told her …); otherwise the one name seen as the subject of
a reporting verb or as a quotation's speaker in this paragraph before the quotation
and in the paragraph before it, if there is exactly one (Jens Stoltenberg and
Stoltenberg are one name). Otherwise the pronoun stays. `speaker_as_written` keeps
the words of the attribution.

Verb. As written, with the auxiliaries, adverbs and hedges around it ("had said",
"would later write", "bluntly admitted", "admitted frankly", "de facto admits",
"went on to write"); leading time adverbs are dropped (then bluntly admitted →
"bluntly admitted"; also recounted → "recounted").

Pure functions: no Django.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass, field

# Bounds on the words read around one quotation, so a long text stays linear.
MAX_LEAD_IN_TOKENS = 80  # looking back from a quotation for its sentence
MAX_QUOTES_CROSSED = 3  # earlier quotations the same sentence may hold
MAX_AFTER_TOKENS = 40  # looking forward for an attribution after a quotation
MAX_GAP_TOKENS = 24  # words between the parts of an interrupted quotation


@dataclass(frozen=True)
class FoundQuotation:
    """One quotation: its parts in the text, its words, and who said them and how."""

    start: int  # the first quoted character after the opening mark
    end: int  # just after the last character before the closing mark
    spans: tuple[tuple[int, int], ...]  # each quoted part, in text order
    text: str  # the parts' words, joined by a single space
    speaker: str  # a name, a noun phrase, an unresolved pronoun, or ""
    speaker_as_written: str  # the attribution's words: "he" where `speaker` resolved it
    verb: str  # "said", "had said", "bluntly admitted"; "" when none


# --- Quotation marks --------------------------------------------------------------

# A mark, or a run of five marks or more: noise, never quotation marks ("“““““").
_MARK = re.compile("[\"'“”„‘’‚«»‹›]{5,}|[\"'“”„‘’‚«»‹›]")

# Each opening mark and the marks that may close it.
_CLOSERS = {
    "“": "”",
    "„": "“”",
    '"': '"',
    "‘": "’",
    "‚": "‘’",
    "'": "'",
    "«": "»",
    "»": "«»",
    "”": "”",
    "‹": "›",
    "›": "‹›",
}
# A quotation open at the end of a paragraph goes on if the next one opens with these.
_CONTINUES = {"«": "«»", "‹": "‹›"}
_OPENING_PUNCTUATION = "([{—–-/"
# After an opening single mark: an elision, not a quotation ('90s, 'n', 'em).
_ELISION = re.compile(r"\d\d(?:s\b|\b)|(?:n|em|cause|til|tis|twas)\b", re.IGNORECASE)
_ELISION_STARTS = "0123456789nNeEcCtT"
_ALL_MARKS = "".join(_CLOSERS) + "’"
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass
class _Quote:
    """A quotation as paired marks: its parts, and the text each part covers with marks."""

    parts: list[tuple[int, int]] = field(default_factory=list)
    regions: list[tuple[int, int, int]] = field(default_factory=list)  # (paragraph, start, end)

    def add(self, text: str, paragraph: int, start: int, end: int, inner: tuple[int, int]):
        first, last = inner
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        self.regions.append((paragraph, start, end))
        if first < last:
            self.parts.append((first, last))


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: text between blank lines."""
    bounds = []
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def _is_n_elision(text: str, i: int, start: int) -> bool:
    # The second mark of 'n' (rock 'n' roll).
    return i - 2 >= start and text[i - 1] in "nN" and text[i - 2] in "'‘’"


def _single_closer(text: str, i: int, start: int, before: str, after: str) -> str:
    """For ’ and ': "strong" (closes), "weak" (maybe a plural possessive) or "" (apostrophe)."""
    if before.isspace() or after.isalnum() or _is_n_elision(text, i, start):
        return ""
    return "weak" if before in "sS" and after.isspace() else "strong"


def _single_opener(text: str, i: int, end: int, before: str, after: str) -> bool:
    if before.isalnum() or after.isspace():
        return False
    return not (after in _ELISION_STARTS and _ELISION.match(text, i + 1, end))


def _weak_closers(text: str, marks: list[int], start: int, end: int) -> set[int]:
    """The weak closing marks that close: no strong one follows before the next opener."""
    allowed = set()
    strong_ahead = {"'": False, "’": False}
    for i in reversed(marks):
        mark = text[i]
        if mark not in "’'‘‚":
            continue
        family = "'" if mark == "'" else "’"
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if mark in "’'" and (kind := _single_closer(text, i, start, before, after)):
            if kind == "strong":
                strong_ahead[family] = True
            elif not strong_ahead[family]:
                allowed.add(i)
        elif mark != "’" and _single_opener(text, i, end, before, after):
            strong_ahead[family] = False
    return allowed


def _role(text: str, i: int, start: int, end: int, closable: bool) -> str:
    """What the mark at text[i] does: "open", "close", "weak" (closes unless a plainer
    closing mark follows) or "" (nothing)."""
    mark = text[i]
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    if mark in "’'":
        kind = _single_closer(text, i, start, before, after)
        if closable and kind:
            return "close" if kind == "strong" else "weak"
        if mark == "'" and _single_opener(text, i, end, before, after):
            return "open"
        return ""
    if mark == "‘":
        if closable and not before.isspace():
            return "close"
        return "open" if _single_opener(text, i, end, before, after) else ""
    if mark == '"':
        if closable and not before.isspace():
            return "close"
        return "open" if not before.isalnum() and not after.isspace() else ""
    if mark in "“«‹":
        if closable and not before.isspace():
            return "close"
        if i + 1 >= end or (mark == "“" and after.isspace()):
            return ""
        return "open"
    if mark in "”»›":
        if closable:
            return "close"
        if after.isspace() or (mark == "”" and not (before.isspace() or before in "([{—–")):
            return ""
        return "open"
    if mark == "„":
        return "" if after.isspace() else "open"
    # ‚ (a low single mark) opens only where a comma could not stand.
    return "open" if not before.isalnum() and not after.isspace() else ""


class _Stack:
    """Opening marks waiting for their closing marks, and which closing mark ends which."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, int, _Quote | None]] = []  # (mark, position, continued)
        # closing mark -> the entries it may close
        self.waiting: dict[str, list[int]] = {mark: [] for mark in _ALL_MARKS}

    def push(self, mark: str, position: int, continued: _Quote | None) -> None:
        self.entries.append((mark, position, continued))
        for closer in _CLOSERS[mark]:
            self.waiting[closer].append(len(self.entries) - 1)

    def close(self, mark: str) -> tuple[str, int, _Quote | None]:
        """Take off the latest opening mark this closing mark ends, and those above it."""
        target = self.waiting[mark][-1]
        while True:
            entry = self.entries.pop()
            for closer in _CLOSERS[entry[0]]:
                self.waiting[closer].pop()
            if len(self.entries) == target:
                return entry


def _pair(text: str, paragraphs: list[tuple[int, int]]) -> list[_Quote]:
    """The outermost quotations, in text order."""
    quotes: list[_Quote] = []
    carry: _Quote | None = None  # a quotation going on from the previous paragraph
    carry_mark = ""
    for index, (start, end) in enumerate(paragraphs):
        marks = [m.start() for m in _MARK.finditer(text, start, end) if m.end() - m.start() == 1]
        if not marks:
            carry = None
            continue
        weak_ok: set[int] | None = None  # computed when a weak closing mark is met
        stack = _Stack()
        waiting = stack.waiting
        closed: list[tuple[int, int, _Quote | None]] = []  # (opening position, closing, quote)

        first = marks[0]
        if (
            carry is not None
            and first == start
            and text[first] in _CONTINUES.get(carry_mark, carry_mark)
        ):
            stack.push(carry_mark, first, carry)
            marks = marks[1:]
        carry = None

        for i in marks:
            role = _role(text, i, start, end, bool(waiting[text[i]]))
            if role == "weak":
                if weak_ok is None:
                    weak_ok = _weak_closers(text, marks, start, end)
                role = "close" if i in weak_ok else ""
            if role == "open":
                stack.push(text[i], i, None)
            elif role == "close":
                _, opened, continued = stack.close(text[i])
                closed.append((opened, i, continued))

        # Still open at the end: goes on if the next paragraph opens with its mark.
        entries = [(opened, closing + 1, continued, False) for opened, closing, continued in closed]
        if stack.entries and index + 1 < len(paragraphs):
            next_start, next_end = paragraphs[index + 1]
            opener = text[next_start] if next_start < next_end else ""
            nxt = text[next_start + 1] if next_start + 1 < next_end else " "
            if opener in _CLOSERS and not (opener in "\"'" and nxt.isspace()):
                for mark, opened, continued in stack.entries:
                    if opener in _CONTINUES.get(mark, mark):
                        entries.append((opened, end, continued, True))
                        carry_mark = mark
                        break
        entries.sort(key=lambda entry: entry[0])
        reached = -1
        for opened, ends, continued, open_ended in entries:
            if opened < reached:
                continue  # inside an outer quotation
            reached = ends
            quote = continued if continued is not None else _Quote()
            inner_end = ends if open_ended else ends - 1
            quote.add(text, index, opened, ends, (opened + 1, inner_end))
            if open_ended:
                carry = quote
            else:
                quotes.append(quote)
    quotes.sort(key=lambda quote: quote.regions[0][1])
    return quotes


# --- Words around a quotation -------------------------------------------------------

_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # U.S., a.m.
    r"|(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|Rev|St|Jr|Sr)\.(?=\s)"
    r"|[A-Z]\.(?=\s+[A-Z])"  # an initial: George F. Kennan
    r"|\w+(?:[-'’.]\w+)*"
    r"|[.!?]+"
    r"|[^\w\s]"
)
_WORD_TOKEN, _PUNCT_TOKEN, _QUOTE_TOKEN = 0, 1, 2
# (kind, words or punctuation, start, end, quote number or -1)
Token = tuple[int, str, int, int, int]


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


_AUX = _words(
    "am is are was were be been being has have had having will would shall should can "
    "could may might must do does did not never"
)
_BE = _words("am is are was were be been being")
_TIME_ADVERBS = _words(
    "then later also even again once still further now just already soon earlier first "
    "too thus therefore subsequently previously recently yesterday today finally "
    "ultimately initially afterwards afterward repeatedly often always twice"
)
_HEDGES = _words("essentially effectively reportedly allegedly apparently")
_TWO_WORD_HEDGES = {("de", "facto"), ("in", "effect"), ("in", "essence")}
_NOT_ADVERBS = _words(
    "only early family ally rally reply apply supply belly bully holy ugly silly jolly fly "
    "rely comply imply multiply assembly anomaly monopoly butterfly daily weekly monthly "
    "yearly hourly friendly lonely lovely elderly costly deadly lively italy july"
)
_PRONOUNS = _words("he she they it i we you")
_RESOLVABLE = _words("he she they")
_DETERMINERS = _words(
    "the a an this these those his her its their our my your some many several one two "
    "three another each every both most few any all"
)
_SINGULAR_DETERMINERS = _words("the a an this that his her its their our my your one each every")
_PREPOSITIONS = _words(
    "of for at in on from with to by about into over under within without across after "
    "before during between among against near close"
)
_BOUNDARIES = _words(
    "that and but or nor as when where while whereas which who whom whose because if "
    "although though since until unless than so yet then later now meanwhile however "
    "despite also what how why whether whenever wherever"
)
_NAME_PARTICLES = _words("of de van von der den la le du bin al da dos del di y ibn")
_NOT_SPEAKERS = _words("nothing something anything everything so yes no")
# Lowercase words ending in -s that are verbs, not plural subjects ("This helps explain").
_S_VERBS = _words("helps seems appears tries wants needs likes goes makes lets is was has does")

# Reporting verbs: "base [past [past participle [-ing form]]]" when not regular.
_REPORTING_VERBS = """
say said; tell told; write wrote written; speak spoke spoken;
put put put putting; admit admitted admitted admitting; quip quipped quipped quipping;
snap snapped snapped snapping; pen penned penned penning; sum summed summed summing;
cry cried; reply replied; deny denied; testify testified;
add; recount; note; recall; declare; interject; rejoin; ask; insist; claim; argue; explain;
warn; state; acknowledge; concede; continue; remark; observe; emphasise; emphasize; stress;
announce; confirm; suggest; conclude; complain; respond; answer; shout; yell; scream;
whisper; mutter; murmur; exclaim; joke; boast; promise; predict; vow; pledge; assert;
maintain; contend; allege; caution; urge; demand; plead; reiterate; repeat; report; reveal;
describe; call; tweet; lament; mention; accuse; charge; counter; retort; scoff; muse;
wonder; propose; recommend; advise; threaten; hint; speculate; indicate; concur; object;
protest; grumble; disclose; inform; assure; reassure; narrate; summarise; summarize;
reason; posit; confess; blurt; proclaim; pronounce; underline; underscore; highlight;
point; recollect; relate; instruct; sigh; groan; remind; question; comment; boast; chide;
scold; praise; criticise; criticize; recount; reflect; marvel; concede; volunteer; offer;
cheer; agree; disagree; believe; think
"""
# Verbs whose -s and base forms are also plural and singular nouns (member states, the
# notes, a report): read as verbs only after a name, a pronoun or "the" + noun.
_NOUN_LIKE = _words(
    "note state claim report answer reply point call order demand promise charge counter "
    "object sum pen tweet remark joke protest cry stress comment question vow pledge "
    "reason hint boast quip retort snap muse wonder sigh groan cheer offer reflect "
    "marvel volunteer praise"
)
# A thought, not a statement, unless set off as an aside: "The reason, he believes, was".
_THINKING = _words("believe think")
# Verbs that need their particle: "as Smith put it", "pointed out", "summed up".
_PARTICLES = {"put": "it", "point": "out", "sum": "up"}


def _verb_forms(spec: str) -> dict[str, tuple[str, str]]:
    """Every form of every reporting verb: word -> (base, "base"|"s"|"past"|"ing")."""
    forms: dict[str, tuple[str, str]] = {}
    for entry in spec.replace("\n", " ").split(";"):
        words = entry.split()
        if not words:
            continue
        base = words[0]
        if base.endswith(("s", "sh", "ch", "x", "z", "o")):
            third = base + "es"
        elif base.endswith("y") and base[-2] not in "aeiou":
            third = base[:-1] + "ies"
        else:
            third = base + "s"
        if len(words) > 1:
            pasts = words[1:3]
        elif base.endswith("e"):
            pasts = [base + "d"]
        elif base.endswith("y") and base[-2] not in "aeiou":
            pasts = [base[:-1] + "ied"]
        else:
            pasts = [base + "ed"]
        if len(words) > 3:
            ing = words[3]
        elif base.endswith("e") and not base.endswith(("ee", "ye")):
            ing = base[:-1] + "ing"
        else:
            ing = base + "ing"
        forms[ing] = (base, "ing")
        for past in pasts:
            forms[past] = (base, "past")
        forms[third] = (base, "s")
        forms[base] = (base, "base")
    forms.pop("thought", None)  # a noun as often as a verb
    return forms


_VERBS = _verb_forms(_REPORTING_VERBS)


@dataclass
class _Attribution:
    speaker: str  # as written
    verb: str
    antecedent: str = ""  # for a pronoun: a name earlier in the same sentence


def _is_adverb(word: str) -> bool:
    """A manner adverb or hedge: part of the verb ("bluntly admitted", "reportedly said")."""
    return word in _HEDGES or (
        len(word) > 3
        and word.endswith("ly")
        and word.islower()
        and word not in _NOT_ADVERBS
        and word not in _VERBS
    )


def _is_name(speaker: str) -> bool:
    """A proper name (capitalised, not "The minister" nor a pronoun)."""
    first = speaker.split(" ", 1)[0]
    return first[:1].isupper() and first.lower() not in _DETERMINERS | _PRONOUNS


def _name_key(name: str) -> str:
    """One key for "Jens Stoltenberg", "Stoltenberg" and "Stoltenberg’s"."""
    last = name.split()[-1].casefold()
    return re.sub(r"['’]s$", "", last)


class _Article:
    """The text, its paragraphs and quotations, and each paragraph's words (read lazily)."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]], quotes: list[_Quote]):
        self.text = text
        self.paragraphs = paragraphs
        self.quotes = quotes
        self.regions: dict[int, list[tuple[int, int, int]]] = {}
        for number, quote in enumerate(quotes):
            for paragraph, start, end in quote.regions:
                self.regions.setdefault(paragraph, []).append((start, end, number))
        # The last character of each quotation's words: does it end a sentence?
        self.last_char = [text[q.parts[-1][1] - 1] if q.parts else "" for q in quotes]
        self._tokens: dict[int, tuple[list[Token], dict[int, int]]] = {}
        self._mentions: dict[int, tuple[list[int], list[dict[str, str]]]] = {}

    def tokens(self, paragraph: int) -> tuple[list[Token], dict[int, int]]:
        """The paragraph's words and punctuation, each quotation one token; and where
        each quotation's token is."""
        if paragraph not in self._tokens:
            tokens: list[Token] = []
            where: dict[int, int] = {}
            position, end = self.paragraphs[paragraph]
            for start, stop, number in self.regions.get(paragraph, []):
                self._read(position, start, tokens)
                where[number] = len(tokens)
                tokens.append((_QUOTE_TOKEN, "", start, stop, number))
                position = stop
            self._read(position, end, tokens)
            self._tokens[paragraph] = (tokens, where)
        return self._tokens[paragraph]

    def _read(self, start: int, end: int, tokens: list[Token]) -> None:
        for match in _TOKEN.finditer(self.text, start, end):
            value = match.group()
            kind = _WORD_TOKEN if value[0].isalnum() or value[0] == "_" else _PUNCT_TOKEN
            tokens.append((kind, value, match.start(), match.end(), -1))

    def words(self, tokens: list[Token], first: int, last: int) -> str:
        """The text from token `first` to token `last`, as written."""
        return self.text[tokens[first][2] : tokens[last][3]]

    def names_before(self, paragraph: int, position: int) -> dict[str, str]:
        """Up to two names (key -> name) that are subjects of a reporting verb in the
        paragraph before `position`: enough to tell one name from several."""
        if paragraph not in self._mentions:
            positions: list[int] = []
            summaries: list[dict[str, str]] = []
            names: dict[str, str] = {}
            tokens, _ = self.tokens(paragraph)
            for k, token in enumerate(tokens):
                if token[0] != _WORD_TOKEN or token[1] not in _VERBS:
                    continue
                lo = max(0, k - 40)
                form = _verb_form(tokens, k, lo)
                clause = self.clause(tokens, k, lo) if form and form != "ing" else None
                if clause and _is_name(clause[0].speaker):
                    key = _name_key(clause[0].speaker)
                    if key in names or len(names) < 2:
                        names = {**names, key: clause[0].speaker}
                    positions.append(token[2])
                    summaries.append(names)
            self._mentions[paragraph] = (positions, summaries)
        positions, summaries = self._mentions[paragraph]
        i = bisect_left(positions, position)
        return summaries[i - 1] if i else {}

    # Reading an attribution ---------------------------------------------------------

    def clause(self, tokens: list[Token], k: int, lo: int) -> tuple[_Attribution, int] | None:
        """The subject and verb phrase of the reporting verb at tokens[k], and where the
        verb phrase ends."""
        phrase = _verb_phrase(tokens, k, lo, len(tokens))
        if phrase is None:
            return None
        first, last = phrase
        speaker = self.subject(tokens, _phrase_start(tokens, k, lo) - 1, lo, 2)
        if not speaker:
            return None
        return _Attribution(speaker, self.words(tokens, first, last)), last

    def subject(self, tokens: list[Token], j: int, lo: int, asides: int) -> str:
        """The subject ending at tokens[j], read backwards; "" when there is none."""
        if j < lo:
            return ""
        kind, value = tokens[j][0], tokens[j][1]
        if kind == _PUNCT_TOKEN and value == "," and asides:
            # An aside between commas: a name in apposition (", William Burns,") is the
            # subject; a clause (", who is …," / ", irritated by this,") is skipped.
            m = j - 1
            while m >= lo and j - m < 30:
                if tokens[m][0] == _QUOTE_TOKEN or tokens[m][1][0] in ".!?;":
                    return ""
                if tokens[m][1] == ",":
                    break
                m -= 1
            chunk = [i for i in range(max(m + 1, lo), j) if tokens[i][0] == _WORD_TOKEN]
            if not chunk or len(chunk) != j - max(m + 1, lo):
                return ""
            head = tokens[chunk[0]][1]
            if head[0].isupper() and head.lower() not in _BOUNDARIES | _DETERMINERS:
                return self.noun_phrase(tokens, chunk)
            return self.subject(tokens, m - 1, lo, asides - 1) if m >= lo else ""
        if kind != _WORD_TOKEN:
            return ""
        indices: list[int] = []
        while j >= lo and len(indices) < 8:
            kind, value = tokens[j][0], tokens[j][1]
            if kind != _WORD_TOKEN or value.lower() in _BOUNDARIES:
                break
            if indices and value.lower() in _PRONOUNS:
                break
            indices.append(j)
            j -= 1
        indices.reverse()
        return self.noun_phrase(tokens, indices) if indices else ""

    def noun_phrase(self, tokens: list[Token], indices: list[int]) -> str:
        """The speaker in these words: a pronoun, a name, or a noun phrase's head."""
        words = [tokens[i][1] for i in indices]
        lower = [word.lower() for word in words]
        if lower[-1] in _PRONOUNS:
            return words[-1]
        if lower[-1] in _NOT_SPEAKERS or lower[-1] in _PREPOSITIONS | _DETERMINERS:
            return ""
        if words[-1][0].isupper():
            first = len(words) - 1
            while first > 0:
                # Capitalised words, and particles inside a name (Moon of Alabama)
                particle = lower[first - 1] in _NAME_PARTICLES and words[first - 2][0].isupper()
                if not (words[first - 1][0].isupper() or (first > 1 and particle)):
                    break
                first -= 1
            return self.words(tokens, indices[first], indices[-1])
        # A noun phrase: from its determiner (past prepositional objects), cut before
        # its first preposition ("a spokeswoman for the ministry" -> "a spokeswoman").
        start = 0
        i = len(lower) - 1
        while i >= 0:
            if lower[i] in _DETERMINERS:
                if i > 0 and lower[i - 1] in _PREPOSITIONS:
                    i -= 1
                    continue
                start = i
                break
            i -= 1
        stop = len(lower)
        for i in range(start + 1, len(lower)):
            if lower[i] in _PREPOSITIONS:
                stop = i
                break
        if stop - start > 6 or lower[start] in _PREPOSITIONS:
            return ""
        return self.words(tokens, indices[start], indices[stop - 1])

    def lead_in(self, tokens: list[Token], q: int) -> tuple[_Attribution | None, bool]:
        """The attribution in the quotation's sentence before it, and whether its verb
        introduces the quotation directly ("Smith said, “…")."""
        lo = self.sentence_start(tokens, q)
        verbs = [
            (k, form)
            for k in range(lo, q)
            if tokens[k][1] in _VERBS and (form := _verb_form(tokens, k, lo))
        ]
        if not verbs:
            # An unknown verb in -ed before a colon: Jones disagreed: “…”
            if q - lo >= 3 and tokens[q - 1][1] == ":" and _unknown_verb(tokens, q - 2, q):
                speaker = self.subject(tokens, q - 3, lo, 2)
                if speaker:
                    return _Attribution(speaker, tokens[q - 2][1]), True
            return None, False
        k, form = verbs[-1]
        if form == "ing":
            phrase = _verb_phrase(tokens, k, lo, q)
            if phrase is None:
                return None, False
            adjacent = _adjacent(tokens, phrase[1], q)
            for k2, form2 in verbs:
                if form2 != "ing" and (clause := self.clause(tokens, k2, lo)):
                    return clause[0], adjacent
            name = self.sentence_subject(tokens, lo, k)
            if name:
                return _Attribution(name, self.words(tokens, *phrase)), adjacent
            return None, False
        for k, form in reversed(verbs[-3:]):
            if form == "ing" or not (clause := self.clause(tokens, k, lo)):
                continue
            attribution, last = clause
            if attribution.speaker.lower() in _RESOLVABLE:
                for k2, form2 in reversed([v for v in verbs if v[0] < k]):
                    earlier = self.clause(tokens, k2, lo) if form2 != "ing" else None
                    if earlier and _is_name(earlier[0].speaker):
                        attribution.antecedent = earlier[0].speaker
                        break
            return attribution, _adjacent(tokens, last, q)
        return None, False

    def sentence_start(self, tokens: list[Token], q: int) -> int:
        """The first token of the sentence holding tokens[q] (within the bounds)."""
        lo = max(0, q - MAX_LEAD_IN_TOKENS)
        crossed = 0
        j = q - 1
        while j >= lo:
            kind, value = tokens[j][0], tokens[j][1]
            if kind == _PUNCT_TOKEN and value[0] in ".!?":
                return j + 1
            if kind == _QUOTE_TOKEN:
                following = tokens[j + 1]
                if self.last_char[tokens[j][4]] in ".!?" and (
                    following[0] == _QUOTE_TOKEN or following[1][0].isupper()
                ):
                    return j + 1
                crossed += 1
                if crossed > MAX_QUOTES_CROSSED:
                    return j + 1
            j -= 1
        return lo

    def sentence_subject(self, tokens: list[Token], lo: int, stop: int) -> str:
        """The name a sentence opens its main clause with ("Shortly afterwards, US
        Defense Secretary Lloyd Austin voiced …"), for a participle with no subject."""
        j = lo
        while j < stop:
            if tokens[j][0] == _WORD_TOKEN and (j == lo or tokens[j - 1][1] == ","):
                first = j
                while j < stop and tokens[j][0] == _WORD_TOKEN and tokens[j][1][0].isupper():
                    j += 1
                if j == first or j >= stop or tokens[j][0] != _WORD_TOKEN:
                    j += 1
                    continue
                after = tokens[j][1]
                name = self.words(tokens, first, j - 1)
                if (
                    after.islower()
                    and after not in _BOUNDARIES | _TIME_ADVERBS | _PREPOSITIONS | _DETERMINERS
                    and not _is_adverb(after)
                    and _is_name(name)
                    and not re.search(r"['’]s$", name)
                ):
                    return name
                continue
            j += 1
        return ""

    def after(
        self, tokens: list[Token], i: int, hi: int, whole: bool, comma: bool
    ) -> tuple[_Attribution, int] | None:
        """The attribution starting at tokens[i] (“…,” Smith said / said Smith), and where
        it ends. `whole`: it must fill tokens[i:hi] but for punctuation and a few words
        (the words between the parts of an interrupted quotation). `comma`: the quotation
        ended with a comma, so an unknown verb in "-ed" still reads as an attribution."""
        j = i
        if j < hi and tokens[j][0] == _PUNCT_TOKEN and tokens[j][1] in ",;—–-":
            j += 1
        if j >= hi or tokens[j][0] != _WORD_TOKEN:
            return None
        found = self._inverted(tokens, j, hi) or self._subject_first(tokens, j, hi, comma)
        if found and whole:
            words = 0
            for token in tokens[found[1] + 1 : hi]:
                if token[0] == _WORD_TOKEN:
                    if token[1] in _VERBS:
                        return None  # “…,” she said, adding: “…”: a new quotation
                    words += 1
                elif token[0] == _QUOTE_TOKEN or token[1] not in ",:;—–-()":
                    return None
            if words > 6:
                return None
        return found

    def _inverted(self, tokens: list[Token], j: int, hi: int) -> tuple[_Attribution, int] | None:
        # “…,” said Smith. / “…,” notes Stoltenberg, “…”
        k = j
        while k < hi and k - j < 2 and tokens[k][0] == _WORD_TOKEN and _is_adverb(tokens[k][1]):
            k += 1
        if k >= hi or _VERBS.get(tokens[k][1], ("", ""))[1] not in ("past", "s"):
            return None
        phrase = _verb_phrase(tokens, k, j, hi)
        if phrase is None:
            return None
        indices = []
        m = phrase[1] + 1
        while m < hi and tokens[m][0] == _WORD_TOKEN and len(indices) < 8:
            if tokens[m][1].lower() in _BOUNDARIES:
                break
            indices.append(m)
            m += 1
        if not indices:
            return None
        head = tokens[indices[0]][1]
        if not (head[0].isupper() or head.lower() in _PRONOUNS | _DETERMINERS):
            return None
        if head.lower() in _PRONOUNS:
            indices = indices[:1]
        speaker = self.noun_phrase(tokens, indices)
        if not speaker:
            return None
        verb = self.words(tokens, phrase[0], phrase[1])
        return _Attribution(speaker, verb), indices[-1]

    def _subject_first(
        self, tokens: list[Token], j: int, hi: int, comma: bool
    ) -> tuple[_Attribution, int] | None:
        # “…,” Smith said. / “…,” the minister told reporters. / “…,” Smith, who …, writes.
        indices: list[int] = []
        m = j
        verb_at = -1
        while m < hi and len(indices) <= 6:
            kind, value = tokens[m][0], tokens[m][1]
            if kind == _WORD_TOKEN:
                if indices and (found := _verb_ahead(tokens, m, hi, indices)) >= 0:
                    verb_at = found
                    break
                if value.lower() in _BOUNDARIES:
                    return None
                if indices and comma and len(indices) <= 4 and _unknown_verb(tokens, m, hi):
                    verb_at = m  # “…,” Smith snarled.
                    break
                indices.append(m)
                m += 1
            elif value == "," and indices:
                n = m + 1
                while n < hi and n - m < 30:
                    if tokens[n][0] == _QUOTE_TOKEN or tokens[n][1][0] in ".!?;":
                        return None
                    if tokens[n][1] == ",":
                        break
                    n += 1
                if n >= hi or tokens[n][1] != ",":
                    return None
                verb_at = _verb_ahead(tokens, n + 1, hi, indices)
                m = n + 1
                break
            else:
                return None
        if not indices:
            return None
        head = tokens[indices[0]][1].lower()
        if head in _PREPOSITIONS:
            return None
        if verb_at < 0:
            return None
        phrase = _verb_phrase(tokens, verb_at, m, hi)
        speaker = self.noun_phrase(tokens, indices)
        if phrase is None or not speaker:
            return None
        return _Attribution(speaker, self.words(tokens, phrase[0], phrase[1])), phrase[1]


def _unknown_verb(tokens: list[Token], m: int, hi: int) -> bool:
    """A word in -ed closing an attribution, after a comma-ended quotation."""
    value = tokens[m][1]
    ends = m + 1 >= hi or tokens[m + 1][0] == _PUNCT_TOKEN
    return ends and value.islower() and value.endswith("ed") and value not in _BOUNDARIES


def _finite_after_subject(tokens: list[Token], k: int, subject: list[int]) -> bool:
    """Is tokens[k] a reporting verb that can follow this subject?"""
    value = tokens[k][1]
    base, form = _VERBS.get(value, ("", ""))
    if not base or form == "ing" or not value.islower():
        return False
    if base in _THINKING and not (k + 1 < len(tokens) and tokens[k + 1][1] == ","):
        return False
    if form == "base":
        last = tokens[subject[-1]][1].lower()
        return last in ("i", "we", "you", "they") or (last.endswith("s") and last not in _S_VERBS)
    return True


def _verb_ahead(tokens: list[Token], m: int, hi: int, subject: list[int]) -> int:
    """Where the reporting verb is if a verb phrase starts at tokens[m], else -1."""
    n = m
    while n < hi and n - m < 4 and tokens[n][0] == _WORD_TOKEN:
        word = tokens[n][1]
        lower = word.lower()
        if _finite_after_subject(tokens, n, subject):
            return n
        if lower in _AUX or lower in _TIME_ADVERBS or _is_adverb(lower) or lower in ("de", "facto"):
            n += 1
            continue
        break
    return -1


def _verb_form(tokens: list[Token], k: int, lo: int) -> str:
    """The form of the reporting verb at tokens[k] ("base", "s", "past", "ing",
    "progressive"), or "" when it is not one there."""
    kind, word = tokens[k][0], tokens[k][1]
    if kind != _WORD_TOKEN or not word.islower():
        return ""
    base, form = _VERBS.get(word, ("", ""))
    if not base:
        return ""
    following = tokens[k + 1][1].lower() if k + 1 < len(tokens) else ""
    if base in _THINKING and following != ",":
        return ""
    if base in _PARTICLES and following != _PARTICLES[base]:
        return ""
    p = k - 1
    while (
        p >= lo
        and tokens[p][0] == _WORD_TOKEN
        and (tokens[p][1] in _TIME_ADVERBS or _is_adverb(tokens[p][1]))
    ):
        p -= 1
    before = tokens[p][1] if p >= lo and tokens[p][0] == _WORD_TOKEN else ""
    lower = before.lower()
    if lower in _DETERMINERS:
        return ""  # "the report", "a warning"
    if form == "past" and lower in _BE:
        return ""  # passive: "he was told"
    if form == "ing" and lower in _BE:
        return "progressive"
    if form == "base":
        plural = lower.endswith("s") and lower not in _S_VERBS and before.islower()
        if not (
            lower in _AUX
            or lower in ("to", "i", "we", "you", "they")
            or (plural and base not in _NOUN_LIKE)
            or (before[:1].isupper() and base not in _NOUN_LIKE)
        ):
            return ""
    if form == "s" and base in _NOUN_LIKE:
        after_noun = (
            before.islower()
            and p - 1 >= lo
            and tokens[p - 1][0] == _WORD_TOKEN
            and tokens[p - 1][1].lower() in _SINGULAR_DETERMINERS
        )
        if not (before[:1].isupper() or lower in ("he", "she", "it", "who", "which") or after_noun):
            return ""
    return form


def _phrase_start(tokens: list[Token], k: int, lo: int) -> int:
    """The first token of the verb phrase ending in tokens[k], time adverbs included."""
    first = k
    j = k - 1
    while j >= lo and tokens[j][0] == _WORD_TOKEN:
        lower = tokens[j][1].lower()
        before = tokens[j - 1][1].lower() if j - 1 >= lo and tokens[j - 1][0] == _WORD_TOKEN else ""
        if lower in _AUX or lower in _TIME_ADVERBS or _is_adverb(lower):
            first, j = j, j - 1
        elif (before, lower) in _TWO_WORD_HEDGES:
            first, j = j - 1, j - 2
        elif lower == "to" and before and before not in _BOUNDARIES | _PRONOUNS | _DETERMINERS:
            # "went on to write", "pretended to say", "continued to insist"
            if (
                before == "on"
                and j - 2 >= lo
                and tokens[j - 2][1].lower() in ("went", "goes", "go")
            ):
                first, j = j - 2, j - 3
            elif before.isalpha() and before.islower() and before not in _PREPOSITIONS:
                first, j = j - 1, j - 2
            else:
                break
        elif lower == "as" and before == "quoted":
            first, j = j - 1, j - 2
        else:
            break
    return first


def _verb_phrase(tokens: list[Token], k: int, lo: int, hi: int) -> tuple[int, int] | None:
    """The verb phrase around tokens[k] as written: (first token, last token). Time
    adverbs leading it are left out; a particle, manner adverb or hedge after it is in."""
    base = _VERBS.get(tokens[k][1], ("", ""))[0]
    first = _phrase_start(tokens, k, lo)
    while first < k and tokens[first][1].lower() in _TIME_ADVERBS:
        first += 1
    last = k
    if base in _PARTICLES:
        if k + 1 >= hi or tokens[k + 1][1].lower() != _PARTICLES[base]:
            return None
        last = k + 1
    if last + 1 < hi and tokens[last + 1][0] == _WORD_TOKEN:
        nxt = tokens[last + 1][1]
        after = tokens[last + 2][1].lower() if last + 2 < hi else ""
        if _is_adverb(nxt):
            last += 1
        elif (nxt.lower(), after) in _TWO_WORD_HEDGES:
            last += 2
    return first, last


def _adjacent(tokens: list[Token], last: int, q: int) -> bool:
    """Does the verb phrase ending at tokens[last] introduce the quotation at tokens[q]
    (an object of a few words, "that" and punctuation between)?"""
    words = 0
    for token in tokens[last + 1 : q]:
        if token[0] == _QUOTE_TOKEN:
            return False
        if token[0] == _WORD_TOKEN:
            words += token[1].lower() != "that"
        elif token[1] not in ",:;—–-()":
            return False
    return words <= 4


# --- Putting it together ------------------------------------------------------------


@dataclass
class _Group:
    """One quotation: one or more paired quotes (more when interrupted by attribution)."""

    members: list[int]
    gap: _Attribution | None = None  # the attribution that interrupts it
    own: _Attribution | None = None
    final: _Attribution | None = None
    speaker: str = ""
    ends_paragraph: bool = False  # nothing but its attribution follows it in the paragraph


def _interrupted(
    article: _Article, a: int, b: int, english: bool
) -> tuple[bool, _Attribution | None]:
    """Are quotes a and b (next to each other) one quotation interrupted by its
    attribution? And the attribution, in English."""
    quote_a, quote_b = article.quotes[a], article.quotes[b]
    paragraph = quote_a.regions[-1][0]
    if paragraph != quote_b.regions[0][0] or article.last_char[a] == ".":
        return False, None
    tokens, where = article.tokens(paragraph)
    i, j = where[a] + 1, where[b]
    if j - i > MAX_GAP_TOKENS or j == i:
        return False, None
    if english:
        found = article.after(tokens, i, j, whole=True, comma=article.last_char[a] == ",")
        return (found is not None), (found[0] if found else None)
    # Elsewhere: a short clause set off by commas or dashes: „Wir gehen“, sagte er, „nach Hause.“
    words = sum(1 for token in tokens[i:j] if token[0] == _WORD_TOKEN)
    if any(token[0] == _PUNCT_TOKEN and token[1][0] in ".!?" for token in tokens[i:j]):
        return False, None
    opens = article.last_char[a] in ",—–" or tokens[i][1] in ",—–"
    closes = tokens[j - 1][1] in ",:—–"
    return (0 < words <= 5 and opens and closes), None


def _own_attribution(article: _Article, group: _Group) -> _Attribution | None:
    first, last = group.members[0], group.members[-1]
    paragraph = article.quotes[first].regions[0][0]
    tokens, where = article.tokens(paragraph)
    lead, adjacent = article.lead_in(tokens, where[first])
    end_paragraph = article.quotes[last].regions[-1][0]
    end_tokens, end_where = article.tokens(end_paragraph)
    q = end_where[last]
    hi = min(len(end_tokens), q + 1 + MAX_AFTER_TOKENS)
    tail = q
    attribution = group.gap
    if attribution is None and not (lead and adjacent):
        following = end_tokens[q + 1][1] if q + 1 < hi else ""
        if article.last_char[last] != "." or following[:1].islower():
            found = article.after(
                end_tokens, q + 1, hi, whole=False, comma=article.last_char[last] == ","
            )
            if found:
                attribution, tail = found
    rest = end_tokens[tail + 1 : tail + 5]
    group.ends_paragraph = len(rest) <= 3 and all(token[0] == _PUNCT_TOKEN for token in rest)
    return attribution or lead


def _resolve(article: _Article, group: _Group, attribution: _Attribution, seen: dict) -> str:
    """The speaker for a pronoun: see the module's docstring."""
    if attribution.speaker.lower() not in _RESOLVABLE:
        return attribution.speaker
    if attribution.antecedent:
        return attribution.antecedent
    quote = article.quotes[group.members[0]]
    paragraph, position = quote.regions[0][0], quote.regions[0][1]
    names: dict[str, str] = {}
    for number in (paragraph - 1, paragraph):
        if number < 0:
            continue
        limit = position if number == paragraph else len(article.text)
        names.update(article.names_before(number, limit))
        names.update(seen.get(number, {}))
        if len(names) > 1:
            return attribution.speaker
    return next(iter(names.values())) if len(names) == 1 else attribution.speaker


def find_quotations(text: str, language: str = "en") -> list[FoundQuotation]:
    """Every quotation in the text, in text order. Never raises."""
    if not text:
        return []
    english = language.lower().startswith("en")
    paragraphs = _paragraphs(text)
    quotes = [
        q for q in _pair(text, paragraphs) if any(_WORD.search(text, s, e) for s, e in q.parts)
    ]
    article = _Article(text, paragraphs, quotes)

    groups: list[_Group] = []
    for number in range(len(quotes)):
        if groups:
            joined, gap = _interrupted(article, groups[-1].members[-1], number, english)
            if joined:
                groups[-1].members.append(number)
                groups[-1].gap = groups[-1].gap or gap
                continue
        groups.append(_Group([number]))

    found = []
    seen: dict[int, dict[str, str]] = {}  # paragraph -> names of its quotations' speakers
    previous: _Group | None = None
    for group in groups:
        quote = quotes[group.members[0]]
        parts = [part for member in group.members for part in quotes[member].parts]
        paragraph = quote.regions[0][0]
        if english:
            own = _own_attribution(article, group)
            if own is not None:
                group.final = own
                group.speaker = _resolve(article, group, own, seen)
            elif previous is not None and previous.final is not None:
                last_paragraph = quotes[previous.members[-1]].regions[-1][0]
                opens = quote.regions[0][1] == paragraphs[paragraph][0]
                if last_paragraph == paragraph or (
                    opens and last_paragraph == paragraph - 1 and previous.ends_paragraph
                ):
                    group.final = previous.final
                    group.speaker = previous.speaker
            names = seen.setdefault(paragraph, {})
            key = _name_key(group.speaker) if _is_name(group.speaker) else ""
            if key and (key in names or len(names) < 2):
                names[key] = group.speaker
        previous = group
        words = sum(len(_WORD.findall(text, s, e)) for s, e in parts)
        if words < 2:
            continue
        final = group.final
        found.append(
            FoundQuotation(
                start=parts[0][0],
                end=parts[-1][1],
                spans=tuple(parts),
                text=" ".join(text[s:e] for s, e in parts),
                speaker=group.speaker,
                speaker_as_written=final.speaker if final else "",
                verb=final.verb if final else "",
            )
        )
    return found
