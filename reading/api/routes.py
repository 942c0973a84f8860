"""The API's read endpoints (its writes: reading.api.writes). Each loads through the
query the matching page uses (reading.queries, reading.views.claims.load_claim;
annotations, which no page lists all of, through annotations.w3c.for_w3c) and follows
the pages' visibility rules: draft claims for editors only, deleted annotations never.

Lists are paged by cursor (reading.api.keyset): `limit` rows (at most MAX_LIMIT) and the
address of the next page, never a count of the whole list. Errors are JSON,
{"error": "…"}, with their status.
"""

import json
import logging
from typing import Literal

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError

from annotations.models import Annotation, Claim, TaggedAnnotation
from annotations.w3c import (
    MEDIA_TYPE,
    annotation_collection,
    annotation_page,
    annotation_to_w3c,
    for_w3c,
)
from parallax.permissions import is_editor
from reading import queries
from reading.api import keyset, schemas
from reading.api.auth import etag
from reading.comparison import STANCES, Filters
from reading.views.browse import query_param
from reading.views.claims import MovedClaim, load_claim
from sources.models import Article

logger = logging.getLogger(__name__)

JSON = "application/json"
DEFAULT_LIMIT = 50
# A page holds at most this many rows; more is refused (400), saying this number.
MAX_LIMIT = 200
# Ids beyond what the database's bigint holds name nothing.
MAX_ID = 2**63 - 1
# Filter values are cut to this length (reading.views.browse.query_param).
MAX_PARAM = 200

# The W3C representations the negotiated endpoints also answer with (OpenAPI).
W3C_RESPONSE = {"responses": {200: {"content": {MEDIA_TYPE: {"schema": {"type": "object"}}}}}}

api = NinjaAPI(
    title="Parallax read API",
    version="1",
    description=(
        "Outlets, stories, articles, claims and annotations, as the reading pages show them. "
        "Lists are paged by cursor: follow `next` until it is null. Annotations also come in "
        "the W3C Web Annotation format (JSON-LD) when asked for with "
        f"`Accept: {MEDIA_TYPE}`. Editors write with a personal token (made on "
        "/accounts/tokens/, sent as `Authorization: Bearer <token>`) or their session "
        "with its CSRF token; a change sends the ETag it read back in `If-Match`."
    ),
    urls_namespace="api",
    openapi_url="/schema",
    docs_url=None,
)


# Errors -----------------------------------------------------------------------------


class NotAcceptable(Exception):
    """The Accept header names no representation this endpoint has."""


def error_response(request, status: int, message: str, **extra) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


@api.exception_handler(ValidationError)
def bad_parameters(request, exc: ValidationError):
    problems = [
        {"name": ".".join(str(part) for part in e.get("loc", ())[1:]), "problem": e.get("msg", "")}
        for e in exc.errors
    ]
    words = "; ".join(f"{p['name']}: {p['problem']}" for p in problems)
    extra = {"max_limit": MAX_LIMIT} if any(p["name"] == "limit" for p in problems) else {}
    return error_response(request, 400, f"Bad parameters: {words}", problems=problems, **extra)


@api.exception_handler(keyset.BadCursor)
def bad_cursor(request, exc):
    return error_response(request, 400, str(exc))


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(request, 404, str(exc) or "Not found.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, str(exc))


@api.exception_handler(NotAcceptable)
def not_acceptable(request, exc):
    return error_response(request, 406, str(exc))


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("API error on %s", request.path, exc_info=exc)
    return error_response(request, 500, "Server error.")


ERRORS = {400: schemas.Error, 404: schemas.Error, 406: schemas.Error}


# Helpers ------------------------------------------------------------------------------


def wants_w3c(request, *, w3c: bool = False) -> bool:
    """Whether to answer in the W3C format (only where `w3c` is offered), else with our
    JSON; NotAcceptable when the Accept header takes neither."""
    offers = [JSON, MEDIA_TYPE] if w3c else [JSON]
    chosen = request.get_preferred_type(offers)
    if chosen is None:
        raise NotAcceptable(f"This answers with {' or '.join(offers)} only.")
    return chosen == MEDIA_TYPE


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def api_url(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=args))


def next_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def clean(value: str | None) -> str:
    return query_param(value)


Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1–{MAX_LIMIT}.")
Cursor = Query(None, max_length=keyset.MAX_CURSOR_LENGTH, description="From `next`.")
Filter = Query("", max_length=MAX_PARAM)


def outlet_ref(outlet) -> dict:
    return {"slug": outlet.slug, "name": outlet.name}


def story_ref(story) -> dict:
    return {"slug": story.slug, "title": story.title}


