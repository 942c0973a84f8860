"""Annotations follow their article's text when it is corrected.

`reanchor_annotations` receives sources.signals.text_revised (connected in
AnnotationsConfig.ready) and places every anchored annotation of the article,
deleted ones included, in the new text with sources.text.reanchor. What the
re-anchoring cannot place with confidence is never moved silently: it keeps its
old place (which refers to text version `anchored_version`) and goes to review
with a proposed place, or is orphaned. Each move and each status change is
recorded in the annotation's history (no user: the correction's author is on
the ArticleVersion it kept; an editor's decisions carry the editor).

Annotations already in review keep their old place and status, but their
proposal is placed again from the text they were anchored on, so it always
points into the current text. Orphans stay as they are: an editor orphaned them,
or nothing was found, and a later correction does not bring one back unseen.

`accept_proposal`, `move_annotation` and `orphan_annotation` are an editor's
decisions on the review pages.
"""

from django.db import transaction
from django.utils import timezone

from annotations.editing import _next_version
from annotations.models import Annotation, AnnotationRevision
from sources.models import Article, ArticleVersion
from sources.text.anchoring import locate_quote, quote_matches, quote_selector
from sources.text.reanchor import Anchor, Placement, reanchor

Status = Annotation.AnchorStatus
Action = AnnotationRevision.Action

# What the receiver writes, in one bulk_update.
PLACE_FIELDS = [
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "anchor_status",
    "proposed_start",
    "proposed_end",
    "anchored_version",
    "version",
    "modified",
]


class AnchoringRefused(Exception):
    """An editor's decision that cannot be applied; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def reanchor_annotations(
    sender,
    *,
    article: Article,
    old_text: str,
    new_text: str,
    old_version: int,
    user=None,
    **kwargs,
) -> dict[str, int]:
    """Place the article's annotations in its new text; returns the counts.

    The same queries whatever the number of annotations: the annotations (anchored
    and in review, locked), the earlier texts those in review were anchored on (when
    there are some), one bulk update, one bulk insert of history rows. (SQLite, with
    its limit on query parameters, splits a bulk update of many rows in batches;
    PostgreSQL sends it whole.)
    """
    counts = {"anchored": 0, "moved": 0, "review": 0, "orphaned": 0}
    annotations = list(
        Annotation.objects.filter(
            article=article.pk, anchor_status__in=[Status.ANCHORED, Status.REVIEW]
        )
        .select_for_update()
        .order_by("pk")
    )
    if not annotations:
        return counts
    now = timezone.now()
    new_version = article.text_version
    revisions: list[AnnotationRevision] = []
    anchored = [a for a in annotations if a.anchor_status == Status.ANCHORED]
    waiting = [a for a in annotations if a.anchor_status == Status.REVIEW]
    placements = reanchor(old_text, new_text, [_anchor(a, old_text) for a in anchored])
    for annotation, placement in zip(anchored, placements, strict=True):
        placement = _checked(placement, new_text)
        if placement.status == "anchored":
            counts["anchored" if placement.method == "diff" else "moved"] += 1
            before = (annotation.start, annotation.end, annotation.exact)
            _place(annotation, placement.start, placement.end, new_text, new_version)
            if (annotation.start, annotation.end, annotation.exact) != before:
                revisions.append(
                    _revision(annotation, None, Action.REANCHORED, before, placement, old_version)
                )
        elif placement.status == "review":
            counts["review"] += 1
            annotation.anchor_status = Status.REVIEW
            annotation.proposed_start, annotation.proposed_end = placement.start, placement.end
            revisions.append(
                _revision(annotation, None, Action.TO_REVIEW, None, placement, old_version)
            )
        else:
            counts["orphaned"] += 1
            annotation.anchor_status = Status.ORPHANED
            annotation.proposed_start = annotation.proposed_end = None
            revisions.append(
                _revision(annotation, None, Action.ORPHANED, None, placement, old_version)
            )
    _refresh_proposals(waiting, article, old_text, old_version, new_text)
    for annotation in annotations:
        annotation.modified = now
    Annotation.objects.bulk_update(annotations, PLACE_FIELDS)
    AnnotationRevision.objects.bulk_create(revisions)
    return counts


def _refresh_proposals(
    waiting: list[Annotation], article: Article, old_text: str, old_version: int, new_text: str
) -> None:
    """Annotations already in review get a proposed place in the new text.

    Their old place refers to an earlier text (their anchored_version), so they are
    placed again from that text; they stay in review whatever is found, an editor
    having still to decide. Their proposal never points into a text that is gone.
    """
    if not waiting:
        return
    numbers = {a.anchored_version for a in waiting} - {old_version}
    texts = {old_version: old_text}
    if numbers:
        texts.update(
            ArticleVersion.objects.filter(article=article.pk, number__in=numbers).values_list(
                "number", "text"
            )
        )
    by_version: dict[int, list[Annotation]] = {}
    for annotation in waiting:
        by_version.setdefault(annotation.anchored_version, []).append(annotation)
    for number, group in by_version.items():
        earlier = texts.get(number)
        if earlier is None:
            placements = [None] * len(group)
        else:
            placements = reanchor(earlier, new_text, [_anchor(a, earlier) for a in group])
        for annotation, placement in zip(group, placements, strict=True):
            placement = _checked(placement, new_text) if placement else None
            if placement is not None and placement.status in ("anchored", "review"):
                annotation.proposed_start, annotation.proposed_end = placement.start, placement.end
            else:
                annotation.proposed_start = annotation.proposed_end = None


def _anchor(annotation: Annotation, text: str) -> Anchor:
    """The annotation's place in the text it was anchored on.

    Should its offsets not hold its quote there (data from before texts had an
    owner), the quote found by its context stands in for them.
    """
    start, end = annotation.start, annotation.end
    if not quote_matches(text, start, end, annotation.exact):
        span = locate_quote(text, annotation.exact, annotation.prefix, annotation.suffix)
        if span is not None:
            start, end = span.start, span.end
    return Anchor(start, end, annotation.exact, annotation.prefix, annotation.suffix)


def _checked(placement: Placement, new_text: str) -> Placement:
    """The placement, or a review without a proposal when its span is not a span of the
    new text: a wrong offset must never be written as an anchor."""
    if placement.status in ("anchored", "review") and placement.start is not None:
        start, end = placement.start, placement.end
        if end is None or not 0 <= start < end <= len(new_text):
            return Placement("review", None, None, placement.method, placement.score)
    if placement.status == "anchored" and placement.start is None:
        return Placement("review", None, None, placement.method, placement.score)
    return placement


def _place(annotation: Annotation, start: int, end: int, text: str, version: int) -> None:
    """Anchor the annotation at [start, end) of the current text, its quote and context
    taken from it as the annotate form takes them."""
    selector = quote_selector(text, start, end)
    annotation.start, annotation.end = start, end
    annotation.exact, annotation.prefix, annotation.suffix = (
        selector.exact,
        selector.prefix,
        selector.suffix,
    )
    annotation.anchor_status = Status.ANCHORED
    annotation.proposed_start = annotation.proposed_end = None
    annotation.anchored_version = version


def _revision(annotation, user, action, before, placement: Placement, old_version: int):
    """A history row for the receiver's change (the version moves with it)."""
    annotation.version += 1
    changes: dict = {"text version": [old_version, annotation.anchored_version]}
    if before is not None:
        old_start, old_end, old_exact = before
        changes["start"] = [old_start, annotation.start]
        changes["end"] = [old_end, annotation.end]
        if old_exact != annotation.exact:
            changes["quote"] = [old_exact, annotation.exact]
    elif annotation.proposed_start is not None:
        changes["proposed place"] = f"{annotation.proposed_start}–{annotation.proposed_end}"
    changes["found by"] = placement.method
    changes["score"] = round(placement.score, 3)
    return AnnotationRevision(annotation=annotation, user=user, action=action, changes=changes)


