"""Reading the layout of an article saved as plain text.

Text saved from a browser holds more than the article: the site's name, a skip
link, photo captions and credits, a share bar, an editor's preface, reader
comments, widgets after the end. `analyse` finds the headline, the date and
each passage's kind with rules a reader of news would agree with; it never
removes anything but a crawler's header line, so every offset it returns points
into the text it returns.
"""

import datetime
import functools
import itertools
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from sources.text.dates import parse_date_line, parse_iso_date

BODY = "body"
HEADLINE = "headline"
PREFACE = "preface"
CAPTION = "caption"
COMMENT = "comment"
BOILERPLATE = "boilerplate"


@dataclass(frozen=True)
class PassageSpan:
    start: int
    end: int
    kind: str
    depth: int = 0


@dataclass
class Layout:
    text: str
    title: str = ""
    # True when the title is a headline found in the text, False when it was
    # made from the opening words.
    has_headline: bool = False
    published: datetime.date | None = None
    byline: str = ""
    passages: list[PassageSpan] = field(default_factory=list)


@dataclass
class _Line:
    start: int
    end: int
    text: str
    indent: int
    # Index of the run of consecutive non-blank lines the line belongs to.
    block: int
    kind: str = BODY
    depth: int = 0

    # Asked of each line several times: worked out once, after _split_lines, the last to
    # change a line's text.
    @functools.cached_property
    def words(self) -> int:
        return len(self.text.split())

    @functools.cached_property
    def key(self) -> str:
        """_key(text): what two lines that say the same thing share."""
        return _key(self.text)


# A crawler's header run into the first line: " date 2025-11-12 Jens Stoltenberg, …".
_CRAWLER_HEADER = re.compile(r"\A\s*date:?\s+(\d{4}-\d{2}-\d{2})(?:[T ][\d:.+Z-]+)?[ \t]*")


def _full(*patterns: str) -> re.Pattern:
    return re.compile(r"^(?:" + "|".join(patterns) + r")$", re.IGNORECASE)


# Site furniture, matched against a whole line.
_BOILERPLATE = _full(
    r"skip to (?:main )?(?:content|navigation|main|article)",
    r"(?:jump|go) to (?:main )?content",
    r"print friendly(?:, pdf (?:&|and) email)?",
    r"print(?: this)?(?: page| article| story)?",
    r"(?:e-?mail|share|tweet|save|copy link|share (?:this|on|via)[\w ,]*)[.:]?",
    r"comments are closed\.?",
    r"(?:leave|post|add) a (?:comment|reply)\.?",
    r"you must be logged in to post a comment\.?",
    r"follow .{1,60} (?:here|on \w+)\.?",
    r"(?:subscribe|sign up|register)\b.{0,80}",
    r"(?:advertisement|advertising|sponsored(?: content)?|ad)",
    r"(?:related|recommended|more)(?: articles| stories| posts| news| reading| from [\w .]+)?:?",
    r"(?:read|see)(?: more| also)[.:]?(?: .{1,100})?",
    r"(?:also read|most (?:read|popular|viewed))[.:]?(?: .{1,100})?",
    r"(?:tags?|topics?|filed under|categories|category)\s*:.{0,200}",
    r"source\s*:\s*.{1,60}",
    r"(?:©|\(c\)|copyright)\s*.{0,150}",
    r"all rights reserved\.?",
    r"(?:note to readers|support (?:us|our \w+)|donate)\b.{0,300}",
    r".{0,200}\bconsider becoming a (?:paid )?(?:subscriber|member|supporter)\b.{0,100}",
    r".{0,60}\b(?:cookies?|newsletter)\b.{0,100}",
    r"(?:listen to|download) (?:this|the) (?:article|story|podcast)\.?",
    r"\d+\s*(?:min(?:ute)?s?|m) read",
    r"(?:back to top|top of page|next article|previous article)",
    r"(?:loading|show more|load more)(?:\.\.\.|…)?",
)