def tag_ref(tag) -> dict:
    return {"slug": tag.slug, "name": tag.name}


# Outlets ----------------------------------------------------------------------------


def outlet_json(request, outlet) -> dict:
    return {
        "slug": outlet.slug,
        "name": outlet.name,
        "site": outlet.site,
        "country": outlet.country,
        "language": outlet.language,
        "article_count": outlet.article_count,
        "page": absolute(request, outlet.get_absolute_url()),
        "api_url": api_url(request, "outlet", outlet.slug),
    }


OUTLET_ORDER = ("name", "pk")


@api.get(
    "/outlets/", response={200: schemas.OutletPage, **ERRORS}, url_name="outlets", tags=["outlets"]
)
def list_outlets(request, limit: int = Limit, cursor: str | None = Cursor):
    """Outlets by name, each with its number of articles. One query."""
    wants_w3c(request)
    page = keyset.page(queries.outlets_with_counts(), OUTLET_ORDER, cursor, limit)
    return {
        "items": [outlet_json(request, outlet) for outlet in page.rows],
        "next": next_url(request, page.next_cursor),
    }


@api.get(
    "/outlets/{slug:slug}/",
    response={200: schemas.Outlet, **ERRORS},
    url_name="outlet",
    tags=["outlets"],
)
def get_outlet(request, slug: str):
    wants_w3c(request)
    return outlet_json(request, get_object_or_404(queries.outlets_with_counts(), slug=slug))


# Stories ----------------------------------------------------------------------------


def story_json(request, story, *, detail: bool = False) -> dict:
    data = {
        "slug": story.slug,
        "title": story.title,
        "created": story.created,
        "article_count": story.article_count,
        "outlet_count": story.outlet_count,
        "page": absolute(request, story.get_absolute_url()),
        "api_url": api_url(request, "story", story.slug),
    }
    if detail:
        data["description"] = story.description
    return data


STORY_ORDER = ("-created", "-pk")


@api.get(
    "/stories/", response={200: schemas.StoryPage, **ERRORS}, url_name="stories", tags=["stories"]
)
def list_stories(request, limit: int = Limit, cursor: str | None = Cursor):
    """Stories, newest first, each with its numbers of articles and outlets."""
    wants_w3c(request)
    rows = queries.stories_with_counts().defer("description")
    page = keyset.page(rows, STORY_ORDER, cursor, limit)
    return {
        "items": [story_json(request, story) for story in page.rows],
        "next": next_url(request, page.next_cursor),
    }


@api.get(
    "/stories/{slug:slug}/",
    response={200: schemas.StoryDetail, **ERRORS},
    url_name="story",
    tags=["stories"],
)
def get_story(request, slug: str):
    wants_w3c(request)
    story = get_object_or_404(queries.stories_with_counts(), slug=slug)
    return story_json(request, story, detail=True)


# Articles ---------------------------------------------------------------------------


def article_json(request, article) -> dict:
    return {
        "id": article.pk,
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "original_url": article.url,
        "language": article.language,
        "outlet": outlet_ref(article.outlet),
        "story": story_ref(article.story),
        "page": absolute(request, article.get_absolute_url()),
        "api_url": api_url(request, "article", article.pk),
    }


ARTICLE_ORDER = ("pk",)


def listed_articles() -> QuerySet[Article]:
    """Articles with their outlet and story, never their text or raw input."""
    return Article.objects.select_related("outlet", "story").defer(
        "text", "raw", "story__description"
    )


