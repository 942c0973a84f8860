"""The editorial workflow for claims: publish, rename, delete and merge."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from annotations import editing
from annotations.forms import ClaimMergeForm, ClaimRenameForm
from annotations.models import Claim
from parallax.permissions import can_change, editor_required, moderator_required
from reading.views.claims import follows_moves, load_claim


@follows_moves
@require_POST
@editor_required
def claim_publish(request, slug):
    claim = load_claim(request, slug)
    if not can_change(request.user, claim):
        raise PermissionDenied(
            "Only the claim's author or a moderator can publish or unpublish it."
        )
    publish = request.POST.get("status") == Claim.Status.PUBLISHED
    editing.set_claim_status(
        claim, Claim.Status.PUBLISHED if publish else Claim.Status.DRAFT, request.user
    )
    message = "Claim published." if publish else "Claim is a draft again."
    # The page's "Publish and copy link" asks for JSON and shows the outcome itself.
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse(
            {
                "status": claim.status,
                "url": request.build_absolute_uri(claim.get_absolute_url()),
                "message": message,
            }
        )
    messages.success(request, message)
    return redirect(claim)


@follows_moves
@require_POST
@editor_required
def claim_delete(request, slug):
    """Remove a claim no annotation uses any more (a typo, a claim merged by hand)."""
    claim = load_claim(request, slug)
    if not can_change(request.user, claim):
        raise PermissionDenied("Only the claim's author or a moderator can delete it.")
    try:
        editing.delete_claim(claim, request.user)
    except editing.ClaimInUse as in_use:
        plural = "annotation still uses" if in_use.count == 1 else "annotations still use"
        messages.error(
            request,
            f"Not deleted: {in_use.count} {plural} this claim. "
            "Change or delete them first, or merge the claim into another.",
        )
        return redirect(claim)
    messages.success(request, f"Claim deleted: “{claim.statement}”.")
    return redirect(claim.story)


@require_http_methods(["GET", "HEAD", "POST"])
@follows_moves
@editor_required
def claim_edit(request, slug):
    claim = load_claim(request, slug)
    if not can_change(request.user, claim):
        raise PermissionDenied("Only the claim's author or a moderator can rename it.")
    form = ClaimRenameForm(
        request.POST or None, initial={"statement": claim.statement, "version": claim.version}
    )
    theirs = None
    if request.method == "POST" and form.is_valid():
        try:
            editing.rename_claim(
                claim,
                form.cleaned_data["statement"],
                request.user,
                version=form.cleaned_data["version"],
            )
        except editing.DuplicateStatement as duplicate:
            form.add_error(
                "statement",
                f"Another claim of this story already says this: “{duplicate.other.statement}”. "
                "A moderator can merge the two instead.",
            )
        except editing.StaleEdit as stale:
            data = request.POST.copy()
            data["version"] = str(claim.version)
            form = ClaimRenameForm(data)
            form.is_valid()
            form.add_error(None, stale.message)
            theirs = {
                "statement": claim.statement,
                "status": claim.get_status_display(),
                "changed_by": stale.changed_by,
            }
        else:
            messages.success(request, "Claim renamed. Links to its old address still work.")
            return redirect(claim)
    return render(
        request, "annotations/claim_edit.html", {"claim": claim, "form": form, "theirs": theirs}
    )


@require_http_methods(["GET", "HEAD", "POST"])
@follows_moves
@moderator_required
def claim_merge(request, slug):
    claim = load_claim(request, slug)
    form = ClaimMergeForm(request.POST or None, claim=claim)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["into"]
        moved = editing.merge_claims(claim, target, request.user)
        plural = "" if moved == 1 else "s"
        messages.success(
            request, f"Merged: {moved} annotation{plural} moved; the old link redirects here."
        )
        return redirect(target)
    return render(request, "annotations/claim_merge.html", {"claim": claim, "form": form})