# The heading of a reader-comments section.
_COMMENTS_HEADER = _full(
    r"(?:\d+|no|one|two|three)\s+(?:comments?|responses?|replies|reactions)(?: to .{1,200})?:?",
    r"\d+\s+thoughts? on .{1,200}",
    r"(?:reader |readers' |user )?comments?(?: \(\d+\))?:?",
    r"(?:join the|show) (?:conversation|discussion|comments)",
    r"discussion",
)

# Lines that open an editor's preface to a republished piece.
_PREFACE_START = re.compile(
    r"^(?:[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)? here:"
    r"|(?:editor'?s?|editors’|editorial|publisher'?s?|translator'?s?)\s+note\b"
    r"|note from the (?:editors?|publisher)\b"
    r"|(?:preface|introduction|intro)\s*[:.—–-])",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^(?:[*•·]\s*){3,}$|^[-–—_=~#]{3,}$")
_REPUBLISHED = re.compile(
    r"\b(?:originally (?:published|appeared)|first (?:published|appeared)|republished"
    r"|cross-?posted|reprinted)\b",
    re.IGNORECASE,
)

_BYLINE = re.compile(
    r"^\(?(?:(?:interview|reporting|text|words|story|written|edited|compiled|translated)\s+)?"
    r"by\s+(?P<name>[A-Z][\w.'’-]+(?: (?:[A-Z][\w.'’-]+|de|van|von|der|da|al|bin|ibn)){0,4})",
    re.IGNORECASE,
)
# "Helen Abara, Local Democracy Reporter": a name, a comma, a newsroom role.
_BYLINE_ROLE = re.compile(
    r"^(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}),\s+[\w'’ -]{0,40}?"
    r"(?i:reporter|editor|correspondent|writer|columnist|journalist|contributor|staff|critic"
    r"|analyst|producer|bureau|desk)\b[\w'’ ,-]{0,40}$"
)
# "News | Sport | Showbiz | Money": a menu bar.
_NAVIGATION = re.compile(r"^[^|·•]{1,30}(?:\s[|·•]\s[^|·•]{1,30}){2,}$")
# Lines that open what follows an article: related links, newsletter boxes, share bars.
_END_MARKER = _full(
    r"(?:read|see) (?:more|also)[.:]?",
    r"(?:related|recommended|more)(?: articles| stories| posts| news| reading| from [\w .]+)?:?",
    r"most (?:read|popular|viewed)",
    r"(?:subscribe|sign up)\b.{0,80}",
    r".{0,40}\bnewsletter\b.{0,60}",
    r"print friendly(?:, pdf (?:&|and) email)?",
    r"share (?:this|on|via)[\w ,]*:?",
    r"(?:tags?|topics?|filed under)\s*:.{0,200}",
    r"follow .{1,60} (?:here|on \w+)\.?",
)
_CREDIT_WORDS = re.compile(
    r"^(?:photo(?:graph)?s?|images?|pictures?|illustrations?|video|credits?|foto)"
    r"(?:\s+by\b|\s*[:©])"
    r"|©"
    r"|\b(?:getty images|shutterstock|alamy|afp|ap photo|reuters|epa|tass|ria novosti|sputnik"
    r"|anadolu|xinhua|scanpix|leta|dpa|pa images|sipa|bloomberg|unian|ukrinform|wikimedia"
    r"|wikipedia|press service|handout)\b",
    re.IGNORECASE,
)
_LIST_MARKER = re.compile(r"^(?:[-*•–·]|\d+[.)]|[a-z][.)])\s+")
_COMMENT_AUTHOR = re.compile(r"^\d+\.\s+\S.{0,60}$")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]]*$")
_FULL_STOP = re.compile(r"(?:[^.]\.|…)[\"'”’»)\]]*$")


