"""One claim, every outlet's wording of it: columns, filters, timeline and export rows."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from annotations.models import Annotation, Claim
from sources.models import Outlet
from sources.text.context import sentence_context, text_fragment

STANCES = [value for value, _ in Annotation.Stance.choices]


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

    def matches(self, annotation: Annotation) -> bool:
        if self.outlets and annotation.article.outlet.slug not in self.outlets:
            return False
        if self.stance and annotation.stance != self.stance:
            return False
        return not self.tags or any(tag.slug in self.tags for tag in annotation.tag_list)


@dataclass
class Excerpt:
    annotation: Annotation
    before: str
    after: str

    @property
    def article(self):
        return self.annotation.article

    @property
    def original_url(self) -> str:
        """The original article, scrolled to the quoted words where browsers can."""
        url = self.article.url
        return url + text_fragment(self.annotation.exact) if url else ""


@dataclass
class Column:
    outlet: Outlet
    excerpts: list[Excerpt] = field(default_factory=list)

    @property
    def first_published(self) -> datetime.date | None:
        dates = [e.article.published for e in self.excerpts if e.article.published]
        return min(dates) if dates else None


@dataclass
class Comparison:
    claim: Claim
    filters: Filters
    columns: list[Column]
    # Outlets of the story that carry no annotation of the claim.
    not_covered: list[Outlet]
    # Outlets that carry the claim, but with no excerpt matching the filters.
    filtered_out: list[Outlet]
    # For the filter controls: every outlet of the story and every tag used on the claim.
    outlets: list[Outlet]
    tags: list

    @property
    def excerpts(self) -> list[Excerpt]:
        return [excerpt for column in self.columns for excerpt in column.excerpts]

    @property
    def timeline(self) -> list[Excerpt]:
        """Every excerpt in order of publication, undated ones last."""
        return sorted(
            self.excerpts,
            key=lambda e: (e.article.published is None, e.article.published or datetime.date.min),
        )


def compare(
    claim: Claim, annotations: list[Annotation], story_outlets: list[Outlet], filters: Filters
) -> Comparison:
    """Lay out the claim's annotations in a column per outlet, by first publication."""
    by_outlet: dict[int, Column] = {}
    carrying: dict[int, Outlet] = {}
    tags: dict[int, object] = {}
    for annotation in annotations:
        outlet = annotation.article.outlet
        carrying[outlet.pk] = outlet
        for tag in annotation.tag_list:
            tags[tag.pk] = tag
        if not filters.matches(annotation):
            continue
        text = annotation.article.text
        before, after = sentence_context(text, annotation.start, annotation.end)
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
    wanted = [o for o in story_outlets if not filters.outlets or o.slug in filters.outlets]
    return Comparison(
        claim=claim,
        filters=filters,
        columns=columns,
        not_covered=[o for o in wanted if o.pk not in carrying],
        filtered_out=[o for o in wanted if o.pk in carrying and o.pk not in by_outlet],
        outlets=story_outlets,
        tags=sorted(tags.values(), key=lambda tag: tag.name),
    )


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
