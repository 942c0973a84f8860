"""Browsing pages: stories, outlets, the claims index and tag pages."""

from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language_info
from django.views.decorators.http import require_safe

from annotations.models import Annotation, Tag
from parallax.permissions import is_editor, is_moderator
from reading import queries, sharing
from reading.coverage import coverage_grid, grid_legend, render_cells
from reading.paging import CappedPaginator
from sources.models import Article, Outlet, Story

ARTICLES_PER_PAGE = 50
CLAIMS_PER_PAGE = 50
# A story filter lists this many stories: the newest with claims on the claims index, those
# using the tag most on a tag page.
STORY_OPTIONS = 100
# A tag page shows this many outlets at a time, by name, with at most this many annotations
# from each: enough to compare wordings, and a page that renders quickly whatever the tag's
# size (each use is a card of its own); the other outlets are pages away.
TAG_PAGE_OUTLETS = 12
TAG_PAGE_PER_OUTLET = 3
# Longer search terms and slugs than any real one are cut, not refused.
MAX_PARAM_LENGTH = 200
# A story page lists this many of its most-quoted words.
MOST_QUOTED = 10
# A story's grid shows this many claims (the most annotated) by this many outlets (those
# carrying most) at a time: about 1,200 cells, whatever the story's size; the claims list
# shows this many, the claims index the rest.
GRID_CLAIMS = 30
GRID_OUTLETS = 40
CLAIMS_LISTED = 30


@dataclass
class OutletCoverage:
    """One outlet's articles on a story."""

    outlet: Outlet
    articles: list[Article]


def group_by_outlet(articles) -> list[OutletCoverage]:
    """Consecutive articles of the same outlet grouped together, in the order given."""
    return [
        OutletCoverage(outlet=rows[0].outlet, articles=rows)
        for rows in (list(group) for _, group in groupby(articles, key=lambda a: a.outlet_id))
    ]


@dataclass
class OutletColumn:
    """One outlet's annotations on a tag page; `total` counts those not shown too."""

    outlet: Outlet
    annotations: list[Annotation]
    total: int


def group_annotations_by_outlet(annotations) -> list[OutletColumn]:
    """Consecutive annotations from the same outlet as one column, in the order given; each
    annotation has its article and outlet loaded, and `outlet_total` (TagUses.shown())."""
    columns = []
    for _, group in groupby(annotations, key=lambda a: a.article.outlet_id):
        rows = list(group)
        columns.append(
            OutletColumn(
                outlet=rows[0].article.outlet, annotations=rows, total=rows[0].outlet_total
            )
        )
    return columns


def http_url(url: str) -> str:
    """`url` when it is an http(s) address, else "": a site field is not always validated
    (imports, the shell), and a javascript: link must never reach a page."""
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else ""


def language_name(code: str) -> str:
    """The English name of a BCP 47 language code ("Russian" for "ru"), or the code itself."""
    try:
        return get_language_info(code.strip().lower())["name"]
    except KeyError:
        return code


def query_param(value: str | None) -> str:
    """A query-string value as a filter can use it: trimmed, cut to a sane length, and
    without NUL characters, which PostgreSQL refuses in any string."""
    return (value or "").replace("\x00", "").strip()[:MAX_PARAM_LENGTH]


@require_safe
def story_detail(request, slug):
    story = get_object_or_404(Story, slug=slug)
    # Readers never see drafts; editors see them, marked as drafts.
    editor = is_editor(request.user)
    listing = queries.StoryGrid(story, include_drafts=editor)
    outlets = list(listing.outlets())
    claims = list(listing.claims())
    listed = claims[:CLAIMS_LISTED]
    article_count = sum(outlet.article_count for outlet in outlets)
    # The grid shows a window of the most annotated claims by the outlets carrying most;
    # the rest is a page away, so the page stays the same size whatever the story's.
    claim_page = Paginator(claims, GRID_CLAIMS).get_page(request.GET.get("claims_page"))
    carried = dict(listing.carried())
    carrying_most = sorted(outlets, key=lambda outlet: -carried.get(outlet.pk, 0))
    outlet_page = Paginator(carrying_most, GRID_OUTLETS).get_page(request.GET.get("outlets_page"))
    grid_claims, grid_outlets = list(claim_page), list(outlet_page)
    stance_labels = dict(Annotation.Stance.choices)
    grid = coverage_grid(
        grid_claims,
        grid_outlets,
        listing.cells([c.pk for c in grid_claims], [o.pk for o in grid_outlets])
        if grid_claims and grid_outlets
        else [],
        stance_labels,
    )
    render_cells(grid, lambda claim: claim.get_absolute_url())
    articles = Paginator(listing.articles(), ARTICLES_PER_PAGE)
    # The count is known from the outlets' counts: no COUNT over the articles again.
    articles.count = article_count
    page = articles.get_page(request.GET.get("page"))
    by_id = {outlet.pk: outlet for outlet in outlets}
    for article in page:
        article.outlet = by_id[article.outlet_id]
    return render(
        request,
        "reading/story_detail.html",
        {
            "story": story,
            "coverage": group_by_outlet(page),
            "page": page,
            "page_range": articles.get_elided_page_range(page.number, on_each_side=2),
            "most_quoted": list(queries.most_quoted(story, MOST_QUOTED)),
            "article_count": article_count,
            "outlet_count": len(outlets),
            "claims": listed,
            "claim_count": len(claims),
            "grid": grid,
            "grid_outlets": grid_outlets,
            "claim_page": claim_page,
            "outlet_page": outlet_page,
            "legend": grid_legend(grid, stance_labels),
            "shows_drafts": editor,
            # Claims with no annotation left are flagged to editors, never to readers.
            "flags_unused": editor,
            "share": sharing.story_share(
                request,
                story,
                article_count=article_count,
                outlet_count=len(outlets),
                claims=claims,
            ),
        },
    )


