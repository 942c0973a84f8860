"""What the API answers, as the OpenAPI schema describes it (and ninja checks each answer
against before it is sent)."""

import datetime
import uuid
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from annotations.models import CLAIM_STATEMENT_MAX_LENGTH


class Error(Schema):
    error: str
    # For a bad parameter: what was wrong with each (name, problem).
    problems: list[dict] | None = None
    # For a size beyond the bound: the bound.
    max_limit: int | None = None
    # For a body refused field by field (422): each field's problems ("__all__": the whole).
    fields: dict[str, list[str]] | None = None
    # For a conflict (409): the address of what is in the way.
    conflict_with: str | None = None


class Moved(Schema):
    moved_to: str


class OutletRef(Schema):
    slug: str
    name: str


class StoryRef(Schema):
    slug: str
    title: str


class Outlet(Schema):
    slug: str
    name: str
    site: str
    country: str
    language: str
    article_count: int
    page: str
    api_url: str


class Story(Schema):
    slug: str
    title: str
    created: datetime.datetime
    article_count: int
    outlet_count: int
    page: str
    api_url: str


class StoryDetail(Story):
    description: str


class Article(Schema):
    id: int
    title: str
    byline: str
    published: datetime.date | None
    original_url: str
    language: str
    outlet: OutletRef
    story: StoryRef
    page: str
    api_url: str


class Passage(Schema):
    ordinal: int
    kind: str
    # Offsets in `text`, counted in code points.
    start: int
    end: int
    depth: int


class ArticleDetail(Article):
    text: str
    text_version: int
    passages: list[Passage]
    annotations_url: str


class TagRef(Schema):
    slug: str
    name: str


class ClaimRef(Schema):
    slug: str
    statement: str
    status: str
    api_url: str


class ArticleRef(Schema):
    id: int
    title: str
    outlet: str
    api_url: str


class Annotation(Schema):
    id: int
    article: ArticleRef
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str
    anchor_status: str
    tags: list[TagRef]
    claim: ClaimRef | None
    stance: str
    note: str
    author: str | None
    created: datetime.datetime
    modified: datetime.datetime
    page: str
    api_url: str


class Claim(Schema):
    slug: str
    statement: str
    status: str
    story: StoryRef
    outlet_count: int
    updated: datetime.datetime
    page: str
    api_url: str


class ExcerptArticle(Schema):
    id: int
    title: str
    published: datetime.date | None
    page: str


class Excerpt(Schema):
    annotation: int
    api_url: str
    quote: str
    before: str
    after: str
    anchor_status: str
    tags: list[TagRef]
    stance: str
    note: str
    article: ExcerptArticle
    # The original article, scrolled to the quoted words where browsers can ("" if none).
    original_url: str


class Column(Schema):
    outlet: OutletRef
    excerpts: list[Excerpt]
    verbs: list[str]


class Filters(Schema):
    outlets: list[str]
    tags: list[str]
    stance: str


class Comparison(Schema):
    filters: Filters
    columns: list[Column]
    # Outlets of the story with no annotation of the claim (of those the filters keep).
    not_covered: list[OutletRef]
    # Outlets carrying the claim with no excerpt that matches the filters.
    filtered_out: list[OutletRef]
    # Every outlet carrying the claim, whatever the filters.
    carrying: list[OutletRef]
    # The filters' choices: the story's outlets and the tags used on the claim.
    outlets: list[OutletRef]
    tags: list[TagRef]
    # More excerpts match than the comparison holds (the claim page's limit).
    more: bool


class ClaimDetail(Claim):
    comparison: Comparison
    annotations_url: str


class OutletPage(Schema):
    items: list[Outlet]
    next: str | None


class StoryPage(Schema):
    items: list[Story]
    next: str | None


class ArticlePage(Schema):
    items: list[Article]
    next: str | None


class ClaimPage(Schema):
    items: list[Claim]
    next: str | None


class AnnotationPage(Schema):
    items: list[Annotation]
    next: str | None


# Writes -----------------------------------------------------------------------------
# Bodies are read by reading.api.auth.read_json (bounded) and checked with these; a field
# not named here is refused, not ignored.

Stance = Literal["", "asserts", "reports", "disputes", "quotes", "other"]


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


class AnnotationFields(Body):
    tags: list[str] = Field(default_factory=list, max_length=50)
    # A claim of the article's story: its statement or its slug.
    claim: str = Field("", max_length=CLAIM_STATEMENT_MAX_LENGTH)
    # Make a new claim of the story when no claim says `claim` yet.
    new_claim: bool = False
    stance: Stance = ""
    note: str = Field("", max_length=5000)


class AnnotationIn(AnnotationFields):
    article: int = Field(ge=1, le=2**63 - 1)
    # By offsets into the article's text (code points), `exact` then checked if given;
    # or by `exact` alone, found in the text (`prefix` and `suffix` choose among repeats).
    start: int | None = Field(None, ge=0, le=2**31)
    end: int | None = Field(None, ge=1, le=2**31)
    exact: str | None = Field(None, max_length=20000)
    prefix: str = Field("", max_length=200)
    suffix: str = Field("", max_length=200)
    # The same key sent again (a retry) answers with the annotation it made the first time.
    submission: uuid.UUID | None = None


class AnnotationChange(Body):
    """PATCH: the fields given change; PUT: all of them, a missing one emptied."""

    tags: list[str] | None = Field(None, max_length=50)
    claim: str | None = Field(None, max_length=CLAIM_STATEMENT_MAX_LENGTH)
    new_claim: bool = False
    stance: Stance | None = None
    note: str | None = Field(None, max_length=5000)


class ClaimIn(Body):
    story: str = Field(max_length=200, description="The story's slug.")
    statement: str = Field(min_length=1, max_length=CLAIM_STATEMENT_MAX_LENGTH)
    status: Literal["draft", "published"] = "draft"


class ClaimChange(Body):
    statement: str | None = Field(None, min_length=1, max_length=CLAIM_STATEMENT_MAX_LENGTH)
    status: Literal["draft", "published"] | None = None


class ImportedAnnotation(Schema):
    index: int
    # "created", "review" (created, in review at a proposed place) or "refused".
    status: str
    source_id: str
    reason: str
    id: int | None
    api_url: str | None
    page: str | None
    proposed_tags: list[str]
    notes: list[str]


class ImportReport(Schema):
    counts: dict[str, int]
    annotations: list[ImportedAnnotation]
