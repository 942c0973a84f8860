"""The read side's queries: one query object per listing (ClaimExcerpts for the claim page,
StoryGrid, TagUses; reading.search.Search for search) that filters, orders and cuts in the
database and is shared by the page, its exports and the API; and named querysets for the
smaller lists.

Each returns querysets that a page evaluates in a fixed number of SQL queries whatever the
number of rows (joins and COUNT()s happen in the database, never per row in Python), and
none loads an article's text or raw input for rows it does not show.
"""

from typing import NamedTuple

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Length, RowNumber, Substr

from annotations.models import (
    Annotation,
    Claim,
    StoryOutletClaims,
    Tag,
    TaggedAnnotation,
    TagOutletUse,
    TagStoryUse,
)
from reading.comparison import Comparison, add_verbs, compare
from reading.search import Search
from sources.models import Article, Outlet, Quotation, Story


def live_annotations(prefix: str = "") -> Q:
    """Filter for annotations that count on reader pages: not deleted (a moderator can
    restore a deleted one, so its row stays). `prefix` is the path to them from the
    queried model, e.g. "annotations__"."""
    return Q(**{f"{prefix}deleted__isnull": True})


def count_of(rows: QuerySet, field: str = "pk", *, distinct: bool = False) -> Coalesce:
    """How many of `rows` (their distinct `field` values when `distinct`), as a correlated
    subquery for annotate(): with no GROUP BY in the outer query, the database counts for
    the rows a sliced query returns only, never for the whole table."""
    # COUNT(*), not COUNT(id): the database may answer from an index, never reading rows.
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(*)"
    count = Func(F(field), template=template, output_field=IntegerField())
    return Coalesce(Subquery(rows.order_by().annotate(n=count).values("n")[:1]), 0)


def stories_with_counts() -> QuerySet[Story]:
    """Stories, newest first, each with `article_count` and `outlet_count`; slice it (the
    counts read the index on articles' (story, outlet) for the rows returned only)."""
    articles = Article.objects.filter(story=OuterRef("pk"))
    return Story.objects.annotate(
        article_count=count_of(articles),
        outlet_count=count_of(articles, "outlet", distinct=True),
    ).order_by("-created", "title")


def outlets_with_counts() -> QuerySet[Outlet]:
    """Outlets by name, each with `article_count`; slice it (counted for the rows
    returned only, from the index on articles' outlet)."""
    return Outlet.objects.annotate(
        article_count=count_of(Article.objects.filter(outlet=OuterRef("pk")))
    ).order_by("name")


def published_claims() -> QuerySet[Claim]:
    return Claim.objects.filter(status=Claim.Status.PUBLISHED)


def recent_claims() -> QuerySet[Claim]:
    """Published claims, most recently updated first, with their story."""
    return (
        published_claims()
        .select_related("story")
        .defer("story__description")
        .order_by("-updated", "statement")
    )


def articles_for_outlet(outlet: Outlet) -> QuerySet[Article]:
    """The outlet's articles with their story, newest first, undated ones last."""
    return (
        outlet.articles.select_related("story")
        .defer("text", "raw", "story__description")
        .order_by(F("published").desc(nulls_last=True), "title", "pk")
    )


def tag_use_for_outlet(outlet: Outlet) -> QuerySet[Tag]:
    """Tags used on the outlet's articles, each with `use_count`: how many live annotations
    on them carry it, most used first. Tags it never used are left out. Read from the
    stored counts (annotations.counters), never from the outlet's annotations."""
    return (
        Tag.objects.filter(outlet_uses__outlet=outlet, outlet_uses__uses__gt=0)
        .annotate(use_count=F("outlet_uses__uses"))
        .order_by("-use_count", "name")
    )


def stories_with_claims(*, include_drafts: bool, limit: int, chosen: str = "") -> list[Story]:
    """The claims index's story filter, by title: the `limit` newest stories that have
    claims a user may see, and the story with slug `chosen` (the one filtered to) wherever
    it is. One query, whatever the number of stories."""
    claims = Claim.objects.all() if include_drafts else published_claims()
    newest = (
        Story.objects.filter(Exists(claims.filter(story=OuterRef("pk"))))
        .order_by("-created", "-pk")
        .values("pk")[:limit]
    )
    wanted = Q(pk__in=Subquery(newest))
    if chosen:
        wanted |= Q(slug=chosen, pk__in=claims.values("story"))
    return list(Story.objects.filter(wanted).only("pk", "slug", "title").order_by("title", "pk"))