@api.get(
    "/articles/",
    response={200: schemas.ArticlePage, **ERRORS},
    url_name="articles",
    tags=["articles"],
)
def list_articles(
    request,
    story: str = Query("", max_length=MAX_PARAM, description="A story's slug."),
    outlet: str = Query("", max_length=MAX_PARAM, description="An outlet's slug."),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """Articles in the order they were imported, of one story or outlet when asked."""
    wants_w3c(request)
    rows = listed_articles()
    if story := clean(story):
        rows = rows.filter(story__slug=story)
    if outlet := clean(outlet):
        rows = rows.filter(outlet__slug=outlet)
    page = keyset.page(rows, ARTICLE_ORDER, cursor, limit)
    return {
        "items": [article_json(request, article) for article in page.rows],
        "next": next_url(request, page.next_cursor),
    }


@api.get(
    "/articles/{int:article_id}/",
    response={200: schemas.ArticleDetail, **ERRORS},
    url_name="article",
    tags=["articles"],
)
def get_article(request, article_id: int):
    """One article with its text and its passages (offsets into the text, in code points)."""
    wants_w3c(request)
    article = get_object_or_404(
        Article.objects.select_related("outlet", "story").defer("raw"), pk=article_id
    )
    passages = article.passages.order_by("ordinal").values(
        "ordinal", "kind", "start", "end", "depth"
    )
    return {
        **article_json(request, article),
        "text": article.text,
        "text_version": article.text_version,
        "passages": list(passages),
        "annotations_url": api_url(request, "article-annotations", article.pk),
    }


# Annotations ------------------------------------------------------------------------


def visible_annotations(request) -> QuerySet[Annotation]:
    """Live annotations with what annotation_json and annotation_to_w3c read: never a
    deleted one, for anyone (a moderator restores one on its page)."""
    return for_w3c(Annotation.objects.visible()).select_related("article__outlet")


def shown_claim(annotation, editor: bool):
    claim = annotation.claim if annotation.claim_id else None
    return claim if claim is not None and (editor or claim.is_published) else None


def annotation_json(request, annotation, *, editor: bool) -> dict:
    article = annotation.article
    claim = shown_claim(annotation, editor)
    return {
        "id": annotation.pk,
        "article": {
            "id": article.pk,
            "title": article.title,
            "outlet": article.outlet.slug,
            "api_url": api_url(request, "article", article.pk),
        },
        "start": annotation.start,
        "end": annotation.end,
        "exact": annotation.exact,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "anchor_status": annotation.anchor_status,
        "tags": [tag_ref(tag) for tag in annotation.tag_list],
        "claim": None
        if claim is None
        else {
            "slug": claim.slug,
            "statement": claim.statement,
            "status": claim.status,
            "api_url": api_url(request, "claim", claim.slug),
        },
        "stance": annotation.stance,
        "note": annotation.note,
        "author": annotation.author.get_username() if annotation.author_id else None,
        "created": annotation.created,
        "modified": annotation.modified,
        "page": absolute(request, annotation.get_absolute_url()),
        "api_url": api_url(request, "annotation", annotation.pk),
    }


def w3c(request, annotation, *, editor: bool) -> dict:
    """The annotation in the W3C format; its id is its address in this API, which answers
    in that format."""
    return annotation_to_w3c(
        annotation,
        absolute(request, "/"),
        show_drafts=editor,
        address=api_url(request, "annotation", annotation.pk),
    )


def ld_response(data: dict, **headers) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), content_type=MEDIA_TYPE
    )
    for name, value in headers.items():
        response[name] = value
    patch_vary_headers(response, ["Accept"])
    return response


ANNOTATION_ORDER = ("pk",)


def annotation_list(request, response, rows, *, label: str, limit: int, w3c_offered: bool):
    """A page of `rows` (a cursor from request.GET), in our JSON or, where offered and
    asked for, in the W3C format: without a `cursor` parameter the AnnotationCollection
    (its first page embedded), with one (empty for the first) an AnnotationPage."""
    editor = is_editor(request.user)
    ld = wants_w3c(request, w3c=w3c_offered)
    cursor = request.GET.get("cursor")
    page = keyset.page(rows, ANNOTATION_ORDER, cursor, limit)
    if not ld:
        patch_vary_headers(response, ["Accept"])
        return {
            "items": [annotation_json(request, a, editor=editor) for a in page.rows],
            "next": next_url(request, page.next_cursor),
        }
    collection_id = absolute(request, request.path)
    first_id = f"{collection_id}?cursor=" + (f"&limit={limit}" if "limit" in request.GET else "")
    items = [w3c(request, a, editor=editor) for a in page.rows]
    if cursor is None:
        first = annotation_page(
            first_id,
            items,
            start_index=0,
            part_of=collection_id,
            next_page=next_url(request, page.next_cursor),
        )
        collection = annotation_collection(collection_id, label=label, first=first)
        return ld_response(collection)
    data = annotation_page(
        absolute(request, request.get_full_path()),
        items,
        start_index=page.start_index,
        part_of=annotation_collection(collection_id, label=label, first=first_id),
        next_page=next_url(request, page.next_cursor),
    )
    return ld_response(data)


