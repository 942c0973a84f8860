"""Annotating: creating, changing, deleting and restoring annotations, with their history."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from annotations.models import (
    Annotation,
    AnnotationRevision,
    Claim,
    ClaimAlias,
    ClaimRelation,
    ClaimRevision,
)
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


@transaction.atomic
def set_claim_status(claim: Claim, status: str, user) -> None:
    before = claim.snapshot()
    claim.status = status
    claim.save(update_fields=["status", "updated"])
    record_claim_change(claim, user, before)


@transaction.atomic
def rename_claim(claim: Claim, statement: str, user) -> None:
    """New wording, and a slug to match; the old slug keeps redirecting."""
    before = claim.snapshot()
    claim.statement = statement
    old_slug = claim.slug
    if slugify(statement)[:60].strip("-") != old_slug:
        ClaimAlias.objects.create(claim=claim, slug=old_slug)
        claim.slug = Claim.new_slug(statement)
    claim.save()
    record_claim_change(claim, user, before)


@transaction.atomic
def merge_claims(source: Claim, target: Claim, user) -> int:
    """Fold `source` into `target`: its annotations and relations move, its links redirect.

    Returns how many annotations moved.
    """
    moved = source.annotations.update(claim=target)
    for relation in ClaimRelation.objects.filter(Q(source=source) | Q(target=source)):
        ends = {
            "source": target if relation.source_id == source.pk else relation.source,
            "target": target if relation.target_id == source.pk else relation.target,
        }
        duplicate = ClaimRelation.objects.filter(kind=relation.kind, **ends).exists()
        if ends["source"] == ends["target"] or duplicate:
            relation.delete()
        else:
            ClaimRelation.objects.filter(pk=relation.pk).update(
                source=ends["source"], target=ends["target"]
            )
    source.aliases.update(claim=target)
    ClaimAlias.objects.create(claim=target, slug=source.slug)
    ClaimRevision.objects.create(
        claim=target,
        user=user,
        action=ClaimRevision.Action.CHANGED,
        changes={"merged in": [None, f"“{source.statement}” ({moved} annotations)"]},
    )
    source.delete()
    return moved
