"""The read side's queries: one query object per listing (ClaimExcerpts for the claim page,
StoryGrid, TagUses; reading.search.Search for search) that filters, orders and cuts in the
database and is shared by the page, its exports and the API; and named querysets for the
smaller lists.

Each returns querysets that a page evaluates in a fixed number of SQL queries whatever the
number of rows (joins and COUNT()s happen in the database, never per row in Python), and
none loads an article's text or raw input for rows it does not show.
"""

from django.db.models import (
    Count,
    Exists,
    F,
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

from annotations.models import Annotation, Claim, Tag, TaggedAnnotation
from reading.comparison import Comparison, add_verbs, compare
from reading.search import Search
from sources.models import Article, Outlet, Quotation, Story


def live_annotations(prefix: str = "") -> Q:
    """Filter for annotations that count on reader pages: not deleted (a moderator can
    restore a deleted one, so its row stays). `prefix` is the path to them from the
    queried model, e.g. "annotations__"."""
    return Q(**{f"{prefix}deleted__isnull": True})


def stories_with_counts() -> QuerySet[Story]:
    """Stories, newest first, each with `article_count` and `outlet_count`."""
    return Story.objects.annotate(
        article_count=Count("articles", distinct=True),
        outlet_count=Count("articles__outlet", distinct=True),
    ).order_by("-created", "title")


def outlets_with_counts() -> QuerySet[Outlet]:
    """Outlets by name, each with `article_count`."""
    return Outlet.objects.annotate(article_count=Count("articles")).order_by("name")


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
    """Tags used on the outlet's articles, each with `use_count`: how many annotations on
    them carry it, most used first. Tags it never used are left out."""
    # One filter() call, then annotate(): the COUNT runs over the same filtered join, so it
    # counts only this outlet's annotations (one TaggedAnnotation row per annotation and tag).
    return (
        Tag.objects.filter(
            Q(tagged_annotations__content_object__article__outlet=outlet)
            & live_annotations("tagged_annotations__content_object__")
        )
        .annotate(use_count=Count("tagged_annotations"))
        .order_by("-use_count", "name")
    )


def stories_with_claims(*, include_drafts: bool) -> QuerySet[Story]:
    """Stories that have claims a user may see, by title: the claims index's story filter."""
    claims = Claim.objects.all() if include_drafts else published_claims()
    return (
        Story.objects.filter(pk__in=claims.values("story"))
        .only("pk", "slug", "title")
        .order_by("title", "pk")
    )


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
    `unused`) by no live annotation at all; each with its story and `outlet_count`. Empty
    arguments do not filter."""
    claims = Claim.objects.all() if include_drafts else published_claims()
    if unused:
        claims = claims.filter(~Exists(_live_annotations_of_claim()))
    if search:
        claims = claims.filter(_claims_saying(search, include_drafts))
    if story:
        claims = claims.filter(story__slug=story)
    if tag:
        # EXISTS rather than a join: a join would multiply the rows that outlet_count counts.
        claims = claims.filter(
            Exists(
                TaggedAnnotation.objects.filter(
                    Q(content_object__claim=OuterRef("pk"), tag__slug=tag)
                    & live_annotations("content_object__")
                )
            )
        )
    return (
        claims.select_related("story")
        .defer("story__description")
        .annotate(
            outlet_count=Count(
                "annotations__article__outlet",
                filter=live_annotations("annotations__"),
                distinct=True,
            )
        )
        .order_by("statement", "pk")
    )


def _live_annotations_of_claim() -> QuerySet[Annotation]:
    """The live annotations of the outer query's claim, for Exists() and Subquery()."""
    return Annotation.objects.filter(live_annotations(), claim=OuterRef("pk"))


