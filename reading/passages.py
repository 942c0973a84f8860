"""What the article reader shows: passages in folds, with annotations drawn as highlights."""

import html
from bisect import bisect_left
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from sources.models import Passage
from sources.text.segments import segment_ranges

# Kinds folded away by default, with the summary a reader sees.
FOLDED = {
    Passage.Kind.COMMENT: ("Reader comment", "Reader comments"),
    Passage.Kind.CAPTION: ("Caption", "Captions"),
    Passage.Kind.BOILERPLATE: ("Page furniture", "Page furniture"),
}


# Kinds shown open, but set apart under a label.
LABELLED = {Passage.Kind.PREFACE: "Editor's preface"}


@dataclass
class Block:
    """Consecutive passages shown together: open body text, a labelled part, or a fold."""

    kind: str
    folded: bool
    passages: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELLED.get(self.kind, "")

    @property
    def summary(self) -> str:
        one, many = FOLDED.get(self.kind, ("", ""))
        count = len(self.passages)
        if self.kind == Passage.Kind.COMMENT:
            return f"{many} ({count} paragraphs)" if count > 1 else one
        return many if count > 1 else one


def article_blocks(text: str, passages, annotations, quotations=()) -> list[Block]:
    """Group passages into blocks and give each its highlighted HTML as `.html`.

    `quotations` (traced ones, with `other_outlets`) are marked in the text too, and each
    passage lists those that begin in it as `.quote_notes`.
    """
    spans = [(a.start, a.end, a.pk) for a in annotations]
    spans += [(s, e, QuoteKey(q.key)) for q in quotations for s, e in q.spans]
    by_id = {a.pk: a for a in annotations}
    anchored: set = set()
    blocks: list[Block] = []
    passages = list(passages)
    # Every passage's pieces in one sweep over the sorted boundaries, not each passage
    # against every annotation.
    pieces = segment_ranges([(p.start, p.end) for p in passages], spans)
    quotations = sorted(quotations, key=lambda q: q.start)
    quote_starts = [q.start for q in quotations]
    for passage, passage_pieces in zip(passages, pieces, strict=True):
        passage.html = passage_html(text, passage_pieces, by_id, anchored)
        passage.quote_notes = quotations[
            bisect_left(quote_starts, passage.start) : bisect_left(quote_starts, passage.end)
        ]
        folded = passage.kind in FOLDED
        kind = passage.kind if folded or passage.kind in LABELLED else "text"
        if not blocks or blocks[-1].kind != kind:
            blocks.append(Block(kind=kind, folded=folded))
        blocks[-1].passages.append(passage)
    return blocks


def blocks_html(blocks: list[Block]) -> SafeString:
    """The article's text (templates/annotations/_passages.html): each block's passages as
    paragraphs, a fold as <details>, a labelled part as a <section>.

    Written here rather than in the template: an article has dozens of paragraphs, each
    with half a dozen values the template engine would look up and format one by one.
    """
    parts = []
    for block in blocks:
        kind = html.escape(block.kind)
        if block.folded:
            parts.append(
                f'\n<details class="fold fold-{kind}">\n'
                f"  <summary>{html.escape(block.summary)}</summary>\n  "
            )
            parts.extend(f"{_paragraph(p, depth=True)}\n  " for p in block.passages)
            parts.append("\n</details>\n")
        elif block.label:
            label = html.escape(block.label)
            parts.append(
                f'\n<section class="labelled labelled-{kind}" aria-label="{label}">\n'
                f'  <p class="block-label" aria-hidden="true">{label}</p>\n  '
            )
            parts.extend(f"{_paragraph(p)}\n  " for p in block.passages)
            parts.append("\n</section>\n")
        else:
            parts.extend(f"{_paragraph(p)}\n" for p in block.passages)
    return mark_safe("".join(parts))


def _paragraph(passage, depth: bool = False) -> str:
    """One passage as a paragraph, then the notes on the traced quotations that begin in it.
    Its offsets let the browser map a selection back to the text; a reader comment in a
    fold also tells its nesting depth."""
    classes = f"passage passage-{html.escape(passage.kind)}"
    if depth:
        classes += f" depth-{passage.depth or 0}"
    notes = (
        render_to_string("reading/_quote_notes.html", {"passage": passage})
        if passage.quote_notes
        else ""
    )
    return (
        f'<p id="p{passage.ordinal}" class="{classes}" data-start="{passage.start}" '
        f'data-end="{passage.end}">{passage.html}</p>{notes}'
    )


def passage_html(text: str, pieces, by_id: dict, anchored: set[int]) -> SafeString:
    """The passage's text, cut in `pieces` (sources.text.segments), with a <mark> for every
    stretch that annotations cover, inside a <span class="quoted"> where a traced
    quotation's words run.

    Nothing but the text goes inside the marks (no added white space), so the
    browser can map a selection back to offsets by counting characters.
    """
    # Plain strings and html.escape (what Django's escape() does, without its lazy-string
    # wrapper): an article with hundreds of annotations has thousands of pieces. Only words
    # and names are escaped: annotation and tag ids are integers, and the classes are made
    # of them.
    parts = []
    for piece in pieces:
        words = html.escape(text[piece.start : piece.end])
        if not piece.keys:
            parts.append(words)
            continue
        keys, quotes = [], []
        for key in piece.keys:
            is_quote = isinstance(key, QuoteKey)
            (quotes if is_quote else keys).append(key)
            if key not in anchored:
                anchored.add(key)
                anchor = f"q-{html.escape(key)}" if is_quote else f"hl-{key}"
                parts.append(f'<span class="hl-anchor" id="{anchor}"></span>')
        if keys:
            tags = covering_tags(by_id[key] for key in keys)
            classes = ["hl", *mark_classes(tags)]
            if len(keys) > 1:
                classes.append("hl-overlap")
            title = ", ".join(tag.name for tag in tags) or "annotation"
            words = (
                f'<mark class="{" ".join(classes)}" '
                f'data-annotations="{" ".join(map(str, keys))}" '
                f'title="{html.escape(title)}">{words}</mark>'
            )
        if quotes:
            words = f'<span class="quoted" data-quotation="{html.escape(quotes[0])}">{words}</span>'
        parts.append(words)
    return mark_safe("".join(parts))


class QuoteKey(str):
    """A traced quotation's key among the annotations' ids in a passage's spans."""


# A mark draws one line per tag for its first three tags; tags.css colours each class.
MARK_CLASS_PREFIXES = ("tag", "tag2", "tag3")


def covering_tags(annotations) -> list:
    """The tags of the annotations covering one stretch of text, each once, in order."""
    seen: dict = {}
    for annotation in annotations:
        for tag in annotation.tag_list:
            seen.setdefault(tag.pk, tag)
    return list(seen.values())


def mark_classes(tags) -> list[str]:
    """A mark's colour classes: `tag-12 tag2-15 tag3-18` for its first three tags, or
    `hl-untagged`."""
    if not tags:
        return ["hl-untagged"]
    return [f"{prefix}-{tag.pk}" for prefix, tag in zip(MARK_CLASS_PREFIXES, tags, strict=False)]


def legend_tags(annotations) -> list:
    """The tags the page's highlights show, for its legend: each once, in the order they
    first appear. Reads the prefetched tags (with_details()): no query."""
    return covering_tags(annotations)
