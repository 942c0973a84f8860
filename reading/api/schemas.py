"""What the API answers, as the OpenAPI schema describes it (and ninja checks each answer
against before it is sent)."""

import datetime

from ninja import Schema


class Error(Schema):
    error: str
    # For a bad parameter: what was wrong with each (name, problem).
    problems: list[dict] | None = None
    # For a size beyond the bound: the bound.
    max_limit: int | None = None


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