@require_safe
def outlet_detail(request, slug):
    outlet = get_object_or_404(Outlet, slug=slug)
    paginator = Paginator(queries.articles_for_outlet(outlet), ARTICLES_PER_PAGE)
    # get_page() turns a missing, malformed or too-large number into the nearest page.
    page = paginator.get_page(request.GET.get("page"))
    language = language_name(outlet.language) if outlet.language else ""
    return render(
        request,
        "reading/outlet_detail.html",
        {
            "outlet": outlet,
            "site_url": http_url(outlet.site),
            "language": language,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "tags": list(queries.tag_use_for_outlet(outlet)),
            "share": sharing.outlet_share(
                request, outlet, article_count=paginator.count, language=language
            ),
        },
    )


@require_safe
def claim_list(request):
    editor = is_editor(request.user)
    search = query_param(request.GET.get("q"))
    story = query_param(request.GET.get("story"))
    tag = query_param(request.GET.get("tag"))
    # Only editors may ask for the claims no annotation uses any more.
    unused = editor and request.GET.get("unused") == "1"
    stories = queries.stories_with_claims(include_drafts=editor, limit=STORY_OPTIONS, chosen=story)
    tags = list(queries.tag_filter_options())
    claims = queries.claims_for_index(
        include_drafts=editor, search=search, story=story, tag=tag, unused=unused
    )
    # Counted up to 1,000 past the page asked for: never every claim on every request.
    number = request.GET.get("page")
    paginator = CappedPaginator(claims, CLAIMS_PER_PAGE, number=number)
    page = paginator.get_page(number)
    page.object_list = list(queries.with_outlet_counts(page.object_list))
    return render(
        request,
        "reading/claim_list.html",
        {
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "search": search,
            "story": story,
            "tag": tag,
            # For the empty state: what was asked for, by name when the name is known.
            "story_title": next((s.title for s in stories if s.slug == story), story),
            "tag_name": next((t.name for t in tags if t.slug == tag), tag),
            "unused": unused,
            "filtered": bool(search or story or tag or unused),
            "stories": stories,
            "more_stories": len(stories) >= STORY_OPTIONS,
            "tags": tags,
            "shows_drafts": editor,
            "flags_unused": editor,
        },
    )


@require_safe
def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    story = query_param(request.GET.get("story"))
    listing = queries.TagUses(tag, story=story, per_outlet=TAG_PAGE_PER_OUTLET)
    stories = listing.stories(STORY_OPTIONS)
    outlets = listing.outlets()
    total, outlet_total = sum(row.uses for row in outlets), len(outlets)
    # Pages of outlets, paged in Python: every outlet's row is loaded for the totals anyway.
    # get_page() turns a missing, malformed or too-large number into the nearest page.
    paginator = Paginator(outlets, TAG_PAGE_OUTLETS)
    page = paginator.get_page(request.GET.get("page"))
    annotations = listing.shown(page.object_list)
    columns = group_annotations_by_outlet(annotations)
    story_found = next((s for s in stories if s.slug == story), None)
    story_title = story_found.title if story_found else story
    return render(
        request,
        "reading/tag_detail.html",
        {
            "tag": tag,
            "story": story,
            "story_title": story_title,
            "stories": stories,
            "more_stories": len(stories) >= STORY_OPTIONS,
            "columns": columns,
            "shown": len(annotations),
            "total": total,
            "outlet_total": outlet_total,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "per_outlet": TAG_PAGE_PER_OUTLET,
            "shows_drafts": is_editor(request.user),
            "moderates": is_moderator(request.user),
            "share": sharing.tag_share(
                request,
                tag,
                total=total,
                outlet_count=outlet_total,
                story=story_found,
                filtered=bool(story),
            ),
        },
    )