@api.get(
    "/annotations/",
    response={200: schemas.AnnotationPage, **ERRORS},
    url_name="annotations",
    tags=["annotations"],
)
def list_annotations(
    request,
    response: HttpResponse,
    article: int | None = Query(None, ge=1, le=MAX_ID, description="An article's id."),
    claim: str = Query("", max_length=MAX_PARAM, description="A claim's slug."),
    tag: str = Query("", max_length=MAX_PARAM, description="A tag's slug."),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """Live annotations in the order they were made, of one article, claim or tag when
    asked. A draft claim's annotations are listed for everyone, but only editors see the
    claim (and may filter by it)."""
    rows = visible_annotations(request)
    if article is not None:
        rows = rows.filter(article=article)
    if claim := clean(claim):
        rows = rows.filter(claim__slug=claim)
        if not is_editor(request.user):
            rows = rows.filter(claim__status=Claim.Status.PUBLISHED)
    if tag := clean(tag):
        # EXISTS, not a join: an annotation has a tag at most once, but say so to the planner.
        rows = rows.filter(
            Exists(TaggedAnnotation.objects.filter(content_object=OuterRef("pk"), tag__slug=tag))
        )
    return annotation_list(
        request, response, rows, label="Annotations", limit=limit, w3c_offered=False
    )


@api.get(
    "/annotations/{int:annotation_id}/",
    response={200: schemas.Annotation, **ERRORS},
    url_name="annotation",
    tags=["annotations"],
    openapi_extra=W3C_RESPONSE,
)
def get_annotation(request, response: HttpResponse, annotation_id: int):
    """One live annotation; in the W3C format when asked for."""
    editor = is_editor(request.user)
    ld = wants_w3c(request, w3c=True)
    annotation = visible_annotations(request).filter(pk=annotation_id).first()
    if annotation is None:
        raise Http404("No such annotation.")
    if ld:
        return ld_response(
            w3c(request, annotation, editor=editor),
            Link='<http://www.w3.org/ns/ldp#Resource>; rel="type"',
            ETag=etag(annotation.version),
        )
    patch_vary_headers(response, ["Accept"])
    response["ETag"] = etag(annotation.version)
    return annotation_json(request, annotation, editor=editor)


@api.get(
    "/articles/{int:article_id}/annotations/",
    response={200: schemas.AnnotationPage, **ERRORS},
    url_name="article-annotations",
    tags=["annotations"],
    openapi_extra=W3C_RESPONSE,
)
def article_annotations(
    request,
    response: HttpResponse,
    article_id: int,
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """The article's live annotations, in the order they were made: its annotation
    container (the article's page links here). In the W3C format when asked for: without
    `cursor` the AnnotationCollection, with its first page embedded; with `cursor` (empty
    for the first) one AnnotationPage."""
    article = get_object_or_404(Article.objects.only("pk", "title"), pk=article_id)
    rows = visible_annotations(request).filter(article=article)
    return annotation_list(
        request,
        response,
        rows,
        label=f"Annotations on “{article.title}”",
        limit=limit,
        w3c_offered=True,
    )


# Claims -------------------------------------------------------------------------------


def claim_json(request, claim) -> dict:
    return {
        "slug": claim.slug,
        "statement": claim.statement,
        "status": claim.status,
        "story": story_ref(claim.story),
        "outlet_count": claim.outlet_count,
        "updated": claim.updated,
        "page": absolute(request, claim.get_absolute_url()),
        "api_url": api_url(request, "claim", claim.slug),
    }


CLAIM_ORDER = ("statement", "pk")


@api.get(
    "/claims/", response={200: schemas.ClaimPage, **ERRORS}, url_name="claims", tags=["claims"]
)
def list_claims(
    request,
    q: str = Query("", max_length=MAX_PARAM, description="Words, as the search page takes them."),
    story: str = Query("", max_length=MAX_PARAM, description="A story's slug."),
    tag: str = Query("", max_length=MAX_PARAM, description="A tag's slug."),
    unused: bool = Query(False, description="Editors only: claims no annotation carries."),
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """Claims by statement, filtered as the claims index filters them (drafts for editors
    only). Two queries, as on the index: the page's claims, then their stories and stored
    outlet counts."""
    wants_w3c(request)
    editor = is_editor(request.user)
    claims = queries.claims_for_index(
        include_drafts=editor,
        search=clean(q),
        story=clean(story),
        tag=clean(tag),
        unused=editor and unused,
    ).only("pk", "statement")
    page = keyset.page(claims, CLAIM_ORDER, cursor, limit)
    shown = queries.with_outlet_counts(Claim.objects.filter(pk__in=[c.pk for c in page.rows]))
    return {
        "items": [claim_json(request, claim) for claim in shown] if page.rows else [],
        "next": next_url(request, page.next_cursor),
    }


def visible_claim(request, slug: str) -> Claim:
    """The claim, as its page loads it (drafts for editors only); a former slug answers 301
    with the claim's address in the API."""
    try:
        return load_claim(request, slug)
    except MovedClaim as moved:
        raise Moved(request, moved.claim) from None


class Moved(Exception):
    def __init__(self, request, claim):
        path = reverse(request.resolver_match.view_name, args=[claim.slug])
        query = request.META.get("QUERY_STRING", "")
        self.url = request.build_absolute_uri(f"{path}?{query}" if query else path)


@api.exception_handler(Moved)
def moved(request, exc: Moved):
    # A write keeps its method and body on the way (308); a 301 may turn it into a GET.
    status = 301 if request.method in ("GET", "HEAD") else 308
    response = api.create_response(request, {"moved_to": exc.url}, status=status)
    response["Location"] = exc.url
    return response


def filters_from(request) -> Filters:
    """The claim page's filters, from the query string with each value cleaned as its
    other filters are (no NUL, a sane length)."""
    query = QueryDict(mutable=True)
    for key in ("outlets", "tags", "stance"):
        query.setlist(key, [clean(value) for value in request.GET.getlist(key)])
    return Filters.from_query(query)


def excerpt_json(request, excerpt) -> dict:
    annotation, article = excerpt.annotation, excerpt.article
    return {
        "annotation": annotation.pk,
        "api_url": api_url(request, "annotation", annotation.pk),
        "quote": annotation.exact,
        "before": excerpt.before,
        "after": excerpt.after,
        "anchor_status": annotation.anchor_status,
        "tags": [tag_ref(tag) for tag in annotation.tag_list],
        "stance": annotation.stance,
        "note": annotation.note,
        "article": {
            "id": article.pk,
            "title": article.title,
            "published": article.published,
            "page": absolute(request, article.get_absolute_url()),
        },
        "original_url": excerpt.original_url,
    }


Stance = Literal[tuple(STANCES)]
StanceFilter = Query(None, description="Only excerpts of this stance.")


@api.get(
    "/claims/{slug:slug}/",
    response={200: schemas.ClaimDetail, 301: schemas.Moved, **ERRORS},
    url_name="claim",
    tags=["claims"],
)
def get_claim(
    request,
    response: HttpResponse,
    slug: str,
    outlets: str = Query("", description="Outlets' slugs, comma-separated (the claim page's)."),
    tags: str = Query("", description="Tags' slugs, comma-separated."),
    stance: Stance | None = StanceFilter,
):
    """One claim and its comparison: every outlet's excerpts, filtered exactly as the claim
    page filters them (the same query, reading.queries.ClaimExcerpts, and limit)."""
    wants_w3c(request)
    claim = visible_claim(request, slug)
    filters = filters_from(request)
    comparison = queries.ClaimExcerpts(
        claim, filters, limit=settings.PARALLAX_CLAIM_PAGE_EXCERPTS
    ).comparison(with_verbs=True)
    claim.outlet_count = len(comparison.carrying)
    response["ETag"] = etag(claim.version)
    return {
        **claim_json(request, claim),
        "comparison": {
            "filters": {
                "outlets": list(filters.outlets),
                "tags": list(filters.tags),
                "stance": filters.stance,
            },
            "columns": [
                {
                    "outlet": outlet_ref(column.outlet),
                    "excerpts": [excerpt_json(request, e) for e in column.excerpts],
                    "verbs": column.verbs,
                }
                for column in comparison.columns
            ],
            "not_covered": [outlet_ref(o) for o in comparison.not_covered],
            "filtered_out": [outlet_ref(o) for o in comparison.filtered_out],
            "carrying": [outlet_ref(o) for o in comparison.carrying],
            "outlets": [outlet_ref(o) for o in comparison.outlets],
            "tags": [tag_ref(t) for t in comparison.tags],
            "more": comparison.more,
        },
        "annotations_url": api_url(request, "claim-annotations", claim.slug),
    }


@api.get(
    "/claims/{slug:slug}/annotations/",
    response={200: schemas.AnnotationPage, 301: schemas.Moved, **ERRORS},
    url_name="claim-annotations",
    tags=["annotations"],
    openapi_extra=W3C_RESPONSE,
)
def claim_annotations(
    request,
    response: HttpResponse,
    slug: str,
    limit: int = Limit,
    cursor: str | None = Cursor,
):
    """The claim's live annotations (drafts' for editors only), in the order they were
    made; in the W3C format when asked for, as an article's are."""
    claim = visible_claim(request, slug)
    rows = visible_annotations(request).filter(claim=claim)
    return annotation_list(
        request,
        response,
        rows,
        label=f"Annotations of the claim “{claim.statement}”",
        limit=limit,
        w3c_offered=True,
    )


# The writes register on `api` too (a module of their own: reading.api.writes).
from reading.api import writes  # noqa: E402, F401
