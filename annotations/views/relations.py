"""Adding and removing relations between claims; the claim page lists them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotations.models import ClaimRelation
from annotations.relations import RelationForm, add_relation, remove_relation, seen_from
from parallax.permissions import can_change, editor_required
from reading.views.claims import MovedClaim, load_claim


def _claim(request, slug):
    # A form posted from a page loaded before a rename acts on the renamed claim: a
    # redirect would lose the POST.
    try:
        return load_claim(request, slug)
    except MovedClaim as moved:
        return moved.claim


@require_POST
@editor_required
def relation_add(request, slug):
    claim = _claim(request, slug)
    form = RelationForm(request.POST, claim=claim)
    if form.is_valid():
        other, kind = form.cleaned_data["other"], form.cleaned_data["kind"]
        try:
            relation = add_relation(claim, other, kind, request.user)
        except IntegrityError:
            # Another request added the same relation since the form was checked.
            form.add_error(None, "This relation was added meanwhile.")
        else:
            messages.success(
                request, f"Related: this claim {relation.get_kind_display()} “{other.statement}”."
            )
            return redirect(claim)
    # A page of its own, so what the editor typed is kept next to what went wrong.
    return render(
        request,
        "annotations/relation_form.html",
        {"claim": claim, "relation_form": form},
    )


@require_POST
@editor_required
def relation_delete(request, slug, relation_id):
    claim = _claim(request, slug)
    relation = get_object_or_404(
        ClaimRelation.objects.select_related("source", "target"),
        Q(source=claim) | Q(target=claim),
        pk=relation_id,
    )
    if not can_change(request.user, relation):
        raise PermissionDenied("Only the editor who added a relation, or a moderator, removes it.")
    item = seen_from(claim, relation)
    remove_relation(relation, request.user)
    messages.success(request, f"Removed: this claim {item.label} “{item.other.statement}”.")
    return redirect(claim)
