"""The one way an article's text changes after it was created.

`revise_text` keeps the earlier text as an ArticleVersion (who, when, through
which way in), stores the new text, rebuilds the passages with the importer's
layout rules, and sends `sources.signals.text_revised` so what other apps derive
from the text (annotations' anchors today) follows in the same transaction.
Article.save() refuses any other change of a stored article's text.
"""

from dataclasses import dataclass, field

from django.db import transaction

from sources import quotations
from sources.models import Article, ArticleVersion, Passage, content_hash
from sources.signals import text_revised
from sources.text.layout import Layout, analyse

COUNT_KEYS = ("anchored", "moved", "review", "orphaned")


class CorrectionRefused(Exception):
    """A new text that cannot replace the article's text; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Correction:
    """What a call to revise_text did.

    counts: "anchored" = annotations kept where the word diff put them (offsets
    possibly shifted), "moved" = placed again by search, "review" = sent to an
    editor with a proposed place (or none), "orphaned" = words gone, kept aside.
    """

    article: Article
    changed: bool
    old_version: int
    new_version: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))

    def describe(self) -> str:
        """The counts in words: "3 annotations kept in place, 1 moved, 0 to review, ..."."""
        counts = self.counts
        kept = counts["anchored"]
        noun = "annotation" if kept == 1 else "annotations"
        return (
            f"{kept} {noun} kept in place, {counts['moved']} moved, "
            f"{counts['review']} to review, {counts['orphaned']} orphaned"
        )


def passage_rows(article: Article, layout: Layout) -> list[Passage]:
    """The article's passages as the layout cuts its text, unsaved; the importer (a batch
    of articles at a time) and revise_text both build them here, so a corrected text is
    cut exactly as an imported one."""
    return [
        Passage(article=article, ordinal=n, start=p.start, end=p.end, kind=p.kind, depth=p.depth)
        for n, p in enumerate(layout.passages, 1)
    ]


def create_passages(article: Article, layout: Layout) -> int:
    """Stores the article's passages (passage_rows)."""
    Passage.objects.bulk_create(passage_rows(article, layout))
    return len(layout.passages)


def lay_out(new_text: str) -> Layout:
    """The layout of a text given by a person or a program, read as the importer reads a
    plain text file: line endings made "\\n", then analysed (a crawler's header and the
    blank space around the text removed). Refuses what the importer refuses.

    A text the importer stored reads the same again (analyse(layout.text).text ==
    layout.text), so pasting an article's own text back changes nothing. The one
    exception is a stored text that itself begins with a second crawler header line
    ("date: 2024-03-01"), which this removes as an import would have: a text is
    always read by the importer's rules, never by special ones.
    """
    text = new_text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CorrectionRefused(
            f"The new text holds a NUL character (line {line}), which cannot be stored."
        )
    layout = analyse(text)
    if not layout.text.strip():
        raise CorrectionRefused("The new text is empty: an article cannot lose all its text.")
    return layout


def revise_text(
    article: Article,
    new_text: str,
    *,
    user=None,
    source: str,
    layout: Layout | None = None,
) -> Correction:
    """Replace the article's text with `new_text`, keeping the earlier one.

    `source` is an ArticleVersion.Source value ("import", "reader", "admin",
    "shell"). `layout`, when given, is the importer's own reading of the new text
    (an HTML page tells where comments and captions are, which plain text does
    not); its text is the new text. Otherwise the text is laid out as a plain text
    file would be at import. A text equal to the current one changes nothing.

    Raises CorrectionRefused for an empty text, a NUL character, or a text that
    another article of the same outlet already has (texts are unique per outlet).
    """
    if source not in ArticleVersion.Source.values:
        raise ValueError(f"unknown source {source!r}")
    if layout is None:
        layout = lay_out(new_text)
    elif not layout.text.strip():
        raise CorrectionRefused("The new text is empty: an article cannot lose all its text.")
    text = layout.text
    with transaction.atomic():
        # The row lock makes two corrections of one article wait for each other: each
        # reads the text the other left, so no version number is taken twice.
        current = Article.objects.select_for_update().get(pk=article.pk)
        correction = Correction(
            article=article,
            changed=False,
            old_version=current.text_version,
            new_version=current.text_version,
        )
        if current.text == text:
            _copy_text(current, article)
            return correction
        new_hash = content_hash(text)
        twin = (
            Article.objects.filter(outlet=current.outlet_id, content_hash=new_hash)
            .exclude(pk=current.pk)
            .values_list("pk", "title")
            .first()
        )
        if twin is not None:
            raise CorrectionRefused(
                f"Another article of this outlet already has exactly this text "
                f"(#{twin[0]}: {twin[1]}); two articles of one outlet cannot share a text."
            )
        old_text, old_version = current.text, current.text_version
        ArticleVersion.objects.create(
            article=current, number=old_version, text=old_text, created_by=user, source=source
        )
        current.text = text
        current.text_version = old_version + 1
        current._revising_text = True
        try:
            current.save(update_fields=["text", "content_hash", "text_version", "updated"])
        finally:
            current._revising_text = False
        Passage.objects.filter(article=current).delete()
        create_passages(current, layout)
        # Quotations are found again in the new text, and traced again.
        found = quotations.extract(current)
        quotations.trace(found)
        for _receiver, counts in text_revised.send(
            sender=Article,
            article=current,
            old_text=old_text,
            new_text=text,
            old_version=old_version,
            user=user,
        ):
            for key, n in (counts or {}).items():
                correction.counts[key] = correction.counts.get(key, 0) + n
        correction.changed = True
        correction.new_version = current.text_version
    _copy_text(current, article)
    return correction


def _copy_text(current: Article, article: Article) -> None:
    """The caller's article object holds the text it now has, as if reloaded."""
    if article is current:
        return
    article.text = current.text
    article.content_hash = current.content_hash
    article.text_version = current.text_version
    article.updated = current.updated
    article._stored_text = current.text