def _claims_saying(search: str, include_drafts: bool) -> Q:
    """Claims whose statement has the words of `search`, or one of whose live annotations
    has them in its quote or note (the search page's rules: phrases, -word, OR, accents
    and name variants)."""
    found = Search(search, editor=include_drafts)
    if found.empty:
        return Q(pk__in=[])
    statements, statement_params = found.ids_sql("claims")
    annotations, annotation_params = found.ids_sql("annotations")
    return Q(pk__in=RawSQL(statements, statement_params)) | Q(
        pk__in=RawSQL(
            "SELECT claim_id FROM annotations_annotation "
            f"WHERE claim_id IS NOT NULL AND id IN ({annotations})",
            annotation_params,
        )
    )


def claims_for_index(
    *,
    include_drafts: bool,
    search: str = "",
    story: str = "",
    tag: str = "",
    unused: bool = False,
) -> QuerySet[Claim]:
    """Claims (drafts only when asked) saying `search` (see _claims_saying), in the story with
    slug `story`, carried by at least one live annotation tagged with slug `tag`, or (when
    `unused`) by no live annotation at all, ordered by statement; empty arguments do not
    filter. Slice it, then give the slice to with_outlet_counts()."""
    claims = Claim.objects.all() if include_drafts else published_claims()
    if unused:
        claims = claims.filter(Q(counts__isnull=True) | Q(counts__annotations=0))
    if search:
        claims = claims.filter(_claims_saying(search, include_drafts))
    if story:
        claims = claims.filter(story__slug=story)
    if tag:
        # EXISTS rather than a join: a join would repeat a claim once per tagged annotation.
        claims = claims.filter(
            Exists(
                TaggedAnnotation.objects.filter(
                    Q(content_object__claim=OuterRef("pk"), tag__slug=tag)
                    & live_annotations("content_object__")
                )
            )
        )
    return claims.order_by("statement", "pk")


