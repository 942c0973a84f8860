"""Relations between claims: how one claim stands to another, read from either side.

An admission "contradicts" an earlier denial; the denial's page reads the same relation as
"is contradicted by". Workflows here record the change in both claims' histories.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django import forms
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When

from annotations.models import Claim, ClaimAlias, ClaimRelation, ClaimRevision
from parallax.permissions import can_change

# The datalist offers this many claims (this story's first); any other claim can still be
# given by its link or slug.
MAX_CHOICES = 500
# The kinds in the order the model declares them: the list on a claim page follows it.
KIND_ORDER = {kind: i for i, kind in enumerate(ClaimRelation.Kind.values)}


@dataclass
class RelatedClaim:
    """One relation as one claim's page shows it: "This claim <label> <other>"."""

    relation: ClaimRelation
    other: Claim
    outgoing: bool
    can_remove: bool = False

    @property
    def label(self) -> str:
        if self.outgoing:
            return self.relation.get_kind_display()
        return self.relation.inverse_label


def seen_from(claim: Claim, relation: ClaimRelation) -> RelatedClaim:
    """The relation as `claim`'s page reads it."""
    outgoing = relation.source_id == claim.pk
    # The page's own claim stands in for its copy from a join.
    if outgoing:
        relation.source = claim
    else:
        relation.target = claim
    return RelatedClaim(
        relation=relation,
        other=relation.target if outgoing else relation.source,
        outgoing=outgoing,
    )


def relations_of(claim: Claim, *, include_drafts: bool, user=None) -> list[RelatedClaim]:
    """The claim's relations both ways, as seen from `claim`, in one query.

    Readers never see drafts, so without `include_drafts` a relation to a draft is left
    out. With a `user`, each item says whether that user may remove the relation.
    """
    outgoing = Q(source=claim)
    incoming = Q(target=claim)
    if not include_drafts:
        outgoing &= Q(target__status=Claim.Status.PUBLISHED)
        incoming &= Q(source__status=Claim.Status.PUBLISHED)
    relations = ClaimRelation.objects.filter(outgoing | incoming).select_related(
        "source__story", "target__story"
    )
    items = []
    for relation in relations:
        item = seen_from(claim, relation)
        item.can_remove = user is not None and can_change(user, relation)
        items.append(item)
    items.sort(
        key=lambda item: (
            not item.outgoing,
            KIND_ORDER.get(item.relation.kind, len(KIND_ORDER)),
            item.other.statement.casefold(),
            item.relation.pk,
        )
    )
    return items


def _describe(label: str, claim: Claim) -> str:
    return f"{label} “{claim.statement}”"


def _record(relation: ClaimRelation, user, *, added: bool) -> None:
    """A "changed" row in both claims' histories, each worded from its own side."""
    sides = [
        (relation.source, _describe(relation.get_kind_display(), relation.target)),
        (relation.target, _describe(relation.inverse_label, relation.source)),
    ]
    ClaimRevision.objects.bulk_create(
        ClaimRevision(
            claim=claim,
            user=user,
            action=ClaimRevision.Action.CHANGED,
            changes={"relation": [None, text] if added else [text, None]},
        )
        for claim, text in sides
    )


@transaction.atomic
def add_relation(source: Claim, target: Claim, kind: str, user) -> ClaimRelation:
    """Relate `source` to `target` ("source contradicts target"), with both histories.

    The database refuses a duplicate or a relation to itself (IntegrityError); the form
    checks both first, so only a race reaches that.
    """
    relation = ClaimRelation.objects.create(
        source=source, target=target, kind=kind, created_by=user
    )
    _record(relation, user, added=True)
    return relation


@transaction.atomic
def remove_relation(relation: ClaimRelation, user) -> None:
    _record(relation, user, added=False)
    relation.delete()


def find_claim(value: str, *, prefer_story_id=None) -> Claim | None:
    """The claim a person means by a statement, a slug (current or old) or a claim's link.

    Raises ValidationError when the statement does not tell one claim from another.
    """
    value = " ".join(value.split())
    if not value:
        return None
    # A pasted link to the claim page: /claims/<slug>/ with or without the site.
    parts = [p for p in urlsplit(value).path.split("/") if p]
    if len(parts) >= 2 and parts[-2] == "claims":
        value = parts[-1]
    by_slug = Claim.objects.filter(slug=value).first()
    if by_slug is not None:
        return by_slug
    alias = ClaimAlias.objects.select_related("claim").filter(slug=value).first()
    if alias is not None:
        return alias.claim
    matches = list(
        Claim.objects.filter(statement__iexact=value).order_by(
            _same_story_first(prefer_story_id), "pk"
        )[:2]
    )
    if not matches:
        return None
    # The same words in this story and in another: this story's claim is meant.
    if len(matches) > 1 and (matches[0].story_id == prefer_story_id) == (
        matches[1].story_id == prefer_story_id
    ):
        raise forms.ValidationError(
            "Several claims read exactly like that. Paste the link of the one you mean.",
            code="ambiguous",
        )
    return matches[0]


def _same_story_first(story_id):
    return Case(
        When(story_id=story_id, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


def claims_to_pick(claim: Claim):
    """The claims an editor may relate `claim` to, this story's first (for the datalist)."""
    return (
        Claim.objects.exclude(pk=claim.pk)
        .select_related("story")
        .only("statement", "slug", "status", "story__title")
        .order_by(_same_story_first(claim.story_id), "statement", "pk")
    )


class RelationForm(forms.Form):
    """Relate the page's claim to another one: "This claim <kind> <other claim>"."""

    kind = forms.ChoiceField(label="Relation", choices=ClaimRelation.Kind.choices)
    other = forms.CharField(
        label="Other claim",
        max_length=2000,
        help_text="Start typing its statement and pick it from the list, or paste its link.",
    )

    def __init__(self, *args, claim: Claim, **kwargs):
        self.claim = claim
        kwargs.setdefault("auto_id", "relation-%s")
        super().__init__(*args, **kwargs)

    @property
    def claim_choices(self):
        return claims_to_pick(self.claim)[:MAX_CHOICES]

    def clean_other(self):
        value = self.cleaned_data["other"]
        other = find_claim(value, prefer_story_id=self.claim.story_id)
        if other is None:
            shown = " ".join(value.split())
            shown = shown if len(shown) <= 80 else shown[:80] + "…"
            raise forms.ValidationError(
                f"No claim reads “{shown}”. Pick one from the list, or paste its link.",
                code="unknown",
            )
        if other.pk == self.claim.pk:
            raise forms.ValidationError(
                "That is this claim: a claim cannot be related to itself.", code="itself"
            )
        return other

    def clean(self):
        data = super().clean()
        kind, other = data.get("kind"), data.get("other")
        if kind and other is not None:
            exists = ClaimRelation.objects.filter(
                source=self.claim, target=other, kind=kind
            ).exists()
            if exists:
                label = ClaimRelation.Kind(kind).label
                raise forms.ValidationError(
                    f"This claim already {label} “{other.statement}”.", code="duplicate"
                )
        return data
