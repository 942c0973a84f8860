"""The claim comparison page, its exports, and the editorial workflow for claims."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annotations import editing, queries
from annotations.comparison import EXPORT_COLUMNS, Filters, compare, describe, export_rows
from annotations.forms import ClaimMergeForm, ClaimRenameForm
from annotations.models import Annotation, Claim, ClaimAlias
from annotations.relations import RelationForm, relations_of
from annotations.sharing import share_meta
from parallax.exports import RAW_NOTE, SPREADSHEET_NOTE, write_csv
from parallax.permissions import can_change, editor_required, is_editor, moderator_required
from sources.models import Article, Outlet


class MovedClaim(Exception):
    """Raised for a slug the claim had before: its pages redirect."""

    def __init__(self, claim):
        self.claim = claim


def load_claim(request, slug) -> Claim:
    """The claim, if this user may see it: drafts are for editors only.

    Raises MovedClaim for a slug the claim had before a rename or merge.
    """
    claim = Claim.objects.select_related("story", "created_by").filter(slug=slug).first()
    if claim is None:
        alias = ClaimAlias.objects.select_related("claim").filter(slug=slug).first()
        # A draft's old address must not lead readers to its new one (which spells out
        # its statement): for them it does not exist.
        if alias is None or not (alias.claim.is_published or is_editor(request.user)):
            raise Http404("No such claim.")
        raise MovedClaim(alias.claim)
    if not claim.is_published and not is_editor(request.user):
        raise Http404("No such claim.")
    return claim


def follows_moves(view):
    """Old slugs answer with a permanent redirect to the same page under the new one.

    A form posted to an old address gets 308, which browsers follow with the same method
    and body; a 301 would turn the POST into a GET and lose it.
    """

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        try:
            return view(request, slug, *args, **kwargs)
        except MovedClaim as moved:
            url = reverse(request.resolver_match.view_name, args=[moved.claim.slug, *args])
            query = request.META.get("QUERY_STRING", "")
            return redirect(
                f"{url}?{query}" if query else url,
                permanent=True,
                preserve_request=request.method not in ("GET", "HEAD"),
            )

    return wrapper


def comparison_for(claim: Claim, filters: Filters):
    annotations = (
        claim.annotations.visible()
        .with_details()
        # The text around each quote, cut by the database: no article's whole text (or raw
        # input) is loaded.
        .annotate(**queries.context_window())
        .prefetch_related(
            # Each article once, not once per annotation.
            Prefetch(
                "article", queryset=Article.objects.select_related("outlet").defer("text", "raw")
            )
        )
        .order_by("start", "pk")
    )
    outlets = Outlet.objects.filter(articles__story=claim.story_id).distinct().order_by("name")
    return compare(claim, list(annotations), list(outlets), filters)


def _canonical_redirect(request, filters: Filters):
    """Repeated parameters (?outlets=a&outlets=b, as a plain form sends them) become one
    comma-separated parameter, so every link to a view reads the same."""
    repeated = any(len(request.GET.getlist(key)) > 1 for key in ("outlets", "tags"))
    if repeated:
        extra = {"view": request.GET.get("view", "")}
        return redirect(request.path + filters.query_string(**extra))
    return None


@require_safe
@follows_moves
def claim_detail(request, slug):
    claim = load_claim(request, slug)
    filters = Filters.from_query(request.GET)
    if response := _canonical_redirect(request, filters):
        return response
    comparison = comparison_for(claim, filters)
    editor = is_editor(request.user)
    timeline = request.GET.get("view") == "timeline"
    share_url = request.build_absolute_uri(request.get_full_path())
    return render(
        request,
        "annotations/claim_detail.html",
        {
            "claim": claim,
            "comparison": comparison,
            "filters": filters,
            "timeline": timeline,
            "columns_url": request.path + filters.query_string(),
            "timeline_url": request.path + filters.query_string(view="timeline"),
            "clear_url": request.path + ("?view=timeline" if timeline else ""),
            "csv_url": reverse("annotations:claim-export-csv", args=[claim.slug])
            + filters.query_string(),
            "raw_csv_url": reverse("annotations:claim-export-raw-csv", args=[claim.slug])
            + filters.query_string(),
            "json_url": reverse("annotations:claim-export-json", args=[claim.slug])
            + filters.query_string(),
            "csv_note": SPREADSHEET_NOTE,
            "raw_csv_note": RAW_NOTE,
            "share_url": share_url,
            "share": share_meta(
                request,
                title=claim.statement,
                description=describe(comparison),
                path=request.get_full_path(),
                type="article",
            ),
            "revisions": claim.revisions.select_related("user"),
            "relations": relations_of(claim, include_drafts=editor, user=request.user),
            "relation_form": RelationForm(claim=claim) if editor else None,
            "can_rename": can_change(request.user, claim),
            "stances": Annotation.Stance.choices,
        },
    )


def _export(request, slug):
    claim = load_claim(request, slug)
    filters = Filters.from_query(request.GET)
    comparison = comparison_for(claim, filters)
    rows = export_rows(
        comparison,
        lambda a: request.build_absolute_uri(f"{a.article.get_absolute_url()}#hl-{a.pk}"),
    )
    return claim, filters, comparison, rows


def _csv_response(request, slug, *, for_spreadsheets: bool):
    claim, _, _, rows = _export(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = claim.slug if for_spreadsheets else f"{claim.slug}-raw"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    write_csv(response, EXPORT_COLUMNS, rows, for_spreadsheets=for_spreadsheets)
    return response


@require_safe
@follows_moves
def claim_export_csv(request, slug):
    """The CSV for spreadsheets: a cell that would run as a formula is neutralised."""
    return _csv_response(request, slug, for_spreadsheets=True)


@require_safe
@follows_moves
def claim_export_raw_csv(request, slug):
    """The values exactly as stored, for researchers' own tools."""
    return _csv_response(request, slug, for_spreadsheets=False)


@require_safe
@follows_moves
def claim_export_json(request, slug):
    claim, filters, comparison, rows = _export(request, slug)
    data = {
        "claim": {
            "statement": claim.statement,
            "slug": claim.slug,
            "status": claim.status,
            "story": claim.story.title,
            "url": request.build_absolute_uri(claim.get_absolute_url()),
        },
        "filters": {
            "outlets": list(filters.outlets),
            "tags": list(filters.tags),
            "stance": filters.stance,
        },
        "excerpts": rows,
        "not_covered": [outlet.name for outlet in comparison.not_covered],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{claim.slug}.json"'
    return response


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