def with_outlet_counts(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """The claims of `claims` (a page of claims_for_index(), sliced) with their story and
    `outlet_count`, in the same order. The page's claims are chosen first, by the index on
    statements; their counts are stored (annotations.counters)."""
    return (
        Claim.objects.filter(pk__in=claims.values("pk"))
        .select_related("story")
        .defer("story__description")
        .annotate(outlet_count=Coalesce("counts__outlets", 0))
        .order_by("statement", "pk")
    )


def claims_to_showcase() -> QuerySet[Claim]:
    """Published claims with at least one live annotation, most recently updated first, each
    with its story and `outlet_count` (stored: annotations.counters): the home page's live
    comparison picks among the first few. Slice it."""
    return (
        published_claims()
        .filter(counts__annotations__gt=0)
        .select_related("story")
        .only("pk", "slug", "statement", "status", "updated", "story__slug", "story__title")
        .annotate(outlet_count=F("counts__outlets"))
        .order_by("-updated", "pk")
    )


# The excerpt's context comes from this many characters either side of the quote, cut out
# by the database: more than sentence_context() keeps (200), so its result is the same as
# from the whole text, which is never loaded.
CONTEXT_REACH = 400


def context_window() -> dict:
    """Annotations for a queryset's annotate(): `context`, the article's text from
    `context_start` to CONTEXT_REACH characters past the quote, cut by the database."""
    context_start = Greatest(F("start") - CONTEXT_REACH, Value(0))
    return {
        "context_start": context_start,
        # SQL counts from 1; the end is the quote's end plus the reach.
        "context": Substr(
            "article__text", context_start + 1, F("end") + CONTEXT_REACH - context_start
        ),
    }


def first_excerpt_per_outlet(claim: Claim, outlets: int) -> QuerySet[Annotation]:
    """The claim's first live, anchored annotation in each of its first `outlets` outlets,
    outlets in order of first publication (undated last), then by name. Each has its
    article and outlet (not the article's text), its tags (one more query), and `context`:
    the article's text from `context_start` to CONTEXT_REACH characters past the quote,
    cut for those annotations only (the first of each outlet is chosen over narrow rows)."""
    order = (
        F("article__published").asc(nulls_last=True),
        "article__outlet__name",
        "article__outlet_id",
        "start",
        "pk",
    )
    # Only anchored ones: an orphan's or a reviewed one's offsets refer to an earlier text
    # (the claim page shows those, marked, from their stored context).
    anchored = claim.annotations.filter(
        live_annotations(), anchor_status=Annotation.AnchorStatus.ANCHORED
    )
    chosen = first_per_outlet(anchored.order_by(*order), 1).values("pk")[:outlets]
    return (
        Annotation.objects.filter(pk__in=Subquery(chosen))
        .select_related("article__outlet")
        .defer("article__text", "article__raw", "prefix", "suffix", "note")
        .prefetch_related(
            Prefetch(
                "tagged_items",
                queryset=TaggedAnnotation.objects.select_related("tag").order_by("pk"),
                to_attr="tag_links",
            )
        )
        .annotate(**context_window())
        .order_by(*order)
    )


def first_per_outlet(annotations: QuerySet[Annotation], limit: int) -> QuerySet[Annotation]:
    """At most `limit` of `annotations` per outlet, in the same order, each with
    `outlet_total`: how many the outlet has in all. Still one query: the window functions
    run in a subquery the database filters."""
    order = annotations.query.order_by
    return annotations.annotate(
        outlet_rank=Window(RowNumber(), partition_by=F("article__outlet"), order_by=order),
        outlet_total=Window(Count("pk"), partition_by=F("article__outlet")),
    ).filter(outlet_rank__lte=limit)


def _with_use_count(tags: QuerySet[Tag]) -> QuerySet[Tag]:
    """Each tag with `use_count`: how many live annotations carry it."""
    return tags.annotate(
        use_count=Count(
            "tagged_annotations",
            filter=live_annotations("tagged_annotations__content_object__"),
        )
    )


def vocabulary_with_counts() -> QuerySet[Tag]:
    """The vocabulary in the moderators' order, each tag with `use_count`."""
    return _with_use_count(Tag.objects.vocabulary()).order_by("position", "name", "pk")


def proposed_tags() -> QuerySet[Tag]:
    """Tags waiting for a moderator, oldest proposal first, each with who proposed it and
    `use_count`."""
    return (
        _with_use_count(Tag.objects.filter(status=Tag.Status.PROPOSED))
        .select_related("proposed_by")
        .order_by("created", "pk")
    )


def tag_filter_options() -> QuerySet[Tag]:
    """Every tag by name, for a filter's choices: only what an option shows."""
    return Tag.objects.only("pk", "name", "slug", "status").order_by("name", "pk")


class TagLink(NamedTuple):
    """What Annotation.tag_list reads of a tag link: its tag."""

    tag: Tag


def attach_tags(annotations: list[Annotation], among: QuerySet | None = None) -> list[Annotation]:
    """Give each of `annotations` its tags, in the order they were added, as `tag_links`
    (what AnnotationQuerySet.with_details() prefetches, read by Annotation.tag_list), in one
    query: each tag is made once however many annotations carry it, and no link row is
    made at all (an article's 400 annotations had 800 of each). `among`, the query that
    chose them, names them to the database as a subquery rather than a list of ids."""
    by_id = {annotation.pk: annotation for annotation in annotations}
    for annotation in annotations:
        annotation.tag_links = []
    if not by_id:
        return annotations
    fields = [field.attname for field in Tag._meta.concrete_fields]
    rows = (
        Tag.objects.filter(
            tagged_annotations__content_object__in=list(by_id)
            if among is None
            else among.order_by().values("pk")
        )
        .order_by("tagged_annotations__pk")
        .values_list("tagged_annotations__content_object", *fields)
    )
    tags: dict[int, TagLink] = {}
    for annotation_id, *values in rows:
        link = tags.get(values[0])
        if link is None:
            link = tags[values[0]] = TagLink(Tag.from_db(rows.db, fields, values))
        annotation = by_id.get(annotation_id)
        if annotation is not None:
            annotation.tag_links.append(link)
    return annotations


class ClaimExcerpts:
    """The claim page's listing: the claim's live annotations that match the filters
    (outlets, tags, stance), chosen, ordered and cut at `limit` by the database, each with
    the text around its quote (never an article's whole text or raw input). The page, its
    CSV and JSON exports (and the API) read the claim through it, so they always agree.

    comparison() lays out every matching excerpt (up to `limit`), for the exports and the
    API; the page shows one page of it: columns_page(), some outlets' columns, or
    timeline_page(), some excerpts in order of publication. Each runs a fixed number of
    queries whatever the number of excerpts: the excerpts, their tags, their articles, the
    outlets of the story and those carrying the claim, and the tags on it; a page also the
    order of the outlets (and the timeline its count)."""

    def __init__(self, claim: Claim, filters, *, limit: int):
        self.claim = claim
        self.filters = filters
        self.limit = limit

    def _live(self) -> QuerySet[Annotation]:
        return Annotation.objects.filter(live_annotations(), claim=self.claim)

    def _matching(self) -> QuerySet[Annotation]:
        """The claim's live annotations that match the filters."""
        annotations = self._live()
        filters = self.filters
        if filters.outlets:
            annotations = annotations.filter(article__outlet__slug__in=filters.outlets)
        if filters.stance:
            annotations = annotations.filter(stance=filters.stance)
        if filters.tags:
            annotations = annotations.filter(
                Exists(
                    TaggedAnnotation.objects.filter(
                        content_object=OuterRef("pk"), tag__slug__in=filters.tags
                    )
                )
            )
        return annotations

    def annotations(self, *, details: bool = True) -> QuerySet[Annotation]:
        """The matching annotations with their author and article (and its outlet), by
        position in their text (compare() lays them out by outlet); slice it. Without
        `details`, neither the author nor the article's outlet: what the page reads."""
        annotations = self._matching()
        articles = Article.objects.defer("text", "raw")
        if details:
            annotations = annotations.select_related("author")
            articles = articles.select_related("outlet")
        return (
            # Their claim is this one, set by comparison(); their tags come from attach_tags().
            annotations.annotate(**context_window())
            # Each article once, not once per annotation.
            .prefetch_related(Prefetch("article", queryset=articles))
            .order_by("start", "pk")
        )

    def column_order(self) -> list[int]:
        """The ids of the outlets with a matching annotation, in the order of their columns:
        by their first publication (undated last), then by name. One query, over the
        claim's own annotations."""
        return list(
            self._matching()
            .order_by()
            .values("article__outlet", "article__outlet__name")
            .annotate(first=Min("article__published"))
            .order_by(F("first").asc(nulls_last=True), "article__outlet__name", "article__outlet")
            .values_list("article__outlet", flat=True)
        )

    def outlets(self) -> QuerySet[Outlet]:
        """The outlets with an article in the claim's story (`in_story`) or a live annotation
        of the claim, whatever the filters (`carries`), by name: one query for both lists,
        and one instance of each outlet for both."""
        in_story = Exists(Article.objects.filter(outlet=OuterRef("pk"), story=self.claim.story_id))
        carries = Exists(self._live().filter(article__outlet=OuterRef("pk")))
        return (
            Outlet.objects.annotate(in_story=in_story, carries=carries)
            .filter(Q(in_story=True) | Q(carries=True))
            # What the page, the exports and the API show of an outlet.
            .only("pk", "name", "slug", "language")
            .order_by("name", "pk")
        )

    def tags(self) -> QuerySet[Tag]:
        """Every tag on the claim's live annotations, whatever the filters: the tag filter's
        choices."""
        return Tag.objects.filter(
            Exists(
                TaggedAnnotation.objects.filter(
                    Q(tag=OuterRef("pk"), content_object__claim=self.claim)
                    & live_annotations("content_object__")
                )
            )
        ).order_by("name", "pk")

    def comparison(self, *, with_verbs: bool = False, authors: bool = True) -> Comparison:
        """Every matching excerpt (up to `limit`) laid out in a column per outlet
        (reading.comparison.compare); with `with_verbs`, each column has the verbs of the
        quotations its excerpts overlap (one more query); without `authors`, the
        annotations' authors are not read (the page does not show them)."""
        annotations = self.annotations(details=False)
        if authors:
            annotations = annotations.select_related("author")
        return self._compare(annotations, with_verbs=with_verbs)

    def columns_page(self, number, per_page: int, *, with_verbs: bool = False) -> Comparison:
        """The columns of page `number` (as Paginator.get_page() reads it) of `per_page`
        outlets, in column order, with the page as `page` (its items are outlet ids)."""
        page = Paginator(self.column_order(), per_page).get_page(number)
        annotations = self.annotations(details=False).filter(article__outlet__in=list(page))
        return self._compare(
            annotations, with_verbs=with_verbs, page=page, matching=page.paginator.object_list
        )

    def timeline_page(self, number, per_page: int, *, with_verbs: bool = False) -> Comparison:
        """Page `number` of the matching excerpts in order of publication (undated last),
        `per_page` at a time, with the page as `page`."""
        by_date = self.annotations(details=False).order_by(
            F("article__published").asc(nulls_last=True),
            "article__outlet__name",
            "article__outlet",
            "start",
            "pk",
        )
        page = Paginator(by_date, per_page).get_page(number)
        return self._compare(
            page.object_list, with_verbs=with_verbs, page=page, matching=self.column_order()
        )

    def _compare(self, annotations, *, with_verbs: bool, page=None, matching=None) -> Comparison:
        """The excerpts of `annotations` (up to `limit`) laid out by compare(). Each
        article's outlet is the one of outlets(), made once; `matching` is every outlet
        with a matching excerpt, when `annotations` are only some of them."""
        outlets = list(self.outlets())
        carrying = [outlet for outlet in outlets if outlet.carries]
        by_id = {outlet.pk: outlet for outlet in carrying}
        rows = list(annotations[: self.limit + 1])
        attach_tags(rows[: self.limit])
        for row in rows:
            row.claim = self.claim
            # Written meanwhile, an outlet not among outlets() is read by itself.
            if row.article.outlet_id in by_id:
                row.article.outlet = by_id[row.article.outlet_id]
        comparison = compare(
            self.claim,
            rows[: self.limit],
            self.filters,
            story_outlets=[outlet for outlet in outlets if outlet.in_story],
            carrying=carrying,
            tags=list(self.tags()),
            more=len(rows) > self.limit,
            page=page,
            matching=matching,
        )
        if with_verbs:
            articles = {row.article_id for row in rows[: self.limit]}
            quoted = (
                Quotation.objects.filter(article__in=articles)
                .exclude(verb="")
                .order_by("article_id", "start")
                .values_list("article_id", "start", "end", "verb")
            )
            add_verbs(comparison.columns, quoted if articles else [])
        return comparison


class StoryGrid:
    """The story page's listing: the story's outlets (each with its number of articles), how
    many claims each carries, its claims (drafts only when asked) with their live
    annotations counted, how many outlets carry the claims a page lists, the grid's cells
    for a window of claims by outlets, and a page of its articles. Every count is over this
    story's rows only, found through the indexes on article.story and annotation.claim; no
    article's text is loaded."""

    def __init__(self, story: Story, *, include_drafts: bool):
        self.story = story
        self.include_drafts = include_drafts

    def _claim_filter(self, prefix: str) -> Q:
        """The claims this reader may see in the grid: the story's, published unless drafts
        are asked for; `prefix` is the path to the claim."""
        condition = Q(**{f"{prefix}story": self.story})
        if not self.include_drafts:
            condition &= Q(**{f"{prefix}status": Claim.Status.PUBLISHED})
        return condition

    def outlets(self) -> QuerySet[Outlet]:
        """The outlets with an article in the story, by name, each with `article_count`: its
        articles in the story."""
        return (
            Outlet.objects.filter(articles__story=self.story)
            .only("pk", "name", "slug")
            .annotate(article_count=Count("articles"))
            .order_by("name", "pk")
        )

    def carried(self) -> QuerySet:
        """(outlet id, number of claims) for each outlet carrying claims this reader may see
        with a live annotation: which outlets the grid shows first. From the stored counts
        (annotations.counters): one row per outlet, whatever the story's size."""
        carried = "claims" if self.include_drafts else "published"
        return (
            StoryOutletClaims.objects.filter(story=self.story, **{f"{carried}__gt": 0})
            .values_list("outlet", carried)
            .order_by()
        )

    def articles(self) -> QuerySet[Article]:
        """The story's articles by outlet name, then date (undated last): only what a list
        shows, without their outlet (the page has it from outlets()); slice it."""
        return self.story.articles.only("pk", "title", "byline", "published", "outlet_id").order_by(
            "outlet__name", "outlet_id", F("published").asc(nulls_last=True), "title", "pk"
        )

    def claims(self) -> QuerySet[Claim]:
        """The story's claims, each with `annotation_count` (its live annotations) and
        `outlet_count` (the outlets they are in), the most annotated first, then by
        statement: from the stored counts (annotations.counters), one row per claim."""
        story = self.story
        claims = (
            story.claims.all() if self.include_drafts else published_claims().filter(story=story)
        )
        return (
            claims.only("pk", "slug", "statement", "status")
            .annotate(
                annotation_count=Coalesce("counts__annotations", 0),
                outlet_count=Coalesce("counts__outlets", 0),
            )
            .order_by("-annotation_count", "statement", "pk")
        )

    def cells(self, claims, outlets) -> QuerySet:
        """(claim id, outlet id, stance) for each way one of `outlets` carried one of
        `claims` (ids) in the story, as plain tuples: the cells of one window of the grid."""
        annotations = Annotation.objects.visible().filter(
            claim__in=list(claims), article__story=self.story, article__outlet__in=list(outlets)
        )
        return (
            annotations.values_list("claim_id", "article__outlet_id", "stance")
            .distinct()
            .order_by("claim_id", "article__outlet_id", "stance")
        )


class OutletUses(NamedTuple):
    """An outlet on the tag page (TagUses.outlets()): its id, name and slug, and how many
    of the listing's annotations are on its articles."""

    outlet: int
    name: str
    slug: str
    uses: int


class StoryOption(NamedTuple):
    """A story in a filter's list (TagUses.stories())."""

    slug: str
    title: str


class TagUses:
    """The tag page's listing: the live annotations carrying `tag` (in the story with slug
    `story`, when given), by outlet name, then article date and place in the text, each with
    its article, outlet and claim and its tags as `tag_links`; at most `per_outlet` of each
    outlet, for the page of outlets shown.

    Never reads every use of a tag (one has 50,000): the counts come from the stored
    TagOutletUse and TagStoryUse rows (annotations.counters), and the annotations shown are
    each outlet's first `per_outlet`, fetched per outlet by a LIMIT the database stops at.
    Filtered to a story, it reads that story's uses only."""

    def __init__(self, tag: Tag, *, story: str = "", per_outlet: int):
        self.tag = tag
        self.story = story
        self.per_outlet = per_outlet

    def _tagged(self) -> QuerySet[Annotation]:
        # tagged_items__tag joins one row per annotation: an annotation has a tag at most once.
        annotations = Annotation.objects.visible().filter(tagged_items__tag=self.tag)
        if self.story:
            annotations = annotations.filter(article__story__slug=self.story)
        return annotations

    # What a card prints (reading.fragments.tag_uses_html()) and the outlet its article is
    # grouped under: every other column, loaded for each row and its article and claim,
    # only cost time.
    _card_fields = (
        "exact",
        "stance",
        "note",
        "article__title",
        "article__published",
        "article__outlet",
        "claim__slug",
        "claim__statement",
        "claim__status",
    )

    # Within an outlet: by article date, then place in the text.
    _order = (F("article__published").asc(nulls_last=True), "article_id", "start", "pk")

    def outlets(self) -> list[OutletUses]:
        """Each outlet using the tag (in the story, when filtered), by name, with its number
        of uses: from the stored counts, or counted over the story's annotations. One query,
        of a row per outlet (no model instance: a tag is used by hundreds)."""
        if self.story:
            rows = (
                self._tagged()
                .order_by()
                .values("article__outlet", "article__outlet__name", "article__outlet__slug")
                .annotate(uses=Count("pk"))
                .order_by("article__outlet__name", "article__outlet")
                .values_list(
                    "article__outlet", "article__outlet__name", "article__outlet__slug", "uses"
                )
            )
        else:
            rows = (
                TagOutletUse.objects.filter(tag=self.tag, uses__gt=0)
                .order_by("outlet__name", "outlet")
                .values_list("outlet", "outlet__name", "outlet__slug", "uses")
            )
        return list(map(OutletUses._make, rows))

    def shown(self, outlets: list[OutletUses]) -> list[Annotation]:
        """What the page shows: the first `per_outlet` uses of each of `outlets` (a page of
        outlets()), in that order, each with its article's outlet and `outlet_total`. Two
        queries (the tags are prefetched): each outlet's rows are chosen by its own LIMIT, so
        the database reads about as many rows as it returns; each outlet is made once, from
        its row, not once per use."""
        wanted = [(row.outlet, min(row.uses, self.per_outlet)) for row in outlets if row.uses > 0]
        if not wanted:
            return []
        # The ids chosen are live and tagged already: no join to check it again.
        rows = (
            Annotation.objects.filter(pk__in=self._first_of_each(wanted))
            .select_related("article", "claim")
            .only(*self._card_fields)
            .order_by(*self._order)
        )
        fields = ["id", "name", "slug"]
        by_id = {
            row.outlet: (
                n,
                Outlet.from_db(rows.db, fields, (row.outlet, row.name, row.slug)),
                row.uses,
            )
            for n, row in enumerate(outlets)
        }
        # Sorted by outlet as the page lists them; stable, so each keeps the order above.
        annotations = sorted(rows, key=lambda annotation: by_id[annotation.article.outlet_id][0])
        for annotation in annotations:
            _, outlet, uses = by_id[annotation.article.outlet_id]
            annotation.article.outlet = outlet
            annotation.outlet_total = uses
        return attach_tags(annotations)

    def _first_of_each(self, wanted: list[tuple[int, int]]) -> RawSQL:
        """The ids of the first `take` annotations of each (outlet, take) in `wanted`."""
        first = self._tagged().order_by(*self._order).values("pk")
        if connection.vendor == "postgresql":
            # One subquery, planned once and run per outlet (LATERAL): a UNION ALL of a
            # hundred arms took the planner 60 ms.
            sql, params = first.filter(
                article__outlet=RawSQL("wanted.outlet_id", ())
            ).query.sql_with_params()
            rows = ", ".join(["(%s, %s)"] * len(wanted))
            return RawSQL(
                f"SELECT first.id FROM (VALUES {rows}) AS wanted (outlet_id, take) "
                f"CROSS JOIN LATERAL ({sql} LIMIT wanted.take) AS first (id)",
                [value for pair in wanted for value in pair] + list(params),
            )
        # SQLite has no LATERAL; its planner takes the arms of a UNION ALL cheaply.
        arms, params = [], []
        for n, (outlet, take) in enumerate(wanted):
            sql, arm_params = first.filter(article__outlet=outlet)[:take].query.sql_with_params()
            arms.append(f"SELECT * FROM ({sql}) arm{n}")
            params.extend(arm_params)
        return RawSQL(" UNION ALL ".join(arms), params)

    def stories(self, limit: int) -> list[StoryOption]:
        """The story filter, by title: the `limit` stories with most live annotations
        carrying the tag, and the one filtered to wherever it is (from the stored counts).
        One query, whatever the number of stories, of rows rather than Story instances (a
        hundred instances cost half as much again as the query)."""
        most = (
            TagStoryUse.objects.filter(tag=self.tag, uses__gt=0)
            .order_by("-uses", "story")
            .values("story")[:limit]
        )
        wanted = Q(pk__in=Subquery(most))
        if self.story:
            # A subquery, not a join to the counts: joined, each story came once per tag
            # it uses (a list of 3,600 options for 100 stories).
            wanted |= Q(
                pk__in=TagStoryUse.objects.filter(
                    tag=self.tag, uses__gt=0, story__slug=self.story
                ).values("story")
            )
        rows = Story.objects.filter(wanted).order_by("title", "pk").values_list("slug", "title")
        return list(map(StoryOption._make, rows))


class SpeakerQuotations:
    """The speaker page's listing: the quotations attributed to one speaker (by the slug of
    their name), by outlet, then verb. One query (slice it); no article's text is loaded
    (a quotation holds its own words)."""

    def __init__(self, slug: str):
        self.slug = slug

    def quotations(self) -> QuerySet[Quotation]:
        return (
            Quotation.objects.filter(speaker_slug=self.slug)
            .select_related("article__outlet")
            .only(
                "pk",
                "key",
                "speaker",
                "verb",
                "text",
                "start",
                "trace_id",
                "article__title",
                "article__published",
                "article__outlet__name",
                "article__outlet__slug",
            )
            .order_by("article__outlet__name", "article__outlet_id", "verb", "article_id", "start")
        )


# What a list of quotations shows of each (its words, who said them and how, its outlet,
# its address), never its article's text.
LISTED_QUOTATION = (
    "pk",
    "key",
    "text",
    "speaker",
    "speaker_slug",
    "verb",
    "article_id",
    "trace_id",
    "article__title",
    "article__outlet__name",
)


def _other_outlets_quoting(outlet_id: int) -> Subquery:
    """For a quotation (OuterRef), how many outlets other than `outlet_id` quote the same
    words: the distinct outlets of its trace's renderings (None when there are none)."""
    return Subquery(
        Quotation.objects.filter(trace=OuterRef("trace"))
        .exclude(article__outlet=outlet_id)
        .order_by()
        .values("trace")
        .annotate(n=Count("article__outlet", distinct=True))
        .values("n")
    )


def article_quotations(article: Article) -> QuerySet[Quotation]:
    """The article's quotations in text order, each with `other_outlets`: how many other
    outlets quote the same words (their trace's outlets but the article's own; 0 for an
    untraced quotation). One query."""
    return (
        Quotation.objects.filter(article=article)
        .annotate(other_outlets=Coalesce(_other_outlets_quoting(article.outlet_id), 0))
        .order_by("start", "pk")
    )


class TraceRenderings:
    """A trace's panel: each outlet's rendering of the same words, the earliest published
    first (the first appearance), with its article and outlet. One query (slice it); no
    article's text is loaded (a quotation holds its own words)."""

    def __init__(self, trace_id: int):
        self.trace_id = trace_id

    def renderings(self) -> QuerySet[Quotation]:
        return (
            Quotation.objects.filter(trace=self.trace_id)
            .select_related("article__outlet", "article__story")
            .only(
                "pk",
                "key",
                "text",
                "start",
                "end",
                "speaker",
                "speaker_slug",
                "verb",
                "trace_id",
                "article__title",
                "article__published",
                "article__story_id",
                "article__story__slug",
                "article__story__title",
                "article__outlet__name",
                "article__outlet__slug",
            )
            .order_by(F("article__published").asc(nulls_last=True), "article_id", "start")
        )


def most_quoted(story: Story, limit: int) -> list[Quotation]:
    """The story's most-quoted words: one quotation per trace that the story's articles
    share (its longest rendering in the story), the traces quoted by most outlets first,
    each with `outlets`. Two queries (one when no trace is shared): the traces, counted in
    one GROUP BY over the story's quotations and cut at `limit`; then the longest rendering
    of each of those. (Counting
    per quotation, in a subquery, compared every rendering of a trace with every other:
    12 s for a story of 2,000 articles.)"""
    in_story = Quotation.objects.filter(article__story=story, trace__isnull=False)
    traces = dict(
        in_story.values("trace")
        .annotate(outlets=Count("article__outlet", distinct=True))
        .filter(outlets__gte=2)
        .order_by("-outlets", "trace")
        .values_list("trace", "outlets")[:limit]
    )
    if not traces:
        return []
    # Each trace's longest rendering chosen over narrow rows; only those read whole, with
    # their article and outlet (joining them for every rendering took most of the time).
    ranked = (
        in_story.filter(trace__in=list(traces))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("trace"),
                order_by=[Length("text").desc(), F("article_id").asc(), F("start").asc()],
            )
        )
        .filter(rank=1)
        .values("pk")
    )
    longest = (
        Quotation.objects.filter(pk__in=Subquery(ranked))
        .select_related("article__outlet")
        .only(*LISTED_QUOTATION)
    )
    quotations = list(longest)
    for quotation in quotations:
        quotation.outlets = traces[quotation.trace_id]
    return sorted(quotations, key=lambda q: (-q.outlets, q.trace_id))
