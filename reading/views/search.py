"""The search page: passages, claims and annotation notes, with facets; and its exports."""

import html
import json
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from parallax.exports import SPREADSHEET_NOTE, write_csv
from parallax.permissions import is_editor
from reading.search import (
    COUNT_LIMIT,
    EXPORT_LIMIT,
    GROUP_LABELS,
    GROUPS,
    PAGE_SIZE,
    SAMPLE,
    Filters,
    Search,
)
from sources.text.query import cut_at_word

# The longest query text a page repeats (the search itself reads at most MAX_QUERY_CHARS).
MAX_ECHO = 500
FACET_LABELS = {
    "story": "Story",
    "outlet": "Outlet",
    "tag": "Tag",
    "kind": "Kind of passage",
    "year": "Year",
}
EXPORT_COLUMNS = {
    "passages": ["outlet", "story", "article", "published", "kind", "url", "context"],
    "claims": ["story", "statement", "url", "context"],
    "annotations": ["outlet", "story", "article", "quote", "note", "url", "context"],
}


def _with(params, name: str, value: str | None) -> str:
    """The page's query string with `name` set to `value` (removed when None), from page 1."""
    params = params.copy()
    params.pop("page", None)
    if name != "format":
        params.pop("format", None)
    if value is None:
        params.pop(name, None)
    else:
        params[name] = value
    return "?" + params.urlencode()


def _page_number(value: str) -> int:
    number = int(value) if value.isdigit() else 1
    return max(1, min(number, COUNT_LIMIT // PAGE_SIZE))


@require_safe
def search(request):
    params = request.GET.copy()
    text = request.GET.get("q", "")
    if len(text) > MAX_ECHO:
        # The address (and every link the page makes from it) holds the query as it can
        # be searched: no page echoes a 10,000-character text back.
        params["q"] = cut_at_word(text, MAX_ECHO)
        return redirect(f"{request.path}?{params.urlencode()}")
    search = Search(
        text,
        group=request.GET.get("in", "passages"),
        filters=Filters.from_query(request.GET),
        editor=is_editor(request.user),
    )
    export = request.GET.get("format", "")
    if export in ("csv", "json") and not search.empty:
        return _export(request, search, export)
    number = _page_number(request.GET.get("page", ""))
    results = search.results(number)
    # The paginator needs only the count: a range stands in for the hits.
    paginator = Paginator(range(results.total), PAGE_SIZE)
    page = paginator.get_page(number)
    if page.number != number:
        results = search.results(page.number)
    facets = [
        (name, FACET_LABELS[name], results.facets[name])
        for name in FACET_LABELS
        if results.facets.get(name)
    ]
    for name, _, values in facets:
        for value in values:
            # A chosen value's link removes it; another's chooses it (filters combine).
            value.url = _with(params, name, None if value.active else value.value)
    tabs = [
        (
            group,
            GROUP_LABELS[group],
            *results.group_totals.get(group, (0, False)),
            _with(params, "in", group),
        )
        for group in GROUPS
    ]
    # A chosen filter is named as its facet names it (the outlet's name, not its slug).
    chosen = {name: value.label for name, _, values in facets for value in values if value.active}
    filters = [
        (name, FACET_LABELS[name], chosen.get(name, value), _with(params, name, None))
        for name, value in search.filters.items()
    ]
    return render(
        request,
        "reading/search.html",
        {
            "q": text,
            "exports": {kind: _with(params, "format", kind) for kind in ("csv", "json")},
            "clear_url": "?" + urlencode({"q": text, "in": search.group}),
            "search": search,
            "query": search.query,
            "group": search.group,
            "group_label": GROUP_LABELS[search.group],
            "results": results,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "facets": facets,
            "tabs": tabs,
            "filters": filters,
            "count_limit": COUNT_LIMIT,
            "sample": SAMPLE,
            "export_limit": EXPORT_LIMIT,
        },
    )


def _export(request, search: Search, export: str) -> HttpResponse:
    """Up to EXPORT_LIMIT hits of the shown group, with their context."""
    hits = search.best(EXPORT_LIMIT)
    base = request.build_absolute_uri("/")[:-1]
    rows = [_export_row(hit, base) for hit in hits]
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    name = f"parallax-search-{search.group}-{stamp}"
    if export == "json":
        body = {
            "query": search.text,
            "group": search.group,
            "filters": dict(search.filters.items()),
            "limit": EXPORT_LIMIT,
            "count": len(rows),
            "results": rows,
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, indent=1, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")
    write_csv(response, EXPORT_COLUMNS[search.group], rows, for_spreadsheets=True)
    response["X-Parallax-Note"] = SPREADSHEET_NOTE
    return response


def _plain(snippet) -> str:
    """A snippet's text with the matched words in [brackets] instead of <mark>."""
    text = str(snippet).replace("<mark>", "[").replace("</mark>", "]")
    return html.unescape(text)


def _export_row(hit, base: str) -> dict:
    if hit.group == "passages":
        p = hit.passage
        return {
            "outlet": p["outlet"],
            "story": p["story"],
            "article": p["title"],
            "published": p["published"],
            "kind": p["kind"],
            "url": base + p["url"],
            "context": _plain(hit.snippet),
        }
    if hit.group == "claims":
        return {
            "story": hit.claim.story.title,
            "statement": hit.claim.statement,
            "url": base + hit.claim.get_absolute_url(),
            "context": _plain(hit.snippet),
        }
    annotation = hit.annotation
    return {
        "outlet": annotation.article.outlet.name,
        "story": annotation.article.story.title,
        "article": annotation.article.title,
        "quote": annotation.exact,
        "note": annotation.note,
        "url": base + annotation.get_absolute_url(),
        "context": _plain(hit.snippet),
    }
