"""Search: passages, claim statements and annotations (quote and note), with facets.

`Search` is the query object the search page and its exports share: it parses the
query (sources.text.query), widens names to their variants (NameVariants), finds
the hits in the database's own full-text index (parallax.fulltext: PostgreSQL's
tsvectors, SQLite's FTS5), filters, counts and ranks them there, and reads only the
rows a page shows (a passage's words are cut from its article's text in SQL;
no article text is ever loaded whole).

Counts, ranking and facets are over the hits, never a whole table, and over at
most COUNT_LIMIT of them: past that the page says "over 2,000", and the facets are
counted over a SAMPLE of them and said to be estimates.
"""

import html
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils.safestring import mark_safe

from annotations.models import Annotation, Claim, NameVariants
from parallax.fulltext import configs_in_use
from reading import addresses
from sources.models import Passage
from sources.text.query import Query, Term, fts5_expression, parse

GROUPS = ("passages", "claims", "annotations")
GROUP_LABELS = {"passages": "Passages", "claims": "Claims", "annotations": "Annotations"}
PAGE_SIZE = 20
# Hits counted (and faceted) at most; past it counts are estimates.
COUNT_LIMIT = 2_000
FACET_VALUES = 12
# Exports hold at most this many hits (the page says so).
EXPORT_LIMIT = 5_000
# Private-use characters mark the matched words in snippets: html-escaped text cannot
# hold them, so marks are put in after escaping (and removed from the text first).
MARK_START, MARK_END = "\ue000", "\ue001"
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=45, MinWords=20, "
    'ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)
SNIPPET_TOKENS = 40
# What the match of every group gives: id, rank, story_id (claims; else found through the
# article), article_id, kind (passages), p_start, p_end (a passage's place).
FOUND_COLUMNS = "h.id, h.rank, h.story_id, h.article_id, h.kind, h.p_start, h.p_end"
# Past COUNT_LIMIT hits, ranking and facets are over the first SAMPLE of them (and the
# page says the counts are estimates): the hits are not all read with their articles.
SAMPLE = 1_000
KIND_LABELS = dict(Passage.Kind.choices)


@dataclass(frozen=True)
class Filters:
    """Facet filters, as they stand in the URL (slugs, kinds, years)."""

    story: str = ""
    outlet: str = ""
    kind: str = ""
    year: int | None = None
    tag: str = ""
    # Not from the URL: "the story's other articles" leaves out the one being read.
    exclude_article: int | None = None

    @classmethod
    def from_query(cls, params) -> "Filters":
        year = params.get("year", "")
        return cls(
            story=params.get("story", "")[:100],
            outlet=params.get("outlet", "")[:100],
            kind=params.get("kind", "") if params.get("kind") in Passage.Kind.values else "",
            year=int(year) if year.isdigit() and 1000 <= int(year) <= 3000 else None,
            tag=params.get("tag", "")[:100],
        )

    def items(self) -> list[tuple[str, str]]:
        values = {
            "story": self.story,
            "outlet": self.outlet,
            "kind": self.kind,
            "year": str(self.year or ""),
            "tag": self.tag,
        }
        return [(name, value) for name, value in values.items() if value]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    active: bool = False


@dataclass
class Hit:
    """One result of `group`; `snippet` is safe HTML with the matches marked."""

    group: str
    id: int
    rank: float
    snippet: str = ""
    passage: dict | None = None
    claim: Claim | None = None
    annotation: Annotation | None = None


@dataclass
class Results:
    hits: list[Hit]
    total: int
    estimated: bool
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    group_totals: dict[str, tuple[int, bool]] = field(default_factory=dict)


# PostgreSQL's ts_headline drops what its parser takes for HTML tags and entities; the
# text is the outlet's, exactly, so "<" and "&" go through it disguised.
LESS_THAN, AMPERSAND = "\ue002", "\ue003"


