"""One claim, every outlet's wording of it: columns, filters, timeline and export rows."""

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.core.paginator import Page
from django.utils.translation import get_language_info

from annotations.models import Annotation, Claim
from annotations.review import stored_context
from sources.models import Outlet
from sources.text.context import sentence_context, text_fragment

STANCES = [value for value, _ in Annotation.Stance.choices]
# Up to this many outlets stand side by side in one row; more get a row each.
SIDE_BY_SIDE_MAX = 12


def language_name(code: str) -> str:
    """The language's English name ("ru" -> "Russian"); a code Django does not know is
    shown as it is."""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def known_language(code: str) -> str:
    """The code if it names a language browsers know (for `lang`), else ""."""
    return code if code and language_name(code) != code else ""


def _split(values: list[str]) -> list[str]:
    """["a,b", "c"] -> ["a", "b", "c"]: filters come comma-joined or repeated."""
    items: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item and item not in items:
                items.append(item)
    return items


@dataclass(frozen=True)
class Filters:
    outlets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    stance: str = ""

    @classmethod
    def from_query(cls, query) -> "Filters":
        """Filters from a QueryDict; unknown stances are ignored rather than fatal."""
        stance = query.get("stance", "").strip()
        return cls(
            outlets=tuple(_split(query.getlist("outlets"))),
            tags=tuple(_split(query.getlist("tags"))),
            stance=stance if stance in STANCES else "",
        )

    def query_string(self, **extra) -> str:
        """The canonical query string ("?outlets=a,b&tags=x"), "" when nothing is set."""
        params = {
            "outlets": ",".join(self.outlets),
            "tags": ",".join(self.tags),
            "stance": self.stance,
            **extra,
        }
        params = {key: value for key, value in params.items() if value}
        return "?" + urlencode(params, safe=",") if params else ""

    @property
    def active(self) -> bool:
        return bool(self.outlets or self.tags or self.stance)

    @property
    def count(self) -> int:
        """How many filters are in force: each outlet and tag chosen, and the stance."""
        return len(self.outlets) + len(self.tags) + (1 if self.stance else 0)


@dataclass
class Excerpt:
    annotation: Annotation
    before: str
    after: str

    @property
    def anchored(self) -> bool:
        """On the current text (else in review or orphaned after a correction)."""
        return self.annotation.anchor_status == Annotation.AnchorStatus.ANCHORED

    @property
    def article(self):
        return self.annotation.article

    @property
    def lang(self) -> str:
        """The language of the quoted text, for its `lang` attribute ("" if unknown)."""
        return known_language(self.article.language or self.article.outlet.language)

    @property
    def original_url(self) -> str:
        """The original article, scrolled to the quoted words where browsers can."""
        url = self.article.url
        return url + text_fragment(self.annotation.exact) if url else ""


@dataclass
class Column:
    outlet: Outlet
    excerpts: list[Excerpt] = field(default_factory=list)
    # The reporting verbs of the quotations its excerpts overlap ("bluntly admitted").
    verbs: list[str] = field(default_factory=list)

    # Cached: the sort and the template read these per column, and a column's excerpts are
    # all in place before either does (compare()).
    @cached_property
    def first_published(self) -> datetime.date | None:
        dates = [e.article.published for e in self.excerpts if e.article.published]
        return min(dates) if dates else None

    @property
    def rest(self) -> list[Excerpt]:
        """The excerpts after the first, which the compact layout folds."""
        return self.excerpts[1:]

    @cached_property
    def language(self) -> str:
        """The outlet's language, or else its first article's ("" when neither says)."""
        if self.outlet.language:
            return self.outlet.language
        return next((e.article.language for e in self.excerpts if e.article.language), "")

    @property
    def language_name(self) -> str:
        return language_name(self.language)


