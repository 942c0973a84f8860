"""Annotating: creating, changing, deleting and restoring annotations, with their history."""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
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
from annotations.vocabulary import tags_for_names
from parallax import audit
from parallax.models import AuditEvent
from sources.models import Article
from sources.text.anchoring import quote_selector


class StaleEdit(Exception):
    """Someone saved the annotation or claim after this editor opened it."""

    def __init__(self, obj, changed_by):
        super().__init__(f"{obj} was changed by {changed_by} since it was opened")
        self.obj = obj
        self.changed_by = changed_by

    @property
    def message(self) -> str:
        return (
            f"This was changed by {self.changed_by} since you opened it. Their version is "
            "shown below; your text is kept in the form: save again to replace theirs."
        )


def _changes(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def _next_version(model, obj, version: int | None) -> None:
    """Move `obj` to its next version, if it still is at `version` (None: whatever it is).

    One UPDATE compares and sets, so of two editors saving from the same version exactly
    one goes through; the other gets StaleEdit naming who changed it.
    """
    rows = model.objects.filter(pk=obj.pk)
    if version is not None:
        rows = rows.filter(version=version)
    if not rows.update(version=F("version") + 1):
        last = obj.revisions.select_related("user").first()
        who = last.user.get_username() if last and last.user else "another editor"
        raise StaleEdit(obj, who)
    obj.refresh_from_db(fields=["version"])


def _save_claim(claim: Claim | None, user) -> Claim | None:
    """Store a claim the form made from a new statement, recording its creation.

    Editors naming the same new claim at the same moment make one claim: the database
    refuses the second, which then takes the first one's.
    """
    if claim is None or claim.pk is not None:
        return claim
    claim.created_by = user
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        existing = Claim.saying(claim.story_id, claim.statement).first()
        if existing is None:
            raise
        return existing
    record_claim_change(claim, user, before=None)
    return claim


def create_claim(story, statement: str, user) -> tuple[Claim, bool]:
    """The story's claim saying `statement`, made (a draft, with its history) when no
    claim of the story says it yet; and whether it was made."""
    existing = Claim.saying(story.pk, statement).first()
    if existing is not None:
        return existing, False
    made = Claim(story=story, statement=statement)
    # Another editor making the same claim at the same moment: theirs comes back.
    claim = _save_claim(made, user)
    return claim, claim is made


def find_submission(user, submission) -> Annotation | None:
    """The annotation this editor's form made already, if it was sent before."""
    if submission is None:
        return None
    return Annotation.objects.filter(author=user, submission=submission).first()


def create_annotation(article, user, data: dict) -> tuple[Annotation, bool]:
    """`data` is an AnnotationForm's cleaned_data; the quote is already checked.

    Returns the annotation and whether it is new: a form sent twice (a double click, a
    retry) carries the same submission key and gets the first annotation back.
    """
    if existing := find_submission(user, data.get("submission")):
        return existing, False
    try:
        return _create_annotation(article, user, data), True
    except IntegrityError:
        # The same form sent twice at the same moment: the other request made it.
        if existing := find_submission(user, data.get("submission")):
            return existing, False
        raise


@transaction.atomic
def _create_annotation(article, user, data: dict) -> Annotation:
    annotation = Annotation(
        article=article,
        start=data["start"],
        end=data["end"],
        claim=_save_claim(data.get("claim"), user),
        stance=data.get("stance", ""),
        note=data.get("note", ""),
        author=user,
        submission=data.get("submission"),
    )
    # Context from our own copy of the text: the browser's may be cut differently.
    selector = quote_selector(article.text, annotation.start, annotation.end)
    annotation.exact, annotation.prefix, annotation.suffix = (
        selector.exact,
        selector.prefix,
        selector.suffix,
    )
    # The unique submission key is checked by the database, on save.
    annotation.full_clean(validate_constraints=False)
    annotation.save()
    annotation.tags.set(tags_for_names(data.get("tags", []), user))
    AnnotationRevision.objects.create(
        annotation=annotation,
        user=user,
        action=AnnotationRevision.Action.CREATED,
        changes=annotation.snapshot(),
    )
    return annotation


@transaction.atomic
def annotate_quotations(quotations, user, data: dict) -> tuple[list[Annotation], int]:
    """Annotate each of `quotations` (a trace's renderings in one story) under the same
    tags, claim, stance and note, in one transaction: each becomes an ordinary annotation
    with its own history. `data` is an AnnotationFieldsForm's cleaned_data. A rendering
    that already has a live annotation of the same words under the same claim is left as
    it is. Returns the new annotations and how many were left."""
    claim = _save_claim(data.get("claim"), user)
    data = {**data, "claim": claim}
    places = Q()
    for quotation in quotations:
        places |= Q(article=quotation.article_id, start=quotation.start, end=quotation.end)
    done = set(
        Annotation.objects.visible()
        .filter(places, claim=claim)
        .values_list("article_id", "start", "end")
    )
    articles = Article.objects.defer("raw").in_bulk({q.article_id for q in quotations})
    made = []
    for quotation in quotations:
        if (quotation.article_id, quotation.start, quotation.end) in done:
            continue
        done.add((quotation.article_id, quotation.start, quotation.end))
        place = {"start": quotation.start, "end": quotation.end, "submission": None}
        made.append(_create_annotation(articles[quotation.article_id], user, data | place))
    return made, len(quotations) - len(made)


@transaction.atomic
def update_annotation(
    annotation: Annotation, user, data: dict, version: int | None = None
) -> Annotation:
    """Save an editor's changes; raises StaleEdit when the annotation is no longer at
    `version`, the one the editor opened."""
    _next_version(Annotation, annotation, version)
    before = annotation.snapshot()
    annotation.claim = _save_claim(data.get("claim"), user)
    annotation.stance = data.get("stance", "")
    annotation.note = data.get("note", "")
    annotation.full_clean()
    # Only what the form changes: a correction may have moved the anchor meanwhile.
    annotation.save(update_fields=["claim", "stance", "note", "modified"])
    annotation.tags.set(tags_for_names(data.get("tags", []), user))
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
    if "status" in changes:
        # Publishing is also in the project's audit log, with everything a moderator audits.
        action = (
            AuditEvent.Action.PUBLISHED if claim.is_published else AuditEvent.Action.UNPUBLISHED
        )
        audit.record(user, action, claim.statement, f"story: {claim.story}")


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
    if claim.status == status:
        return
    _next_version(Claim, claim, None)
    before = claim.snapshot()
    claim.status = status
    claim.save(update_fields=["status", "updated"])
    record_claim_change(claim, user, before)


class DuplicateStatement(Exception):
    """Another claim of the story already has this statement."""

    def __init__(self, other: Claim):
        super().__init__(f"“{other.statement}” is already a claim of this story")
        self.other = other


@transaction.atomic
def rename_claim(claim: Claim, statement: str, user, version: int | None = None) -> None:
    """New wording, and a slug to match; the old slug keeps redirecting.

    Raises StaleEdit when the claim is no longer at `version`, and DuplicateStatement when
    another claim of the story already says the same.
    """
    other = Claim.saying(claim.story_id, statement).exclude(pk=claim.pk).first()
    if other is not None:
        raise DuplicateStatement(other)
    _next_version(Claim, claim, version)
    before = claim.snapshot()
    claim.statement = statement
    old_slug = claim.slug
    if slugify(statement)[:60].strip("-") != old_slug:
        ClaimAlias.objects.create(claim=claim, slug=old_slug)
        claim.slug = Claim.new_slug(statement)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        # Another request gave a claim of this story the same statement meanwhile.
        other = Claim.saying(claim.story_id, statement).first()
        if other is None:
            raise
        raise DuplicateStatement(other) from None
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
    audit.record(
        user,
        AuditEvent.Action.MERGED,
        target.statement,
        f"merged in “{source.statement}” ({moved} annotations)",
    )
    source.delete()
    return moved


class ClaimInUse(Exception):
    """Annotations still point at the claim: deleting it would strip them of it."""

    def __init__(self, claim: Claim, count: int):
        super().__init__(f"{count} annotations still use “{claim.statement}”")
        self.claim = claim
        self.count = count


@transaction.atomic
def delete_claim(claim: Claim, user) -> None:
    """Remove a claim no annotation uses any more, with its old slugs and its relations.

    Raises ClaimInUse when annotations still use it. Annotations deleted earlier (kept for
    a moderator to restore) lose the claim; the audit log says how many.
    """
    # Lock the claim's row (PostgreSQL): an annotation being saved under it meanwhile makes
    # this wait and is then counted; one saved after fails on its foreign key, rather than
    # losing its claim silently.
    Claim.objects.select_for_update().filter(pk=claim.pk).first()
    in_use = claim.annotations.visible().count()
    if in_use:
        raise ClaimInUse(claim, in_use)
    deleted_annotations = claim.annotations.count()
    relations = ClaimRelation.objects.filter(Q(source=claim) | Q(target=claim)).count()
    details = f"story: {claim.story}; relations removed: {relations}"
    if deleted_annotations:
        details += f"; deleted annotations that no longer name it: {deleted_annotations}"
    audit.record(user, AuditEvent.Action.CLAIM_DELETED, claim.statement, details)
    # Aliases and relations go with it (on_delete=CASCADE).
    claim.delete()
