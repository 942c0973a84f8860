"""The API's writes: annotations and claims, changed with the rights and rules of the
pages (parallax.permissions: editors change their own, moderators anyone's) through the
same functions (annotations.editing), so history and audit are the pages' own; and
imports in the W3C format (annotations.w3c.import_annotations).

Who is asking, CSRF for sessions and the rate limit: reading.api.auth. Every annotation
and claim has an ETag, its version; a change must send it back in If-Match (428 without,
412 when someone saved since, the rule the pages' forms follow) and gets the new one.
Errors are JSON, {"error": "…", "fields": {"name": ["problem", …]}}.
"""

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Status
from ninja.errors import AuthenticationError, HttpError
from pydantic import ValidationError as BodyInvalid

from annotations import editing, w3c
from annotations.forms import AnnotationEditForm, AnnotationForm
from annotations.models import Annotation, Claim
from parallax.permissions import can_change, is_editor
from reading import queries
from reading.api import schemas
from reading.api.auth import (
    WRITERS,
    BadBody,
    Precondition,
    check_if_match,
    etag,
    read_json,
)
from reading.api.routes import (
    MAX_ID,
    annotation_json,
    api,
    api_url,
    claim_json,
    error_response,
    visible_annotations,
    visible_claim,
)
from sources.models import Article, Story
from sources.text.anchoring import locate_quote

# Errors a write may answer with (429 and a refused token's 401 come from
# reading.api.auth, before the endpoint).
WRITE_ERRORS = {
    status: schemas.Error for status in (400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 429)
}


class FieldErrors(Exception):
    """The body was read but its fields are wrong (422)."""

    def __init__(self, fields: dict[str, list[str]], message: str = ""):
        words = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in fields.items())
        super().__init__(message or f"Not saved: {words}")
        self.fields = fields


