"""The tag vocabulary: finding tags by name, proposing the names nobody has used yet, and
the moderators' accepting, merging, rejecting and ordering of tags.

Moderators curate the vocabulary. Nothing else grows it: a name an editor types (or an
import brings) that matches no tag becomes a *proposed* tag, usable at once and marked
as proposed until a moderator accepts, merges or rejects it.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from annotations.models import (
    Annotation,
    AnnotationRevision,
    Tag,
    TaggedAnnotation,
    name_key,
    tag_name_problem,
)


def normalise_name(name: str) -> str:
    """A tag name as stored: white space collapsed, case kept as typed."""
    return " ".join(name.split())


def tags_for_names(names: list[str], user) -> list[Tag]:
    """The tags with these names, in the order given, found whatever their case; a name
    no tag has becomes a tag proposed by `user`.

    The names are checked already (see tag_name_problem); a name another request
    proposes at the same moment is found, not made twice.
    """
    tags: list[Tag] = []
    for name in map(normalise_name, names):
        tag = Tag.objects.filter(key=name_key(name)).first() or _propose(name, user)
        if tag not in tags:
            tags.append(tag)
    return tags


def _propose(name: str, user) -> Tag:
    if problem := tag_name_problem(name):
        raise ValueError(problem)
    # Two tries: the second after another request took the name or the slug first.
    for _ in range(2):
        try:
            with transaction.atomic():
                return Tag.objects.create(name=name, status=Tag.Status.PROPOSED, proposed_by=user)
        except IntegrityError:
            existing = Tag.objects.filter(key=name_key(name)).first()
            if existing is not None:
                return existing
    # A slug taken twice in a row by other new tags: the last try lets the error through.
    return Tag.objects.create(name=name, status=Tag.Status.PROPOSED, proposed_by=user)


# Moderation. Each action is recorded: in the admin's log of the tag (who, when, what),
# and, when annotations lose or change a tag, as a revision in each annotation's history.


# A tag on many annotations is merged or rejected in batches of this many.
BATCH_SIZE = 500


class VocabularyError(Exception):
    """A moderation step that cannot be taken; the message says why, for the moderator."""


def accept_tag(tag: Tag, moderator) -> None:
    """Take a proposed tag into the vocabulary, after the tags already in it."""
    with transaction.atomic():
        tag = _locked(tag)
        if not tag.is_proposed:
            raise VocabularyError(f"“{tag.name}” is in the vocabulary already.")
        last = Tag.objects.vocabulary().aggregate(last=Max("position"))["last"] or 0
        tag.status = Tag.Status.ACCEPTED
        tag.position = last + 1
        tag.save(update_fields=["status", "position"])
        _log(moderator, tag, "Accepted into the vocabulary.")


def merge_tag(tag: Tag, into: Tag, moderator) -> int:
    """Fold `tag` into the vocabulary's `into`: its annotations carry `into` instead (once,
    where they had both), each annotation's history records it, and `tag` is deleted.

    Returns how many annotations changed.
    """
    with transaction.atomic():
        if tag.pk == into.pk:
            raise VocabularyError("A tag cannot be merged into itself.")
        # Locked in the order of their ids, so two merges of the same pair cannot deadlock.
        if tag.pk < into.pk:
            tag, into = _locked(tag), _locked(into)
        else:
            into, tag = _locked(into), _locked(tag)
        if into.is_proposed:
            raise VocabularyError(
                f"“{into.name}” is only proposed: merge into a tag of the vocabulary."
            )
        links = TaggedAnnotation.objects.filter(tag=tag)

        def move_links():
            # Where an annotation has both tags, it keeps the one it had.
            has_both = TaggedAnnotation.objects.filter(tag=into).values("content_object")
            links.filter(content_object__in=has_both).delete()
            # The others keep their rows, so the tag keeps its place among the annotation's.
            links.update(tag=into)

        changed = _record_tag_changes(tag, moderator, change=move_links)
        _log(moderator, into, f"Merged in “{tag.name}” ({_annotations(changed)}).")
        _log(moderator, tag, f"Merged into “{into.name}” ({_annotations(changed)}).")
        tag.delete()
        return changed


def reject_tag(tag: Tag, moderator) -> int:
    """Refuse a proposed tag: annotations lose it, each annotation's history records it,
    and the tag is deleted. Returns how many annotations changed."""
    with transaction.atomic():
        tag = _locked(tag)
        if not tag.is_proposed:
            raise VocabularyError(
                f"“{tag.name}” is in the vocabulary: merge it into another tag instead."
            )
        return _remove(tag, moderator, "Rejected")


def delete_tag(tag: Tag, moderator) -> int:
    """Delete any tag (the admin's delete), recording what each annotation lost."""
    with transaction.atomic():
        return _remove(_locked(tag), moderator, "Deleted")


def move_tag(tag: Tag, moderator, step: int) -> None:
    """Move a vocabulary tag `step` places (-1: up, 1: down), numbering the vocabulary
    1, 2, 3… again so that no two tags share a place."""
    with transaction.atomic():
        # Every vocabulary row is locked: two moderators reordering at once take turns.
        tags = list(Tag.objects.vocabulary().select_for_update().order_by("position", "name", "pk"))
        index = next((i for i, t in enumerate(tags) if t.pk == tag.pk), None)
        if index is None:
            raise VocabularyError(f"“{tag.name}” is not in the vocabulary: accept it first.")
        target = index + step
        if not 0 <= target < len(tags):
            raise VocabularyError(
                f"“{tag.name}” is {'first' if step < 0 else 'last'} in the vocabulary already."
            )
        tags.insert(target, tags.pop(index))
        moved = []
        for position, each in enumerate(tags, 1):
            if each.position != position:
                each.position = position
                moved.append(each)
        Tag.objects.bulk_update(moved, ["position"])
        _log(moderator, tags[target], f"Moved to place {target + 1} of the vocabulary.")


def _locked(tag: Tag) -> Tag:
    """The tag's row, locked until the transaction ends, as it is now (another moderator
    may have acted on it since the page was loaded)."""
    try:
        return Tag.objects.select_for_update().get(pk=tag.pk)
    except Tag.DoesNotExist:
        raise VocabularyError(f"“{tag.name}” was merged or rejected already.") from None


def _remove(tag: Tag, moderator, verb: str) -> int:
    changed = _record_tag_changes(
        tag, moderator, change=lambda: TaggedAnnotation.objects.filter(tag=tag).delete()
    )
    _log(moderator, tag, f"{verb} ({_annotations(changed)} lost it).")
    tag.delete()
    return changed


def _record_tag_changes(tag: Tag, moderator, change) -> int:
    """Run `change()`, which alters the tags of the annotations carrying `tag`, and record
    each annotation's tags before and after as a revision by `moderator`. Deleted
    annotations are included: a moderator may restore them.

    The annotations move to their next version, so an editor's form opened before the
    change is refused instead of putting the old tag back.
    """
    annotations = Annotation.objects.filter(
        pk__in=TaggedAnnotation.objects.filter(tag=tag).values("content_object")
    )
    ids = list(annotations.select_for_update().values_list("pk", flat=True))
    # While `tag` still finds them: one UPDATE, whatever their number.
    annotations.update(version=F("version") + 1, modified=timezone.now())
    before = _tag_names(ids)
    change()
    after = _tag_names(ids)
    AnnotationRevision.objects.bulk_create(
        (
            AnnotationRevision(
                annotation_id=pk,
                user=moderator,
                action=AnnotationRevision.Action.CHANGED,
                changes={"tags": [before.get(pk, []), after.get(pk, [])]},
            )
            for pk in ids
        ),
        batch_size=BATCH_SIZE,
    )
    return len(ids)


def _tag_names(annotation_ids: list[int]) -> dict[int, list[str]]:
    """Each annotation's tag names, in the order they were added (as Annotation.snapshot),
    read in batches: SQLite takes a bounded number of parameters per query."""
    names: dict[int, list[str]] = {}
    for start in range(0, len(annotation_ids), BATCH_SIZE):
        links = (
            TaggedAnnotation.objects.filter(
                content_object__in=annotation_ids[start : start + BATCH_SIZE]
            )
            .order_by("pk")
            .values_list("content_object", "tag__name")
        )
        for annotation_id, name in links:
            names.setdefault(annotation_id, []).append(name)
    return names


def _annotations(count: int) -> str:
    return f"{count} annotation{'' if count == 1 else 's'}"


def _log(moderator, tag: Tag, message: str) -> None:
    LogEntry.objects.log_actions(moderator.pk, [tag], CHANGE, message)