def marked(text: str) -> str:
    """Snippet text with the database's match marks, as safe HTML with <mark>."""
    text = (text or "").replace(LESS_THAN, "<").replace(AMPERSAND, "&")
    escaped = html.escape(text, quote=False)
    return mark_safe(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _strip_marks(sql: str) -> str:
    """The SQL text without our private marks, and with "<" and "&" disguised."""
    for char in (MARK_START, MARK_END, LESS_THAN, AMPERSAND):
        sql = f"replace({sql}, '{char}', '')"
    return f"replace(replace({sql}, '<', '{LESS_THAN}'), '&', '{AMPERSAND}')"


class Search:
    """One search: the query as typed, the group shown, the filters, who asks."""

    def __init__(self, text: str, *, group: str = "passages", filters=None, editor=False):
        self.text = text or ""
        self.group = group if group in GROUPS else "passages"
        self.filters = filters or Filters()
        self.editor = editor
        self.query: Query = parse(self.text)
        self.backend = _backend()

    def widen(self) -> Query:
        """The query with every name widened to its variants (one query, once)."""
        if not hasattr(self, "_widened"):
            self._widened = (
                self.query.expand(NameVariants.lookup()) if not self.query.empty else self.query
            )
        return self._widened

    @property
    def empty(self) -> bool:
        return self.query.empty

    def results(self, page: int = 1, size: int = PAGE_SIZE) -> Results:
        """The page's hits, the total and facets of the shown group, and the totals of the
        others: one statement (after the name variants), in which the group's hits are
        found once; two more for the objects of claim or note hits."""
        if self.empty:
            return Results([], 0, False)
        query = self.widen()
        with_sql, params, rows_sql, rows_params = self._page_sql(query, page, size)
        others = [group for group in GROUPS if group != self.group]
        counts, count_params = [], []
        for group in others:
            match_sql, match_params = self._match(query, group)
            counts.append(f"(SELECT count(*) FROM ({match_sql} LIMIT {COUNT_LIMIT + 1}) c)")
            count_params += match_params
        backend = self.backend
        sql = (
            f"{with_sql}SELECT {backend.json_rows(rows_sql, _ROW_WIDTH[self.group])}, "
            f"{backend.json_rows(self._facets_sql(), 4)}, {', '.join(counts)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *rows_params, *count_params])
            rows, facet_rows, *other_counts = cursor.fetchone()
        hits = self._hits(_json(rows))
        facets, total = self._facets(_json(facet_rows))
        totals = {self.group: (min(total, COUNT_LIMIT), total > COUNT_LIMIT)}
        for group, n in zip(others, other_counts, strict=True):
            totals[group] = (min(n, COUNT_LIMIT), n > COUNT_LIMIT)
        return Results(hits, min(total, COUNT_LIMIT), total > COUNT_LIMIT, facets, totals)

    def best(self, limit: int) -> list[Hit]:
        """The first `limit` hits, best first, without facets or totals (the exports'
        rows, and what "find it in the other outlets" offers)."""
        if self.empty:
            return []
        with_sql, params, rows_sql, rows_params = self._page_sql(self.widen(), 1, limit)
        with connection.cursor() as cursor:
            cursor.execute(with_sql + rows_sql, [*params, *rows_params])
            return self._hits(cursor.fetchall())

    def ids_sql(self, group: str) -> tuple[str, list]:
        """A SELECT of the ids of all the group's hits (uncapped, unordered), and its
        params: for other listings to filter by (the claims index)."""
        ctes, params = self.backend.ctes(self.widen())
        match_sql, match_params = self._match(self.widen(), group)
        return f"{_with(ctes)}SELECT h.id FROM ({match_sql}) h", [*params, *match_params]

    # -- SQL -------------------------------------------------------------------
    #
    # A statement starts from the backend's CTEs (PostgreSQL's tsqueries), then `found`:
    # the group's hits, filtered and capped at COUNT_LIMIT + 1 rows, which give the total
    # and the ranked page; then `hits`, those counted by facet. A word found in half the
    # passages costs little more than one found COUNT_LIMIT times.

    def _match(self, query: Query, group: str) -> tuple[str, list]:
        """The group's hits, filtered, with their FOUND_COLUMNS."""
        match_sql, match_params = self.backend.match(query, group, self.editor)
        where, where_params = _filter_sql(self.filters, group)
        sql = f"SELECT {FOUND_COLUMNS} FROM ({match_sql}) h"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql, [*match_params, *where_params]

    def _with_hits(self, query: Query, group: str) -> tuple[str, list]:
        """ "WITH …, found AS (…), hits AS (…) " and its params: `found` holds up to
        COUNT_LIMIT + 1 hits (its count is the total), `hits` those counted by facet,
        with their stories, outlets and years: all of `found`, or its first SAMPLE rows
        when there are more than COUNT_LIMIT."""
        ctes, params = self.backend.ctes(query)
        match_sql, match_params = self._match(query, group)
        ctes.append(f"found AS (SELECT f.* FROM ({match_sql}) f LIMIT {COUNT_LIMIT + 1})")
        ctes.append(
            "hits AS (SELECT h.id, h.rank, coalesce(h.story_id, a.story_id) AS story_id, "
            f"a.outlet_id AS outlet_id, h.kind, {self.backend.year('a.published')} AS year, "
            "h.article_id, h.p_start, h.p_end FROM (SELECT * FROM found "
            f"LIMIT (CASE WHEN (SELECT count(*) FROM found) > {COUNT_LIMIT} "
            f"THEN {SAMPLE} ELSE {COUNT_LIMIT + 1} END)) h "
            "LEFT JOIN sources_article a ON a.id = h.article_id)"
        )
        return _with(ctes), [*params, *match_params]

    def _page_sql(self, query: Query, page: int, size: int) -> tuple[str, list, str, list]:
        """The WITH clause (hits, then `page`: one page of those found, best first) and
        its params; the SELECT of the page's rows with their snippets, and its params."""
        with_sql, params = self._with_hits(query, self.group)
        with_sql = with_sql[:-1] + (
            ", page AS (SELECT id, rank FROM found ORDER BY rank DESC, id LIMIT %s OFFSET %s) "
        )
        params += [size, (max(page, 1) - 1) * size]
        rows_sql, rows_params = self.backend.page_rows(query, self.group)
        return with_sql, params, rows_sql, rows_params

    def _hits(self, rows) -> list[Hit]:
        """Hits from the page's rows (best first), with the claims or notes they are."""
        rows = sorted(rows, key=lambda row: (-row[1], row[0]))
        if self.group == "passages":
            return [_passage_hit(row) for row in rows]
        ranks = {row[0]: (row[1], row[2]) for row in rows}
        if self.group == "claims":
            objects = Claim.objects.select_related("story").in_bulk(list(ranks))
            return [
                Hit("claims", pk, ranks[pk][0], marked(ranks[pk][1]), claim=objects[pk])
                for pk in ranks
                if pk in objects
            ]
        objects = (
            Annotation.objects.with_details()
            .select_related("article__outlet", "article__story")
            .defer("article__text", "article__raw")
            .in_bulk(list(ranks))
        )
        return [
            Hit("annotations", pk, ranks[pk][0], marked(ranks[pk][1]), annotation=objects[pk])
            for pk in ranks
            if pk in objects
        ]

    def _facets_sql(self) -> str:
        """(facet, value, label, count) rows over `hits`, and ("total", "", "", n)."""
        parts = ["SELECT 'total' AS c0, '' AS c1, '' AS c2, count(*) AS c3 FROM found"]
        if self.group == "claims":
            # A claim's outlets and tags are those of its live annotations.
            parts.append(
                "SELECT 'outlet', o.slug, o.name, count(DISTINCT h.id) FROM hits h "
                "JOIN annotations_annotation an ON an.claim_id = h.id "
                "JOIN sources_article a ON a.id = an.article_id "
                "JOIN sources_outlet o ON o.id = a.outlet_id "
                "WHERE an.deleted IS NULL GROUP BY o.slug, o.name"
            )
        else:
            parts.append(
                "SELECT 'outlet', o.slug, o.name, count(*) FROM hits h "
                "JOIN sources_outlet o ON o.id = h.outlet_id GROUP BY o.slug, o.name"
            )
            parts.append(
                "SELECT 'year', CAST(h.year AS TEXT), CAST(h.year AS TEXT), count(*) "
                "FROM hits h WHERE h.year IS NOT NULL GROUP BY h.year"
            )
        parts.append(
            "SELECT 'tag', t.slug, t.name, count(DISTINCT h.id) FROM hits h "
            f"JOIN annotations_annotation an ON {_tag_join(self.group)} "
            "JOIN annotations_taggedannotation ta ON ta.content_object_id = an.id "
            "JOIN annotations_tag t ON t.id = ta.tag_id "
            "WHERE an.deleted IS NULL GROUP BY t.slug, t.name"
        )
        if self.group == "passages":
            parts.append("SELECT 'kind', h.kind, h.kind, count(*) FROM hits h GROUP BY h.kind")
        parts.append(
            "SELECT 'story', s.slug, s.title, count(*) FROM hits h "
            "JOIN sources_story s ON s.id = h.story_id GROUP BY s.slug, s.title"
        )
        return " UNION ALL ".join(parts)

    def _facets(self, rows) -> tuple[dict[str, list[FacetValue]], int]:
        facets: dict[str, list[FacetValue]] = defaultdict(list)
        total = 0
        active = dict(self.filters.items())
        for facet, value, label, count in rows:
            if facet == "total":
                total = count
                continue
            if facet == "kind":
                label = KIND_LABELS.get(value, value)
            value = str(value)
            facets[facet].append(FacetValue(value, label, count, active.get(facet) == value))
        for values in facets.values():
            values.sort(key=lambda v: (-v.count, v.label))
            del values[FACET_VALUES:]
        if "year" in facets:
            facets["year"].sort(key=lambda v: v.value, reverse=True)
        return dict(facets), total


def _with(ctes: list[str]) -> str:
    return "WITH " + ", ".join(ctes) + " " if ctes else ""


def _json(value) -> list:
    """A JSON array from the database: PostgreSQL's driver decodes it, SQLite's does not."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _tag_join(group: str) -> str:
    """The annotations whose tags count for a hit: its own (an annotation note), those
    under it (a claim), or the live ones on the current text that overlap the passage."""
    if group == "annotations":
        return "an.id = h.id"
    if group == "claims":
        return "an.claim_id = h.id"
    return (
        'an.article_id = h.article_id AND an.start < h.p_end AND an."end" > h.p_start '
        "AND an.anchor_status = 'anchored'"
    )


def _filter_sql(filters: Filters, group: str) -> tuple[list[str], list]:
    """Conditions on a group's found hits (FOUND_COLUMNS): through their articles, so that
    the hits are not joined to their articles before they are counted. A claim is in an
    outlet, and has a tag, through its live annotations."""
    where, params = [], []
    by_article = "h.article_id IN (SELECT id FROM sources_article WHERE {})"
    outlet = "(SELECT id FROM sources_outlet WHERE slug = %s)"
    if filters.story:
        story = "(SELECT id FROM sources_story WHERE slug = %s)"
        if group == "claims":
            where.append(f"h.story_id = {story}")
        else:
            where.append(by_article.format(f"story_id = {story}"))
        params.append(filters.story)
    if filters.outlet:
        if group == "claims":
            where.append(
                "EXISTS (SELECT 1 FROM annotations_annotation an "
                "JOIN sources_article a ON a.id = an.article_id "
                f"WHERE an.claim_id = h.id AND an.deleted IS NULL AND a.outlet_id = {outlet})"
            )
        else:
            where.append(by_article.format(f"outlet_id = {outlet}"))
        params.append(filters.outlet)
    if filters.tag:
        where.append(
            "EXISTS (SELECT 1 FROM annotations_annotation an "
            "JOIN annotations_taggedannotation ta ON ta.content_object_id = an.id "
            "JOIN annotations_tag t ON t.id = ta.tag_id "
            f"WHERE {_tag_join(group)} AND an.deleted IS NULL AND t.slug = %s)"
        )
        params.append(filters.tag)
    if group == "claims":
        return where, params
    if filters.year:
        where.append(by_article.format("published >= %s AND published < %s"))
        params += [date(filters.year, 1, 1), date(filters.year + 1, 1, 1)]
    if filters.kind and group == "passages":
        where.append("h.kind = %s")
        params.append(filters.kind)
    if filters.exclude_article:
        where.append("h.article_id <> %s")
        params.append(filters.exclude_article)
    return where, params


def _passage_hit(row) -> Hit:
    (
        pk,
        rank,
        snippet,
        ordinal,
        kind,
        article_id,
        title,
        published,
        outlet,
        outlet_slug,
        story,
        story_slug,
        start,
    ) = row
    if isinstance(published, str):
        published = date.fromisoformat(published)
    return Hit(
        "passages",
        pk,
        rank,
        marked(snippet),
        passage={
            "ordinal": ordinal,
            "kind": kind,
            "kind_label": KIND_LABELS.get(kind, kind),
            "start": start,
            "article_id": article_id,
            "url": addresses.article(article_id) + f"#p{ordinal}",
            "title": title,
            "published": published,
            "outlet": outlet,
            "outlet_slug": outlet_slug,
            "story": story,
            "story_slug": story_slug,
        },
    )


# -- backends -------------------------------------------------------------------


def _columns(width: int) -> str:
    return ", ".join(f"r.c{n}" for n in range(width))


class _PostgreSQL:
    """PostgreSQL: tsvector columns in each row's configuration.

    The rows are found by the query's positive part in every configuration in use,
    ORed, as constants (so the planner can weigh a rare word, for the GIN index,
    against a common one, for a scan that stops at COUNT_LIMIT); each is then checked
    against its own configuration's whole query (`q`, exclusions included)."""

    def __init__(self):
        self._configs: list[str] | None = None

    def configs(self) -> list[str]:
        if self._configs is None:
            self._configs = configs_in_use(connection)
        return self._configs

    def json_rows(self, sql: str, width: int) -> str:
        """A scalar subquery: the rows of `sql` (columns c0…) as one JSON array of arrays."""
        return f"(SELECT json_agg(json_build_array({_columns(width)})) FROM ({sql}) r)"

    def ctes(self, query: Query) -> tuple[list[str], list]:
        expression, params = _tsquery(query, "cfg")
        return (
            [f"q AS (SELECT cfg, {expression} AS query FROM unnest(%s::regconfig[]) AS cfg)"],
            [*params, self.configs()],
        )

    def match(self, query: Query, group: str, editor: bool) -> tuple[str, list]:
        table, alias = _TABLES[group]
        positive, params = [], []
        for config in self.configs():
            sql, config_params = _tsquery(query, "%s::regconfig", positive_only=True)
            positive.append(sql)
            params += [p for param in config_params for p in (config, param)]
        # Each row's own whole query, picked by its configuration: an uncorrelated
        # subquery of `q` per configuration, which the database evaluates once.
        own = (
            f"CASE {alias}.search_config "
            + " ".join(
                "WHEN %s::regconfig THEN (SELECT query FROM q WHERE cfg = %s::regconfig)"
                for _ in self.configs()
            )
            + " END"
        )
        own_params = [c for config in self.configs() for c in (config, config)]
        # ts_match_vq is @@ by its function name: the planner does not take it for an
        # index condition; the positive part is the one it can use.
        condition = _CONDITION[group](editor)
        return (
            f"SELECT {alias}.id AS id, ts_rank_cd({alias}.search_vector, {own}) AS rank, "
            f"{_FOUND[group]} FROM {table} {alias} "
            f"WHERE {alias}.search_vector @@ ({' || '.join(positive)}) "
            f"AND ts_match_vq({alias}.search_vector, {own})"
            + (f" AND {condition}" if condition else ""),
            [*own_params, *params, *own_params],
        )

    def year(self, column: str) -> str:
        return f"CAST(EXTRACT(YEAR FROM {column}) AS integer)"

    def page_rows(self, query: Query, group: str) -> tuple[str, list]:
        """The page's rows with their snippets (ts_headline only for these)."""
        table, alias = _TABLES[group]
        headline = f"ts_headline(q.cfg, {_strip_marks(_SNIPPET_TEXT[group])}, q.query, %s)"
        joins = (
            f"FROM page JOIN {table} {alias} ON {alias}.id = page.id "
            f"JOIN q ON q.cfg = {alias}.search_config "
        )
        if group == "passages":
            return (
                f"{_ROW_START}{headline} AS c2, {_PASSAGE_COLUMNS} {joins}"
                f"{_PASSAGE_JOINS}ORDER BY page.rank DESC, page.id",
                [HEADLINE_OPTIONS],
            )
        if group == "annotations":
            joins += "JOIN sources_article a ON a.id = an.article_id "
        return (
            f"{_ROW_START}{headline} AS c2 {joins}ORDER BY page.rank DESC, page.id",
            [HEADLINE_OPTIONS],
        )


# Each group's FOUND_COLUMNS after id and rank, and which of its rows count.
_FOUND = {
    "passages": "CAST(NULL AS bigint) AS story_id, p.article_id AS article_id, "
    'p.kind AS kind, p.start AS p_start, p."end" AS p_end',
    "claims": "c.story_id AS story_id, CAST(NULL AS bigint) AS article_id, "
    "CAST(NULL AS varchar) AS kind, CAST(NULL AS integer) AS p_start, "
    "CAST(NULL AS integer) AS p_end",
    "annotations": "CAST(NULL AS bigint) AS story_id, an.article_id AS article_id, "
    "CAST(NULL AS varchar) AS kind, CAST(NULL AS integer) AS p_start, "
    "CAST(NULL AS integer) AS p_end",
}
_CONDITION = {
    "passages": lambda editor: "",
    # Drafts only for editors.
    "claims": lambda editor: "" if editor else "c.status = 'published'",
    "annotations": lambda editor: "an.deleted IS NULL",
}
_TABLES = {
    "passages": ("sources_passage", "p"),
    "claims": ("annotations_claim", "c"),
    "annotations": ("annotations_annotation", "an"),
}
# The text a hit's snippet is cut from (passages: their words in the article's text).
_SNIPPET_TEXT = {
    "passages": 'substr(a.text, p.start + 1, p."end" - p.start)',
    "claims": "c.statement",
    "annotations": "an.note",
}
_PASSAGE_COLUMNS = (
    "p.ordinal AS c3, p.kind AS c4, a.id AS c5, a.title AS c6, a.published AS c7, "
    "o.name AS c8, o.slug AS c9, s.title AS c10, s.slug AS c11, p.start AS c12"
)
# Columns of a page's rows: id, rank, snippet (c0, c1, c2), then a passage's own.
_ROW_WIDTH = {"passages": 13, "claims": 3, "annotations": 3}
_ROW_START = "SELECT page.id AS c0, page.rank AS c1, "
_PASSAGE_JOINS = (
    "JOIN sources_article a ON a.id = p.article_id "
    "JOIN sources_outlet o ON o.id = a.outlet_id "
    "JOIN sources_story s ON s.id = a.story_id "
)


def _tsquery(query: Query, config: str, positive_only: bool = False) -> tuple[str, list]:
    """The query as a tsquery in the configuration `config` (SQL), and its params: each
    term a websearch_to_tsquery of its unaccented words (a phrase in quotes), || within
    a clause, && between clauses, and && !! for each exclusion (unless positive_only).
    With config "%s::regconfig", each term's params are (configuration, words)."""
    params: list = []

    def leaf(term: Term) -> str:
        params.append(f'"{term.text}"' if term.phrase else term.text)
        return f"websearch_to_tsquery({config}, parallax_unaccent(%s))"

    expression = " && ".join(
        "(" + " || ".join(leaf(term) for term in clause.terms) + ")" for clause in query.clauses
    )
    if not positive_only:
        for term in query.excluded:
            expression = f"({expression} && !!{leaf(term)})"
    return expression, params


class _SQLite:
    """SQLite: FTS5 tables beside the rows, an FTS5 expression for the query."""

    def json_rows(self, sql: str, width: int) -> str:
        return f"(SELECT json_group_array(json_array({_columns(width)})) FROM ({sql}) r)"

    def ctes(self, query: Query) -> tuple[list[str], list]:
        return [], []

    def match(self, query: Query, group: str, editor: bool) -> tuple[str, list]:
        table, alias = _TABLES[group]
        fts = f"{table}_fts"
        found = f"FROM {fts} JOIN {table} {alias} ON {alias}.id = {fts}.rowid "
        rank = f"-bm25({fts}) AS rank"
        condition = _CONDITION[group](editor)
        where = f"WHERE {fts} MATCH %s" + (f" AND {condition}" if condition else "")
        return (
            f"SELECT {alias}.id AS id, {rank}, {_FOUND[group]} {found}{where}",
            [fts5_expression(query)],
        )

    def year(self, column: str) -> str:
        return f"CAST(strftime('%%Y', {column}) AS integer)"

    def page_rows(self, query: Query, group: str) -> tuple[str, list]:
        """The page's rows with their snippets: the FTS table is matched again, for these
        rows only (snippet() needs the match)."""
        table, alias = _TABLES[group]
        fts = f"{table}_fts"
        snippet = f"snippet({fts}, 0, char(57344), char(57345), ' … ', {SNIPPET_TOKENS})"
        joins = (
            f"FROM page JOIN {fts} ON {fts}.rowid = page.id "
            f"JOIN {table} {alias} ON {alias}.id = page.id "
        )
        where = f"WHERE {fts} MATCH %s ORDER BY page.rank DESC, page.id"
        if group == "passages":
            return (
                f"{_ROW_START}{snippet} AS c2, {_PASSAGE_COLUMNS} {joins}{_PASSAGE_JOINS}{where}",
                [fts5_expression(query)],
            )
        return f"{_ROW_START}{snippet} AS c2 {joins}{where}", [fts5_expression(query)]


def _backend():
    return _PostgreSQL() if connection.vendor == "postgresql" else _SQLite()