@dataclass
class Comparison:
    claim: Claim
    filters: Filters
    columns: list[Column]
    # Outlets of the story that carry no annotation of the claim.
    not_covered: list[Outlet]
    # Outlets that carry the claim, but with no excerpt matching the filters.
    filtered_out: list[Outlet]
    # Every outlet with an annotation of the claim, whatever the filters.
    carrying: list[Outlet]
    # For the filter controls: every outlet of the story and every tag used on the claim.
    outlets: list[Outlet]
    tags: list
    # The listing stopped at its limit: more excerpts match than are shown.
    more: bool = False
    # The page shown, when the page shows some outlets' columns or some of the timeline
    # (ClaimExcerpts.columns_page(), timeline_page()); None when it holds every excerpt.
    page: Page | None = None
    # How many outlets have an excerpt matching the filters, on this page or another.
    column_count: int = 0

    @property
    def excerpts(self) -> list[Excerpt]:
        return [excerpt for column in self.columns for excerpt in column.excerpts]

    @property
    def shown_tags(self) -> list:
        """The tags of the excerpts on screen, for the legend (the filters may hide some)."""
        shown = {tag.pk: tag for e in self.excerpts for tag in e.annotation.tag_list}
        return sorted(shown.values(), key=lambda tag: tag.name)

    @property
    def compact(self) -> bool:
        """Too many outlets to stand side by side: one row per outlet instead (on every page
        of them alike)."""
        return self.column_count > SIDE_BY_SIDE_MAX

    @cached_property
    def mixed_languages(self) -> bool:
        # Read once per column by the template: cached, or 200 columns cost 40,000 reads.
        """The columns shown are in more than one language, so each names its own."""
        return len({column.language for column in self.columns if column.language}) > 1

    @property
    def filters_in_words(self) -> str:
        """The filters in words ("outlets: Harbour Wire; stance: disputes"), or "none"."""
        return filters_in_words(self.filters, self.outlets, self.tags)

    @property
    def timeline(self) -> list[Excerpt]:
        """Every excerpt in order of publication, undated ones last, then by outlet and
        place in the text (the order of ClaimExcerpts.timeline_page())."""
        return sorted(
            self.excerpts,
            key=lambda e: (
                e.article.published is None,
                e.article.published or datetime.date.min,
                e.article.outlet.name,
                e.article.outlet_id,
                e.annotation.start,
                e.annotation.pk,
            ),
        )


def context_in_window(annotation) -> tuple[str, str]:
    """The words before and after an anchored annotation in its sentence, from `context`:
    the text its query cut from `context_start` (queries.context_window()), never the
    article's whole text."""
    offset = annotation.context_start
    return sentence_context(annotation.context, annotation.start - offset, annotation.end - offset)


def compare(
    claim: Claim,
    annotations: list[Annotation],
    filters: Filters,
    *,
    story_outlets: list[Outlet],
    carrying: list[Outlet],
    tags: list,
    more: bool = False,
    page: Page | None = None,
    matching: list[int] | None = None,
) -> Comparison:
    """Lay out the claim's annotations that match the filters (the database chose them:
    queries.ClaimExcerpts) in a column per outlet, by first publication. `carrying` is every
    outlet with an annotation of the claim and `tags` every tag on them, whatever the
    filters; `more` says the listing stopped at its limit. When `annotations` are one
    `page` of them, `matching` holds the id of every outlet with a matching annotation."""
    by_outlet: dict[int, Column] = {}
    for annotation in annotations:
        if annotation.anchor_status == Annotation.AnchorStatus.ANCHORED:
            before, after = context_in_window(annotation)
        else:
            # In review or orphaned, its offsets point into an earlier text: the context
            # comes from what it stored, never from the current text at those offsets.
            before, after = stored_context(annotation)
        outlet = annotation.article.outlet
        by_outlet.setdefault(outlet.pk, Column(outlet)).excerpts.append(
            Excerpt(annotation, before, after)
        )
    columns = sorted(
        by_outlet.values(),
        key=lambda c: (
            c.first_published is None,
            c.first_published or datetime.date.min,
            c.outlet.name,
        ),
    )
    carrying_ids = {outlet.pk for outlet in carrying}
    matched = set(by_outlet if matching is None else matching)
    wanted = [o for o in story_outlets if not filters.outlets or o.slug in filters.outlets]
    return Comparison(
        claim=claim,
        filters=filters,
        columns=columns,
        not_covered=[o for o in wanted if o.pk not in carrying_ids],
        filtered_out=[o for o in wanted if o.pk in carrying_ids and o.pk not in matched],
        carrying=carrying,
        outlets=story_outlets,
        tags=tags,
        more=more,
        page=page,
        column_count=len(matched),
    )


