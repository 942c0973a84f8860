"""Annotating: creating, changing, deleting and restoring annotations, with their history."""

from django.db import transaction
from django.utils import timezone

from annotations.models import Annotation, AnnotationRevision, Claim, ClaimRevision
from sources.text.anchoring import quote_selector


def _changes(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def _save_claim(claim: Claim | None, user) -> Claim | None:
    """Store a claim the form made from a new statement, recording its creation."""
    if claim is not None and claim.pk is None:
        claim.created_by = user
        claim.save()
        record_claim_change(claim, user, before=None)
    return claim


@transaction.atomic
def create_annotation(article, user, data: dict) -> Annotation:
    """`data` is an AnnotationForm's cleaned_data; the quote is already checked."""
    annotation = Annotation(
        article=article,
        start=data["start"],
        end=data["end"],
        claim=_save_claim(data.get("claim"), user),
        stance=data.get("stance", ""),
        note=data.get("note", ""),
        author=user,
    )
    # Context from our own copy of the text: the browser's may be cut differently.
    selector = quote_selector(article.text, annotation.start, annotation.end)
    annotation.exact, annotation.prefix, annotation.suffix = (
        selector.exact,
        selector.prefix,
        selector.suffix,
    )
    annotation.full_clean()
    annotation.save()
    annotation.tags.set(data.get("tags", []))
    AnnotationRevision.objects.create(
        annotation=annotation,
        user=user,
        action=AnnotationRevision.Action.CREATED,
        changes=annotation.snapshot(),
    )
    return annotation


@transaction.atomic
def update_annotation(annotation: Annotation, user, data: dict) -> Annotation:
    before = annotation.snapshot()
    annotation.claim = _save_claim(data.get("claim"), user)
    annotation.stance = data.get("stance", "")
    annotation.note = data.get("note", "")
    annotation.full_clean()
    annotation.save()
    annotation.tags.set(data.get("tags", []))
    if hasattr(annotation, "tag_links"):
        del annotation.tag_links
    changes = _changes(before, annotation.snapshot())
    if changes:
        AnnotationRevision.objects.create(
            annotation=annotation,
            user=user,
            action=AnnotationRevision.Action.CHANGED,
            changes=changes,
        )
    return annotation


def record_claim_change(claim: Claim, user, before: dict | None) -> None:
    """History for a claim saved elsewhere (the admin): created, or what changed."""
    if before is None:
        ClaimRevision.objects.create(
            claim=claim, user=user, action=ClaimRevision.Action.CREATED, changes=claim.snapshot()
        )
        return
    changes = _changes(before, claim.snapshot())
    if changes:
        ClaimRevision.objects.create(
            claim=claim, user=user, action=ClaimRevision.Action.CHANGED, changes=changes
        )


@transaction.atomic
def delete_annotation(annotation: Annotation, user) -> None:
    annotation.deleted = timezone.now()
    annotation.save(update_fields=["deleted", "modified"])
    AnnotationRevision.objects.create(
        annotation=annotation, user=user, action=AnnotationRevision.Action.DELETED
    )


@transaction.atomic
def restore_annotation(annotation: Annotation, user) -> None:
    annotation.deleted = None
    annotation.save(update_fields=["deleted", "modified"])
    AnnotationRevision.objects.create(
        annotation=annotation, user=user, action=AnnotationRevision.Action.RESTORED
    )