class Conflict(Exception):
    """The change clashes with what is stored (409): a claim that says the same already."""

    def __init__(self, message: str, conflict_with: str = ""):
        super().__init__(message)
        self.conflict_with = conflict_with


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    response = error_response(
        request,
        401,
        "Log in, or send a personal token (Authorization: Bearer <token>, made on "
        "/accounts/tokens/) to change anything.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="parallax"'
    return response


@api.exception_handler(BadBody)
def bad_body(request, exc: BadBody):
    return error_response(request, exc.status, exc.message)


@api.exception_handler(FieldErrors)
def field_errors(request, exc: FieldErrors):
    return error_response(request, 422, str(exc), fields=exc.fields)


@api.exception_handler(Precondition)
def precondition(request, exc: Precondition):
    response = error_response(request, exc.status, exc.message)
    response["ETag"] = etag(exc.current)
    return response


@api.exception_handler(Conflict)
def conflict(request, exc: Conflict):
    extra = {"conflict_with": exc.conflict_with} if exc.conflict_with else {}
    return error_response(request, 409, str(exc), **extra)


# Helpers -----------------------------------------------------------------------------


def editor_only(request) -> None:
    if not is_editor(request.user):
        raise HttpError(403, "Only editors can change anything here.")


def may_change(request, obj, what: str) -> None:
    if not can_change(request.user, obj):
        raise HttpError(403, f"Only its author or a moderator can change this {what}.")


def body(request, model, *, max_bytes: int | None = None):
    data = read_json(
        request,
        max_bytes=max_bytes or settings.PARALLAX_API_MAX_BODY_BYTES,
        max_depth=w3c.MAX_JSON_DEPTH,
    )
    try:
        return model.model_validate(data)
    except BodyInvalid as invalid:
        fields: dict[str, list[str]] = {}
        for error in invalid.errors():
            name = ".".join(str(part) for part in error.get("loc", ())) or "__all__"
            fields.setdefault(name, []).append(error.get("msg", ""))
        raise FieldErrors(fields) from None


def form_problems(form) -> dict[str, list[str]]:
    return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def tag_names(tags: list[str]) -> str:
    """The tags as the pages' forms send them, comma-separated; a comma within a name
    would split it silently, so it is refused."""
    if any("," in name for name in tags):
        raise FieldErrors({"tags": ["A tag's name cannot hold a comma."]})
    return ", ".join(tags)


def claim_statement(article_story_id: int, value: str) -> str:
    """A claim named by its slug becomes its statement, as the forms take it."""
    value = value.strip()
    if value:
        by_slug = (
            Claim.objects.filter(story=article_story_id, slug=value)
            .values_list("statement", flat=True)
            .first()
        )
        if by_slug is not None:
            return by_slug
    return value


def annotation_answer(request, response: HttpResponse, pk: int) -> dict:
    annotation = visible_annotations(request).get(pk=pk)
    response["ETag"] = etag(annotation.version)
    return annotation_json(request, annotation, editor=True)


def changeable_annotation(request, annotation_id: int) -> Annotation:
    annotation = get_object_or_404(
        Annotation.objects.visible().select_related("article", "claim"), pk=annotation_id
    )
    may_change(request, annotation, "annotation")
    return annotation


def claim_answer(request, response: HttpResponse, pk: int) -> dict:
    claim = queries.with_outlet_counts(Claim.objects.filter(pk=pk)).select_related("story").get()
    response["ETag"] = etag(claim.version)
    return claim_json(request, claim)


# Annotations -------------------------------------------------------------------------


def json_body(model) -> dict:
    """The OpenAPI description of a JSON body (read by read_json, not by ninja, which
    would read it before the checks of who asks and within no bound)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


@api.post(
    "/annotations/",
    response={200: schemas.Annotation, 201: schemas.Annotation, **WRITE_ERRORS},
    auth=WRITERS,
    tags=["annotations"],
    openapi_extra=json_body(schemas.AnnotationIn),
)
def create_annotation(request, response: HttpResponse):
    """Annotate a span of an article: by offsets (`start`, `end`, and `exact` to check
    them), or by `exact` alone, found in the text (`prefix` and `suffix` choose among
    repeats). Checked and saved as the article page's annotate form saves it. 201 with
    the annotation, its ETag and Location; 200 with the annotation made earlier when the
    same `submission` key comes again."""
    editor_only(request)
    data = body(request, schemas.AnnotationIn)
    article = get_object_or_404(Article.objects.defer("raw"), pk=data.article)
    start, end, exact = data.start, data.end, data.exact
    if (start is None) != (end is None):
        raise FieldErrors({"end" if end is None else "start": ["Give both start and end."]})
    if start is None:
        if not exact:
            raise FieldErrors({"exact": ["Give start and end, or the exact quote."]})
        span = locate_quote(article.text, exact, data.prefix, data.suffix)
        if span is None:
            raise FieldErrors({"exact": ["The quote is not in the article's text."]})
        start, end = span.start, span.end
    elif exact is None:
        exact = article.text[start:end] if 0 <= start < end <= len(article.text) else ""
        if not exact:
            raise FieldErrors({"end": [f"The text has {len(article.text)} characters."]})
    form = AnnotationForm(
        {
            "start": start,
            "end": end,
            "exact": exact,
            "prefix": data.prefix,
            "suffix": data.suffix,
            "tags": tag_names(data.tags),
            "claim": claim_statement(article.story_id, data.claim),
            "new_claim": data.new_claim,
            "stance": data.stance,
            "note": data.note,
            "submission": str(data.submission) if data.submission else "",
        },
        article=article,
    )
    if not form.is_valid():
        raise FieldErrors(form_problems(form))
    annotation, created = editing.create_annotation(article, request.user, form.cleaned_data)
    if annotation.deleted is not None:
        # The same submission key came before, and what it made was deleted since.
        raise Conflict(
            "This submission key made an annotation that was deleted since: "
            "send a new key to annotate again."
        )
    answer = annotation_answer(request, response, annotation.pk)
    response["Location"] = answer["api_url"]
    return Status(201 if created else 200, answer)


def change_annotation(request, response: HttpResponse, annotation_id: int, *, replace: bool):
    editor_only(request)
    annotation = changeable_annotation(request, annotation_id)
    version = check_if_match(request, annotation.version)
    data = body(request, schemas.AnnotationChange)
    given = data.model_dump(exclude_unset=not replace)

    def field(name, current):
        # PUT empties what it does not give; PATCH keeps it (null empties it).
        if replace or name in given:
            return given.get(name) or type(current)()
        return current

    current_claim = annotation.claim.statement if annotation.claim_id else ""
    form = AnnotationEditForm(
        {
            "tags": tag_names(field("tags", [tag.name for tag in annotation.tag_list])),
            "claim": claim_statement(annotation.article.story_id, field("claim", current_claim)),
            "new_claim": data.new_claim,
            "stance": field("stance", annotation.stance),
            "note": field("note", annotation.note),
            "version": version,
        },
        article=annotation.article,
    )
    if not form.is_valid():
        raise FieldErrors(form_problems(form))
    try:
        editing.update_annotation(annotation, request.user, form.cleaned_data, version=version)
    except editing.StaleEdit as stale:
        raise Precondition(
            412,
            f"This was changed by {stale.changed_by} since the version you sent in If-Match: "
            "GET it again, and send your change with its new ETag.",
            Annotation.objects.values_list("version", flat=True).get(pk=annotation.pk),
        ) from None
    return annotation_answer(request, response, annotation.pk)


IF_MATCH = {
    "parameters": [
        {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "The ETag of the version you change, from a GET or the last "
            "change: 428 without it, 412 when someone saved since.",
        }
    ]
}

ANNOTATION_CHANGE = {
    "response": {200: schemas.Annotation, **WRITE_ERRORS},
    "auth": WRITERS,
    "tags": ["annotations"],
    "openapi_extra": json_body(schemas.AnnotationChange) | IF_MATCH,
}


@api.patch("/annotations/{int:annotation_id}/", **ANNOTATION_CHANGE)
def patch_annotation(request, response: HttpResponse, annotation_id: int):
    """Change some of an annotation's tags, claim, stance and note (those given); send
    If-Match with its ETag. The span stays: annotate again to mark other words."""
    return change_annotation(request, response, annotation_id, replace=False)


@api.put("/annotations/{int:annotation_id}/", **ANNOTATION_CHANGE)
def put_annotation(request, response: HttpResponse, annotation_id: int):
    """Replace an annotation's tags, claim, stance and note (one not given is emptied);
    send If-Match with its ETag."""
    return change_annotation(request, response, annotation_id, replace=True)


@api.delete(
    "/annotations/{int:annotation_id}/",
    response={204: None, **WRITE_ERRORS},
    auth=WRITERS,
    tags=["annotations"],
    openapi_extra=IF_MATCH,
)
def delete_annotation(request, annotation_id: int):
    """Delete an annotation (a moderator can restore it on its page); send If-Match."""
    editor_only(request)
    annotation = changeable_annotation(request, annotation_id)
    with transaction.atomic():
        # Locked (PostgreSQL), so no change slips in between the check and the delete.
        locked = Annotation.objects.select_for_update().filter(pk=annotation.pk).first()
        check_if_match(request, locked.version)
        editing.delete_annotation(annotation, request.user)
    return Status(204, None)


# Claims ------------------------------------------------------------------------------


@api.post(
    "/claims/",
    response={201: schemas.Claim, **WRITE_ERRORS},
    auth=WRITERS,
    tags=["claims"],
    openapi_extra=json_body(schemas.ClaimIn),
)
def create_claim(request, response: HttpResponse):
    """A new claim of a story (a draft unless `status` says "published"). 409 when a claim
    of the story already says the same, with its address."""
    editor_only(request)
    data = body(request, schemas.ClaimIn)
    story = Story.objects.filter(slug=data.story).first()
    if story is None:
        raise FieldErrors({"story": ["No story has this slug."]})
    statement = " ".join(data.statement.split())
    if not statement:
        raise FieldErrors({"statement": ["The statement is empty."]})
    with transaction.atomic():
        claim, made = editing.create_claim(story, statement, request.user)
        if not made:
            raise Conflict(
                f"A claim of this story already says this: “{claim.statement}”.",
                api_url(request, "claim", claim.slug),
            )
        if data.status == Claim.Status.PUBLISHED:
            editing.set_claim_status(claim, Claim.Status.PUBLISHED, request.user)
    answer = claim_answer(request, response, claim.pk)
    response["Location"] = answer["api_url"]
    return Status(201, answer)


def changeable_claim(request, slug: str) -> Claim:
    claim = visible_claim(request, slug)
    may_change(request, claim, "claim")
    return claim


@api.patch(
    "/claims/{slug:slug}/",
    response={200: schemas.Claim, 308: schemas.Moved, **WRITE_ERRORS},
    auth=WRITERS,
    tags=["claims"],
    openapi_extra=json_body(schemas.ClaimChange) | IF_MATCH,
)
def patch_claim(request, response: HttpResponse, slug: str):
    """Rename a claim (`statement`: its old address keeps redirecting) or publish and
    unpublish it (`status`); send If-Match with its ETag. A former slug answers 308 to the
    current one."""
    editor_only(request)
    claim = changeable_claim(request, slug)
    check_if_match(request, claim.version)
    data = body(request, schemas.ClaimChange)
    with transaction.atomic():
        locked = Claim.objects.select_for_update().filter(pk=claim.pk).first()
        version = check_if_match(request, locked.version)
        if data.statement is not None:
            statement = " ".join(data.statement.split())
            if not statement:
                raise FieldErrors({"statement": ["The statement is empty."]})
            if statement != claim.statement:
                try:
                    editing.rename_claim(claim, statement, request.user, version=version)
                except editing.DuplicateStatement as duplicate:
                    raise Conflict(
                        "Another claim of this story already says this: "
                        f"“{duplicate.other.statement}”. A moderator can merge the two.",
                        api_url(request, "claim", duplicate.other.slug),
                    ) from None
        if data.status is not None:
            editing.set_claim_status(claim, data.status, request.user)
    return claim_answer(request, response, claim.pk)


@api.delete(
    "/claims/{slug:slug}/",
    response={204: None, 308: schemas.Moved, **WRITE_ERRORS},
    auth=WRITERS,
    tags=["claims"],
    openapi_extra=IF_MATCH,
)
def delete_claim(request, slug: str):
    """Delete a claim no live annotation uses (409 when some do); send If-Match."""
    editor_only(request)
    claim = changeable_claim(request, slug)
    check_if_match(request, claim.version)
    try:
        editing.delete_claim(claim, request.user)
    except editing.ClaimInUse as in_use:
        raise Conflict(
            f"{in_use.count} annotations still use this claim: change or delete them first, "
            "or have a moderator merge it into another."
        ) from None
    return Status(204, None)


# W3C import ----------------------------------------------------------------------------


def outcome_json(request, outcome: w3c.Outcome) -> dict:
    annotation = outcome.annotation
    return {
        "index": outcome.index,
        "status": outcome.status,
        "source_id": outcome.source_id,
        "reason": outcome.reason,
        "id": annotation.pk if annotation else None,
        "api_url": api_url(request, "annotation", annotation.pk) if annotation else None,
        "page": request.build_absolute_uri(annotation.get_absolute_url()) if annotation else None,
        "proposed_tags": outcome.proposed_tags,
        "notes": outcome.notes,
    }


@api.post(
    "/w3c/import/",
    response={200: schemas.ImportReport, 201: schemas.ImportReport, **WRITE_ERRORS},
    url_name="w3c-import",
    auth=WRITERS,
    tags=["annotations"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": ["object", "array"]}}
                for media in ("application/ld+json", "application/json")
            },
        }
    },
)
def import_w3c(
    request,
    article: int | None = Query(
        None, ge=1, le=MAX_ID, description="Put every annotation on this article."
    ),
):
    """Import W3C Web Annotations another tool made (one Annotation, an
    AnnotationCollection with its pages embedded, an AnnotationPage, or a list), as
    `application/ld+json` or `application/json`, up to 2 MB. Each is placed on the article
    its target's `source` names (or on `article`) by its quote, whatever its offsets say:
    created, created in review when unsure, or refused with the reason, and nothing of a
    refused one is stored. 201 when any was created, 200 when none; 400 when the whole
    input is refused. (An address of its own, not POST to an article's annotation
    container as the Web Annotation Protocol has it: that creates one annotation and
    answers with it, where an import takes many and reports on each.)"""
    editor_only(request)
    onto = None
    if article is not None:
        onto = get_object_or_404(Article.objects.defer("raw"), pk=article)
    data = read_json(
        request, max_bytes=settings.PARALLAX_API_MAX_IMPORT_BYTES, max_depth=w3c.MAX_JSON_DEPTH
    )
    try:
        report = w3c.import_annotations(
            data, request.user, base_url=request.build_absolute_uri("/"), onto=onto
        )
    except w3c.ImportRefused as refused:
        raise BadBody(400, f"Nothing was imported: {refused.message}") from None
    counts = report.counts
    answer = {
        "counts": counts,
        "annotations": [outcome_json(request, outcome) for outcome in report.outcomes],
    }
    made = counts[w3c.CREATED] + counts[w3c.IN_REVIEW]
    return Status(201 if made else 200, answer)