def add_verbs(columns: list[Column], quotations) -> None:
    """Give each column the verbs of the quotations (article_id, start, end, verb) that its
    anchored excerpts overlap, each once, in the order of the text."""
    by_article: dict[int, list] = {}
    for quotation in quotations:
        by_article.setdefault(quotation[0], []).append(quotation)
    for column in columns:
        verbs: list[str] = []
        for excerpt in column.excerpts:
            if not excerpt.anchored:
                continue
            annotation = excerpt.annotation
            for _, start, end, verb in by_article.get(annotation.article_id, ()):
                if start < annotation.end and end > annotation.start and verb not in verbs:
                    verbs.append(verb)
        column.verbs = verbs


def filters_in_words(filters: Filters, outlets: list[Outlet], tags: list) -> str:
    """The filters in force as a reader would say them, names rather than slugs.

    A slug that names nothing here (a renamed outlet, a hand-edited link) is kept as it is:
    it still narrows what is shown.
    """
    outlet_names = {outlet.slug: outlet.name for outlet in outlets}
    tag_names = {tag.slug: tag.name for tag in tags}
    parts = []
    if filters.outlets:
        parts.append("outlets: " + ", ".join(outlet_names.get(s, s) for s in filters.outlets))
    if filters.tags:
        parts.append("tags: " + ", ".join(tag_names.get(s, s) for s in filters.tags))
    if filters.stance:
        parts.append("stance: " + Annotation.Stance(filters.stance).label.lower())
    return "; ".join(parts) if parts else "none"


def describe(comparison: Comparison) -> str:
    """A line for link previews that says what the page shows: which outlets carried the
    claim and how (those of the page shown, and how many more), or why nothing is shown."""
    carried = []
    labels = dict(Annotation.Stance.choices)
    for column in comparison.columns:
        stances = sorted(
            {
                labels.get(e.annotation.stance, e.annotation.stance).lower()
                for e in column.excerpts
                if e.annotation.stance
            }
        )
        name = column.outlet.name
        carried.append(f"{name} ({', '.join(stances)})" if stances else name)
    filters = comparison.filters
    if not carried and not comparison.carrying:
        return (
            "No outlet's wording of this claim is annotated yet. "
            f"Story: {comparison.claim.story.title}."
        )
    if not carried:
        # Only the filters hide the excerpts: the claim is annotated.
        count = len(comparison.carrying)
        carry = "1 outlet carries" if count == 1 else f"{count} outlets carry"
        return (
            f"No excerpt matches these filters ({comparison.filters_in_words}); {carry} this claim."
        )
    # A page of columns names its own outlets, and counts the others.
    count = max(comparison.column_count, len(carried))
    others = f"; and {count - len(carried)} more" if count > len(carried) else ""
    plural = "" if count == 1 else "s"
    text = f"How {count} outlet{plural} worded it: {'; '.join(carried)}{others}."
    if comparison.not_covered:
        text += f" Not covered by {', '.join(o.name for o in comparison.not_covered)}."
    if filters.active:
        text += f" Filters: {comparison.filters_in_words}."
    return text


EXPORT_COLUMNS = [
    "outlet",
    "outlet_slug",
    "article",
    "published",
    "original_url",
    "reader_url",
    "quote",
    "context_before",
    "context_after",
    "tags",
    "stance",
    "note",
]


def export_rows(comparison: Comparison, reader_url) -> list[dict]:
    """One plain dict per excerpt shown, for CSV and JSON export."""
    rows = []
    for column in comparison.columns:
        for excerpt in column.excerpts:
            annotation, article = excerpt.annotation, excerpt.article
            rows.append(
                {
                    "outlet": column.outlet.name,
                    "outlet_slug": column.outlet.slug,
                    "article": article.title,
                    "published": article.published.isoformat() if article.published else "",
                    "original_url": excerpt.original_url,
                    "reader_url": reader_url(annotation),
                    "quote": annotation.exact,
                    "context_before": excerpt.before,
                    "context_after": excerpt.after,
                    "tags": [tag.name for tag in annotation.tag_list],
                    "stance": annotation.stance,
                    "note": annotation.note,
                }
            )
    return rows
