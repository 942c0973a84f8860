"""What the review pages show: annotations a correction could not place for sure, each with
its old place (in the earlier text it was anchored on) and its proposed place (in the
current text), and the words that changed between them."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q, QuerySet

from annotations.models import Annotation
from sources.models import Article, ArticleVersion
from sources.text.anchoring import CONTEXT_LENGTH
from sources.text.context import sentence_context
from sources.text.reanchor import word_diff

# Context shown on each side of a quote in the review list and the version pages.
CONTEXT_LIMIT = 160
# The version pages diff whole texts word by word; past this many characters (on either
# side) they show the earlier text without the difference, which would take too long.
DIFF_MAX_CHARS = 200_000


def annotations_to_review(article: Article | None = None) -> QuerySet[Annotation]:
    """Live annotations in review or orphaned, of one article or of all, article by article
    in text order, with what their display needs: claim, author and tags (with_details()),
    and each article once with its outlet and its text (the proposed place is read in it),
    never its raw input."""
    annotations = Annotation.objects.visible().filter(
        anchor_status__in=[Annotation.AnchorStatus.REVIEW, Annotation.AnchorStatus.ORPHANED]
    )
    if article is not None:
        annotations = annotations.filter(article=article)
    return (
        annotations.with_details()
        .prefetch_related(
            Prefetch("article", queryset=Article.objects.select_related("outlet").defer("raw"))
        )
        .order_by("article_id", "start", "pk")
    )


def earlier_texts(annotations) -> dict[tuple[int, int], str]:
    """The stored earlier texts the annotations are anchored on, keyed by (article id,
    version number): one query for all of them, none when every one is on its article's
    current text."""
    keys = {
        (a.article_id, a.anchored_version)
        for a in annotations
        if a.anchored_version != a.article.text_version
    }
    if not keys:
        return {}
    wanted = reduce(or_, (Q(article_id=article, number=number) for article, number in keys))
    versions = ArticleVersion.objects.filter(wanted).only("article_id", "number", "text")
    return {(v.article_id, v.number): v.text for v in versions}


def stored_context(annotation: Annotation) -> tuple[str, str]:
    """The words around the quote as the annotation stored them (its prefix and suffix),
    within its paragraph, for when its offsets do not point into a text at hand.

    The stored context is cut at a fixed length, mostly inside a word: the cut word is
    dropped and "…" says so. Where it stops at a paragraph or the text's edge, nothing is
    missing and nothing is marked.
    """
    prefix, suffix = annotation.prefix, annotation.suffix
    before = prefix.rsplit("\n", 1)[-1]
    after = suffix.split("\n", 1)[0]
    if before == prefix and len(prefix) >= CONTEXT_LENGTH:
        before = "…" + (before[before.index(" ") + 1 :] if " " in before else "")
    if after == suffix and len(suffix) >= CONTEXT_LENGTH:
        after = (after[: after.rindex(" ")] if " " in after else "") + "…"
    return before, after


@dataclass(frozen=True)
class Place:
    """A quote in a text, with the rest of its sentence on each side."""

    before: str
    words: str
    after: str

    @property
    def in_words(self) -> str:
        return self.before + self.words + self.after


def place_in(text: str, start: int, end: int) -> Place:
    before, after = sentence_context(text, start, end, limit=CONTEXT_LIMIT)
    return Place(before, text[start:end], after)


def old_place(annotation: Annotation, text: str | None) -> Place:
    """Where the annotation stood in the text it was anchored on; from its stored quote and
    context when that text is not at hand or its offsets do not match it."""
    start, end = annotation.start, annotation.end
    if text is not None and text[start:end] == annotation.exact:
        return place_in(text, start, end)
    before, after = stored_context(annotation)
    return Place(before, annotation.exact, after)


@dataclass(frozen=True)
class ReviewItem:
    annotation: Annotation
    old: Place
    # None for an orphan, and for an annotation in review with no proposed place.
    proposed: Place | None

    @property
    def changes(self) -> list[tuple[str, str]]:
        """The words that differ between the old place and the proposed one, in context."""
        if self.proposed is None:
            return []
        return word_diff(self.old.in_words, self.proposed.in_words)

    @property
    def can_accept(self) -> bool:
        return self.proposed is not None


def review_items(annotations: list[Annotation]) -> list[ReviewItem]:
    """Each annotation with its old and proposed places. Reads the prefetched articles and
    one query for the earlier texts."""
    texts = earlier_texts(annotations)
    items = []
    for annotation in annotations:
        article = annotation.article
        if annotation.anchored_version == article.text_version:
            old_text = article.text
        else:
            old_text = texts.get((article.pk, annotation.anchored_version))
        proposed = None
        start, end = annotation.proposed_start, annotation.proposed_end
        is_review = annotation.anchor_status == Annotation.AnchorStatus.REVIEW
        has_place = start is not None and end is not None and 0 <= start < end <= len(article.text)
        if is_review and has_place:
            proposed = place_in(article.text, start, end)
        items.append(ReviewItem(annotation, old_place(annotation, old_text), proposed))
    return items


def version_changes(old_text: str, new_text: str) -> list[tuple[str, str]] | None:
    """The word-level difference between an earlier text and the current one, or None when
    either is too long to diff on a page (DIFF_MAX_CHARS)."""
    if max(len(old_text), len(new_text)) > DIFF_MAX_CHARS:
        return None
    return word_diff(old_text, new_text)