def analyse(
    raw: str, *, comments_from: int | None = None, captions: Collection[str] = ()
) -> Layout:
    """The layout of `raw`: its text without a crawler header, headline, date, passages.

    An HTML extractor knows more than plain text shows: `comments_from` is the
    offset in `raw` where reader comments begin, `captions` the texts of the
    page's figure captions.
    """
    published = None
    header = _CRAWLER_HEADER.match(raw)
    cut = 0
    if header:
        published = parse_iso_date(header.group(1))
        cut = header.end()
    text = raw[cut:].rstrip()
    leading = len(text) - len(text.lstrip())
    text = text[leading:]
    cut += leading
    if comments_from is not None:
        comments_from = max(0, comments_from - cut)

    lines = _split_lines(text)
    layout = Layout(text=text, published=published)
    if not lines:
        return layout

    in_comments = _mark_comments(lines, comments_from)
    main = [line for line in lines if line.kind != COMMENT and line not in in_comments]
    known_captions = {_key(caption) for caption in captions}
    for line in main:
        if line.key in known_captions:
            line.kind = CAPTION
        elif _BOILERPLATE.match(line.text) or _NAVIGATION.match(line.text):
            line.kind = BOILERPLATE
    _mark_preface(main)
    top, body_start = _top_region(main)
    headline = _mark_top(top, main, layout)
    _mark_captions(main[body_start:], headline)
    _mark_trailing_widgets(main, layout)

    if headline is not None:
        layout.title = _squash(headline.text)
        layout.has_headline = True
    else:
        layout.title = _title_from_opening(main)
    if not layout.byline:
        layout.byline = _find_byline(main)
    layout.passages = [PassageSpan(line.start, line.end, line.kind, line.depth) for line in lines]
    return layout


def _split_lines(text: str) -> list[_Line]:
    """Non-blank lines with their offsets; hard-wrapped paragraphs are joined into one."""
    raw_lines = []
    offset, block, blank = 0, 0, True
    for physical in text.split("\n"):
        stripped = physical.strip()
        if stripped:
            if blank:
                block += 1
            start = offset + (len(physical) - len(physical.lstrip()))
            raw_lines.append(
                _Line(
                    start,
                    start + len(stripped),
                    stripped,
                    len(physical) - len(physical.lstrip()),
                    block,
                )
            )
        blank = not stripped
        offset += len(physical) + 1
    if not _hard_wrapped(raw_lines):
        return raw_lines
    joined: list[_Line] = []
    for line in raw_lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.block == line.block
            and previous.indent == line.indent
            and not _LIST_MARKER.match(line.text)
            and len(text[previous.start : previous.end].rsplit("\n", 1)[-1]) >= 50
        ):
            previous.end = line.end
            previous.text = _squash(text[previous.start : line.end])
        else:
            joined.append(line)
    return joined