# An editor's decisions ---------------------------------------------------------


@transaction.atomic
def accept_proposal(annotation: Annotation, user, version: int | None = None) -> Annotation:
    """Anchor an annotation in review at its proposed place in the current text."""
    article = _lock(annotation, version)
    if annotation.anchor_status != Status.REVIEW or annotation.proposed_start is None:
        raise AnchoringRefused("This annotation has no proposed place to accept.")
    span = (annotation.proposed_start, annotation.proposed_end)
    return _anchor_at(annotation, article, user, Action.ACCEPTED, span, version)


@transaction.atomic
def move_annotation(
    annotation: Annotation, start: int, end: int, user, version: int | None = None
) -> Annotation:
    """Anchor an annotation at [start, end) of the current text, chosen by an editor."""
    article = _lock(annotation, version)
    return _anchor_at(annotation, article, user, Action.MOVED, (start, end), version)


@transaction.atomic
def orphan_annotation(annotation: Annotation, user, version: int | None = None) -> Annotation:
    """Mark an annotation whose words are gone as orphaned; it keeps its old place."""
    _lock(annotation, version)
    before = annotation.anchor_status
    _next_version(Annotation, annotation, version)
    annotation.anchor_status = Status.ORPHANED
    annotation.proposed_start = annotation.proposed_end = None
    annotation.save(update_fields=["anchor_status", "proposed_start", "proposed_end", "modified"])
    AnnotationRevision.objects.create(
        annotation=annotation,
        user=user,
        action=Action.ORPHANED,
        changes={"status": [before, Status.ORPHANED]},
    )
    return annotation


def _lock(annotation: Annotation, version: int | None) -> Article:
    """Lock the article (a correction waits; it locks the article first too) and the
    annotation, and read the annotation's place as it stands now.

    Raises StaleEdit when the annotation is no longer at `version`, the one the editor
    saw: someone decided, or a correction moved it, since.
    """
    article = Article.objects.select_for_update().get(pk=annotation.article_id)
    current = Annotation.objects.select_for_update().get(pk=annotation.pk)
    if version is not None and current.version != version:
        _next_version(Annotation, annotation, version)  # raises StaleEdit, naming who
    for name in PLACE_FIELDS:
        setattr(annotation, name, getattr(current, name))
    return article


def _anchor_at(annotation, article, user, action, span: tuple[int, int], version) -> Annotation:
    start, end = span
    text = article.text
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        raise AnchoringRefused(
            f"The place {start}–{end} is outside the article's text ({len(text)} characters)."
        )
    if not text[start:end].strip():
        raise AnchoringRefused("The chosen place holds only white space; select words.")
    _next_version(Annotation, annotation, version)
    before = (annotation.start, annotation.end, annotation.exact, annotation.anchor_status)
    _place(annotation, start, end, text, article.text_version)
    annotation.save(update_fields=[field for field in PLACE_FIELDS if field != "version"])
    changes = {"status": [before[3], Status.ANCHORED]}
    if before[:2] != (start, end):
        changes["start"] = [before[0], start]
        changes["end"] = [before[1], end]
    if before[2] != annotation.exact:
        changes["quote"] = [before[2], annotation.exact]
    AnnotationRevision.objects.create(
        annotation=annotation, user=user, action=action, changes=changes
    )
    return annotation
