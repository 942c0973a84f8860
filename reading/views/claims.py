"""The claim comparison page and its exports; the loading rules every claim page shares."""

from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from annotations.models import Annotation, Claim, ClaimAlias
from annotations.relations import RelationForm, relations_of
from parallax.exports import RAW_NOTE, SPREADSHEET_NOTE, write_csv
from parallax.permissions import can_change, is_editor
from reading import queries
from reading.comparison import EXPORT_COLUMNS, Filters, describe, export_rows
from reading.sharing import share_meta

# An export holds at most this many excerpts; the page, settings.PARALLAX_CLAIM_PAGE_EXCERPTS
# (the filters narrow a claim carried more widely).
EXPORT_EXCERPTS = 5000
# The page shows this many outlets' columns at a time, or this many excerpts of the
# timeline: a claim carried by hundreds of outlets is a few pages, each quick to load and
# to read, rather than one of half a megabyte.
COLUMNS_PER_PAGE = 30
TIMELINE_PER_PAGE = 50


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
    listing = queries.ClaimExcerpts(claim, filters, limit=settings.PARALLAX_CLAIM_PAGE_EXCERPTS)
    timeline = request.GET.get("view") == "timeline"
    number = request.GET.get("page")
    if timeline:
        comparison = listing.timeline_page(number, TIMELINE_PER_PAGE, with_verbs=True)
    else:
        comparison = listing.columns_page(number, COLUMNS_PER_PAGE, with_verbs=True)
    page = comparison.page
    editor = is_editor(request.user)
    share_url = request.build_absolute_uri(request.get_full_path())
    return render(
        request,
        "reading/claim_detail.html",
        {
            "claim": claim,
            "comparison": comparison,
            "filters": filters,
            "timeline": timeline,
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2),
            "columns_url": request.path + filters.query_string(),
            "timeline_url": request.path + filters.query_string(view="timeline"),
            "clear_url": request.path + ("?view=timeline" if timeline else ""),
            "csv_url": reverse("reading:claim-csv", args=[claim.slug]) + filters.query_string(),
            "raw_csv_url": reverse("reading:claim-raw-csv", args=[claim.slug])
            + filters.query_string(),
            "json_url": reverse("reading:claim-json", args=[claim.slug]) + filters.query_string(),
            "csv_note": SPREADSHEET_NOTE,
            "export_limit": EXPORT_EXCERPTS,
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
    comparison = queries.ClaimExcerpts(claim, filters, limit=EXPORT_EXCERPTS).comparison()
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