def _hard_wrapped(lines: list[_Line]) -> bool:
    """Whether the text was wrapped at a fixed width: short lines, paragraphs of several."""
    if not lines or max(len(line.text) + line.indent for line in lines) > 100:
        return False
    sizes = Counter(line.block for line in lines)
    return sum(1 for size in sizes.values() if size >= 3) >= max(1, len(sizes) // 4)


def _mark_comments(lines: list[_Line], comments_from: int | None) -> list[_Line]:
    """Mark the reader-comments section; returns its lines (header and closing lines included)."""
    if comments_from is not None:
        section = [line for line in lines if line.start >= comments_from]
        if section and _COMMENTS_HEADER.match(section[0].text):
            section[0].kind = BOILERPLATE
            section = section[1:]
    else:
        header = next(
            (
                i
                for i, line in enumerate(lines)
                if i >= 3 and _COMMENTS_HEADER.match(line.text) and line.words <= 12
            ),
            None,
        )
        if header is None:
            return []
        lines[header].kind = BOILERPLATE
        section = lines[header + 1 :]
    # Closing furniture ("Comments are closed.", "Leave a reply") ends the section.
    closing = len(section)
    while closing and _BOILERPLATE.match(section[closing - 1].text):
        section[closing - 1].kind = BOILERPLATE
        closing -= 1
    comments = section[:closing]
    author_indents = sorted(
        {line.indent for line in comments if _COMMENT_AUTHOR.match(line.text) and line.words <= 6}
    )
    depth = 0
    for line in comments:
        line.kind = COMMENT
        if line.indent in author_indents and _COMMENT_AUTHOR.match(line.text):
            depth = author_indents.index(line.indent)
        line.depth = depth
    if comments_from is None:
        return [lines[lines.index(section[0]) - 1], *section] if section else []
    return section


def _mark_preface(main: list[_Line]) -> None:
    """An editor's preface at the top ("Editor's note: …", "Conor here: …").

    It runs to the byline or separator that opens the republished piece; without
    one, only its first paragraph is preface.
    """
    candidates = [line for line in main if line.kind == BODY]
    opening = next((line for line in candidates[:6] if _PREFACE_START.match(line.text)), None)
    if opening is None:
        return
    start = main.index(opening)
    limit = start + max(4, (len(main) - start) // 2)
    end = start + 1
    for i in range(start + 1, min(limit, len(main))):
        line = main[i]
        if _SEPARATOR.match(line.text) or (_BYLINE.match(line.text) and line.words <= 60):
            end = i
            break
        if _REPUBLISHED.search(line.text) and line.words <= 40:
            end = i + 1
            break
    for line in main[start:end]:
        if line.kind == BODY:
            line.kind = PREFACE
    for line in main[start:end]:
        if _SEPARATOR.match(line.text):
            line.kind = BOILERPLATE


def _is_paragraph(line: _Line) -> bool:
    """Running prose rather than a heading, label or caption."""
    if line.words >= 40:
        return True
    if _FULL_STOP.search(line.text):
        return line.words >= 8
    return bool(_SENTENCE_END.search(line.text)) and line.words >= 20


def _top_region(main: list[_Line]) -> tuple[list[_Line], int]:
    """The lines before the first paragraph of prose (or preface), and where the body starts."""
    for i, line in enumerate(main):
        if line.kind == PREFACE or (line.kind == BODY and _is_paragraph(line)):
            return main[:i], i
    return [], 0


def _heading_like(line: _Line) -> bool:
    return (
        line.kind == BODY
        and 2 <= line.words <= 35
        and len(line.text) <= 300
        and not _FULL_STOP.search(line.text)
        and not _is_byline(line)
        and not _DOMAIN.match(line.text)
        and parse_date_line(line.text) is None
    )


def _mark_top(top: list[_Line], main: list[_Line], layout: Layout) -> _Line | None:
    """Headline, standfirst, labels, date and captions above the first paragraph."""
    if not top:
        return None
    normal = Counter(line.key for line in main)
    # A line that comes back further down the page, not right next to itself, is
    # a photo caption repeated around the page, not the headline.
    repeated_apart = {
        line.key for line in top if normal[line.key] > 1 and not _only_adjacent_repeats(line, main)
    }
    candidates = [line for line in top if _heading_like(line)]
    # Three words or fewer is more often a label ("The Interview") than a headline.
    candidates = [c for c in candidates if c.words >= 4] or candidates
    headline = next((c for c in candidates if c.key not in repeated_apart), None)
    if headline is None and candidates:
        headline = max(candidates, key=lambda line: len(line.text))
    seen_headline = False
    captions: set[str] = set()
    for line in top:
        if line is headline:
            line.kind = HEADLINE
            seen_headline = True
            continue
        if line.kind != BODY:
            continue
        if _take_date_line(line, layout):
            pass
        elif _is_byline(line):
            layout.byline = layout.byline or _byline_name(line.text)
        elif _is_label(line) or (headline and line.key == headline.key):
            line.kind = BOILERPLATE
        elif not seen_headline or line.key in captions:
            line.kind = CAPTION
            captions.add(line.key)
        elif _heading_like(line):
            line.kind = HEADLINE
    return headline


def _take_date_line(line: _Line, layout: Layout) -> bool:
    """A line holding just a date (perhaps with a byline) is furniture that dates the article."""
    date = parse_date_line(line.text)
    if date is None:
        return False
    line.kind = BOILERPLATE
    layout.published = layout.published or date
    layout.byline = layout.byline or _byline_name(line.text)
    return True


def _is_label(line: _Line) -> bool:
    """A site name or section label ("Modern.az", "World", "Politics")."""
    return bool(_DOMAIN.match(line.text) or _NAVIGATION.match(line.text)) or (
        line.words <= 3 and not _SENTENCE_END.search(line.text)
    )


def _only_adjacent_repeats(line: _Line, main: list[_Line]) -> bool:
    """Whether every other copy of the line sits right before or after a copy of it."""
    positions = [i for i, other in enumerate(main) if other.key == line.key]
    return all(b - a == 1 for a, b in itertools.pairwise(positions))


def _mark_captions(body: list[_Line], headline: _Line | None) -> None:
    """Photo captions and credits in the body.

    A credit line ("Jane Roe / Agency", "Photo: …") and the line right above it
    in the same block are captions; so are short lines repeated back to back
    (an image's caption printed twice) and the short line that follows them.
    """
    for i, line in enumerate(body):
        if line.kind != BODY or not _is_credit(line):
            continue
        line.kind = CAPTION
        previous = body[i - 1] if i else None
        if (
            previous is not None
            and previous.kind == BODY
            and (previous.block == line.block or previous.words <= 40)
            and not _is_byline(previous)
        ):
            previous.kind = CAPTION
    for i, line in enumerate(body[:-1]):
        following = body[i + 1]
        if (
            line.kind in (BODY, CAPTION)
            and following.kind == BODY
            and line.key == following.key
            and line.words <= 15
            and not _is_paragraph(line)
            and (headline is None or line.key != headline.key)
        ):
            line.kind = following.kind = CAPTION
            after = body[i + 2] if i + 2 < len(body) else None
            if (
                after is not None
                and after.kind == BODY
                and after.words <= 6
                and not _SENTENCE_END.search(after.text)
            ):
                after.kind = CAPTION


def _is_credit(line: _Line) -> bool:
    if line.words > 12 or _FULL_STOP.search(line.text):
        return False
    return bool(_CREDIT_WORDS.search(line.text)) or (
        " / " in line.text or bool(re.search(r"\w/ \w|\w /\w", line.text))
    )


def _mark_trailing_widgets(main: list[_Line], layout: Layout) -> None:
    """What follows the article: related links, newsletter boxes, widgets, a date line.

    Everything after a marker such as "Read more" or "Subscribe" is furniture when
    no more than a few short lines follow it; then short non-sentence lines at the
    very end are too.
    """
    for i, line in enumerate(main):
        if line.kind in (BODY, BOILERPLATE) and _END_MARKER.match(line.text):
            rest = main[i + 1 :]
            if sum(r.words for r in rest) <= 150 and all(r.words <= 40 for r in rest):
                for following in [line, *rest]:
                    if following.kind == BODY and not _is_byline(following):
                        following.kind = BOILERPLATE
                break
    for line in reversed(main):
        if line.kind in (BOILERPLATE, CAPTION):
            continue
        if line.kind != BODY:
            break
        if _take_date_line(line, layout):
            continue
        if _is_paragraph(line) or _LIST_MARKER.match(line.text):
            break
        if _is_byline(line):
            continue
        if line.words <= 15 and not _SENTENCE_END.search(line.text):
            line.kind = BOILERPLATE
            continue
        break


def _find_byline(main: list[_Line]) -> str:
    for line in main:
        if line.kind in (BODY, PREFACE) and _is_byline(line):
            return _byline_name(line.text)
    return ""


def _is_byline(line: _Line) -> bool:
    return line.words <= 60 and bool(_BYLINE.match(line.text) or _BYLINE_ROLE.match(line.text))


def _byline_name(text: str) -> str:
    match = (
        _BYLINE.match(text)
        or _BYLINE_ROLE.match(text)
        or re.search(r"\bby\s+(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3})\s*$", text)
    )
    return match.group("name").strip(" .,'’") if match else ""


def _title_from_opening(main: list[_Line], limit: int = 90) -> str:
    """A readable title from the first words of the first paragraph of the body."""
    first = next((line for line in main if line.kind == BODY and _is_paragraph(line)), None)
    first = first or next((line for line in main if line.kind == BODY), None)
    if first is None:
        return ""
    text = _squash(first.text)
    sentence = re.split(r"(?<=[a-z0-9”’\"')][.!?])\s+(?=[A-Z“\"‘'])", text, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 10].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…"


def _key(text: str) -> str:
    return _squash(text).casefold()


def _squash(text: str) -> str:
    return " ".join(text.split())