def claims_to_showcase() -> QuerySet[Claim]:
    """Published claims with at least one live annotation, most recently updated first, each
    with its story and `outlet_count`: the home page's live comparison picks among the first
    few. Slice it: the outlet count is a correlated subquery, run for the rows returned only,
    never an aggregate over every annotation."""
    outlet_count = (
        _live_annotations_of_claim()
        .order_by()
        .values("claim")
        .annotate(outlets=Count("article__outlet", distinct=True))
        .values("outlets")
    )
    return (
        published_claims()
        .filter(Exists(_live_annotations_of_claim()))
        .select_related("story")
        .only("pk", "slug", "statement", "status", "updated", "story__slug", "story__title")
        .annotate(outlet_count=Subquery(outlet_count))
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


def first_excerpt_per_outlet(claim: Claim) -> QuerySet[Annotation]:
    """The claim's first live, anchored annotation in each outlet, outlets in order of first
    publication (undated last), then by name; slice it to the outlets wanted. Each has its
    article and outlet (not the article's text), its tags (one more query), and `context`:
    the article's text from `context_start` to CONTEXT_REACH characters past the quote."""
    annotations = (
        # Only anchored ones: an orphan's or a reviewed one's offsets refer to an earlier
        # text (the claim page shows those, marked, from their stored context).
        claim.annotations.filter(live_annotations(), anchor_status=Annotation.AnchorStatus.ANCHORED)
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
        .order_by(
            F("article__published").asc(nulls_last=True),
            "article__outlet__name",
            "article__outlet_id",
            "start",
            "pk",
        )
    )
    return first_per_outlet(annotations, 1)


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


class ClaimExcerpts:
    """The claim page's listing: the claim's live annotations that match the filters
    (outlets, tags, stance), chosen, ordered and cut at `limit` by the database, each with
    the text around its quote (never an article's whole text or raw input). The page, its
    CSV and JSON exports (and the API) read the claim through it, so they always agree.

    comparison() runs five queries whatever the number of excerpts: the excerpts, their
    tags, their articles, the outlets carrying the claim, the tags on it, plus the story's
    outlets."""

    def __init__(self, claim: Claim, filters, *, limit: int):
        self.claim = claim
        self.filters = filters
        self.limit = limit

    def _live(self) -> QuerySet[Annotation]:
        return Annotation.objects.filter(live_annotations(), claim=self.claim)

    def annotations(self) -> QuerySet[Annotation]:
        """The matching annotations, by position in their text (compare() lays them out
        by outlet); slice it."""
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
        return (
            annotations.with_details()
            .annotate(**context_window())
            .prefetch_related(
                # Each article once, not once per annotation.
                Prefetch(
                    "article",
                    queryset=Article.objects.select_related("outlet").defer("text", "raw"),
                )
            )
            .order_by("start", "pk")
        )

    def carrying(self) -> QuerySet[Outlet]:
        """Every outlet with a live annotation of the claim, whatever the filters, by name."""
        return Outlet.objects.filter(
            Exists(self._live().filter(article__outlet=OuterRef("pk")))
        ).order_by("name", "pk")

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

    def story_outlets(self) -> QuerySet[Outlet]:
        """The outlets with an article in the claim's story, by name."""
        return Outlet.objects.filter(
            Exists(Article.objects.filter(outlet=OuterRef("pk"), story=self.claim.story_id))
        ).order_by("name", "pk")

    def comparison(self, *, with_verbs: bool = False) -> Comparison:
        """The excerpts laid out in a column per outlet (reading.comparison.compare); with
        `with_verbs`, each column has the verbs of the quotations its excerpts overlap (one
        more query)."""
        rows = list(self.annotations()[: self.limit + 1])
        comparison = compare(
            self.claim,
            rows[: self.limit],
            self.filters,
            story_outlets=list(self.story_outlets()),
            carrying=list(self.carrying()),
            tags=list(self.tags()),
            more=len(rows) > self.limit,
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
    """The story page's listing: the story's articles by outlet, its claims (drafts only
    when asked) and the grid of which outlet carried which claim, how. Three queries; no
    article's text is loaded."""

    def __init__(self, story: Story, *, include_drafts: bool):
        self.story = story
        self.include_drafts = include_drafts

    def articles(self) -> QuerySet[Article]:
        """The story's articles with their outlet, by outlet name, then date (undated last)."""
        return (
            self.story.articles.select_related("outlet")
            .defer("text", "raw")
            .order_by(
                "outlet__name", "outlet_id", F("published").asc(nulls_last=True), "title", "pk"
            )
        )

    def claims(self) -> QuerySet[Claim]:
        """The story's claims, each with `outlet_count`: how many outlets have a live
        annotation under it."""
        story = self.story
        claims = (
            story.claims.all() if self.include_drafts else published_claims().filter(story=story)
        )
        return claims.annotate(
            outlet_count=Count(
                "annotations__article__outlet",
                filter=live_annotations("annotations__"),
                distinct=True,
            )
        ).order_by("statement", "pk")

    def cells(self) -> QuerySet:
        """(claim id, outlet id, stance) for each way an outlet carried one of the claims,
        as plain tuples: the grid's cells."""
        annotations = Annotation.objects.visible().filter(
            claim__story=self.story, article__story=self.story
        )
        if not self.include_drafts:
            annotations = annotations.filter(claim__status=Claim.Status.PUBLISHED)
        return (
            annotations.values_list("claim_id", "article__outlet_id", "stance")
            .distinct()
            .order_by("claim_id", "article__outlet_id", "stance")
        )


class TagUses:
    """The tag page's listing: the live annotations carrying `tag` (in the story with slug
    `story`, when given), by outlet name, then article date and place in the text, each with
    its article, outlet and claim and its tags as `tag_links`; at most `per_outlet` of each
    outlet and `limit` in all on a page."""

    def __init__(self, tag: Tag, *, story: str = "", per_outlet: int, limit: int):
        self.tag = tag
        self.story = story
        self.per_outlet = per_outlet
        self.limit = limit

    def _tagged(self) -> QuerySet[Annotation]:
        # tagged_items__tag joins one row per annotation: an annotation has a tag at most once.
        annotations = Annotation.objects.visible().filter(tagged_items__tag=self.tag)
        if self.story:
            annotations = annotations.filter(article__story__slug=self.story)
        return annotations

    def annotations(self) -> QuerySet[Annotation]:
        return (
            self._tagged()
            .select_related("article__outlet", "claim")
            .defer("article__text", "article__raw", "prefix", "suffix")
            .prefetch_related(
                Prefetch(
                    "tagged_items",
                    queryset=TaggedAnnotation.objects.select_related("tag").order_by("pk"),
                    to_attr="tag_links",
                )
            )
            .order_by(
                "article__outlet__name",
                "article__outlet_id",
                F("article__published").asc(nulls_last=True),
                "article_id",
                "start",
                "pk",
            )
        )

    def shown(self) -> list[Annotation]:
        """What the page shows: the first `per_outlet` of each outlet, `limit` in all, each
        with `outlet_total`. Two queries (the tags are prefetched)."""
        return list(first_per_outlet(self.annotations(), self.per_outlet)[: self.limit])

    def totals(self) -> tuple[int, int]:
        """How many annotations carry the tag, and from how many outlets, in one query."""
        totals = self._tagged().aggregate(
            annotations=Count("pk"), outlets=Count("article__outlet", distinct=True)
        )
        return totals["annotations"], totals["outlets"]

    def stories(self) -> QuerySet[Story]:
        """Stories with a live annotation carrying the tag, by title: the story filter."""
        tagged = Annotation.objects.visible().filter(tagged_items__tag=self.tag)
        return (
            Story.objects.filter(pk__in=tagged.values("article__story"))
            .only("pk", "slug", "title")
            .order_by("title", "pk")
        )


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


def most_quoted(story: Story, limit: int) -> QuerySet[Quotation]:
    """The story's most-quoted words: one quotation per trace that the story's articles
    share (its longest rendering in the story), the traces quoted by most outlets first,
    each with `outlets`. One query."""
    in_story = Quotation.objects.filter(article__story=story, trace__isnull=False)
    outlets = Subquery(
        Quotation.objects.filter(trace=OuterRef("trace"), article__story=story)
        .order_by()
        .values("trace")
        .annotate(n=Count("article__outlet", distinct=True))
        .values("n")
    )
    longest = in_story.filter(trace=OuterRef("trace")).order_by(
        Length("text").desc(), "article_id", "start"
    )
    return (
        in_story.filter(pk=Subquery(longest.values("pk")[:1]))
        .annotate(outlets=outlets)
        .filter(outlets__gte=2)
        .select_related("article__outlet")
        .only(*LISTED_QUOTATION)
        .order_by("-outlets", "trace_id")[:limit]
    )
