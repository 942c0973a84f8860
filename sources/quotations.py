"""Quotations found in articles' texts, and the traces that group the same words quoted by
different outlets.

extract() finds an article's quotations again from its text (sources.text.quotations) and
stores them with their hashed word runs; trace() looks up, for each quotation, those of
other articles that share runs with it (a B-tree index lookup, bounded per run), keeps the
ones whose words are the same (sources.text.tracing.same_words) and puts them in one trace.
It works on a batch of quotations at a time (an import's, a correction's): one lookup
query for many quotations, which find each other too, the traces worked out in memory and
written in a few statements. The same code runs on SQLite and PostgreSQL, but for the
lookup's SQL, which PostgreSQL has its own of (the same rows). Editors' decisions
(QuotationDecision) are applied again by every extraction and every tracing.
"""

import hashlib
import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, Value, When
from django.utils.text import slugify

from sources.models import Article, Quotation, QuotationDecision, QuotationShingle, Trace
from sources.text.quotations import find_quotations
from sources.text.tracing import candidate_threshold, same_words, shingles, words

# A run of words shared by more quotations than this is a commonplace ("one of the"): the
# lookup reads this many of them and relies on the quotation's rarer runs for the rest.
PER_SHINGLE = 200
# At most this many candidates are compared word by word, those sharing most runs first.
MAX_CANDIDATES = 20
BATCH = 500
# Quotations looked up in one query. More share so many commonplace pairs that the query's
# sort outgrows PostgreSQL's default work_mem and goes to disk: on the bench's million
# quotations, 0.7 ms a quotation at 50, 0.95 at 100 or more, 1.25 one at a time.
LOOKUP = 50


def quotation_key(text: str) -> str:
    """The quoted words' identity, the same in every extraction of the same words: what an
    editor's decisions are kept by."""
    normal = " ".join(words(text))
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=16).hexdigest()


def _latest_values(article: Article) -> dict[tuple[str, str], str]:
    """(kind, key) -> value of the latest speaker and verb decisions about the article."""
    decisions = QuotationDecision.objects.filter(
        article=article, kind__in=[QuotationDecision.Kind.SPEAKER, QuotationDecision.Kind.VERB]
    ).order_by("created", "pk")
    return {(d.kind, d.key): d.value for d in decisions}


def extract(article: Article) -> list[Quotation]:
    """Find the article's quotations in its current text and store them (the earlier ones
    and their runs go; a trace left with fewer than two quotations goes too). Editors'
    corrections of speaker and verb apply again. Not traced: see trace().

    A new article's quotations take four queries: its earlier quotations (none), the
    editors' decisions, the quotations and their runs."""
    language = article.language or article.outlet.language
    found = find_quotations(article.text, language or "en")
    # No savepoint of its own (two queries an article at import): inside an import's or a
    # correction's transaction, a failure here undoes the caller's work as well.
    with transaction.atomic(savepoint=False):
        old_traces = list(
            Quotation.objects.filter(article=article).order_by().values_list("trace_id", flat=True)
        )
        if old_traces:
            Quotation.objects.filter(article=article).delete()
        values = _latest_values(article) if found else {}
        rows = _rows(article, found, values)
        Quotation.objects.bulk_create(rows, batch_size=BATCH)
        _store_runs((row.pk, value) for row in rows for value in shingles(row.text))
        drop_lone_traces(trace_id for trace_id in old_traces if trace_id)
    return rows


def extract_new(articles: Iterable[Article]) -> list[Quotation]:
    """extract() of articles just created, all at once: a new article has no quotations
    and no editors' decisions yet, so those two queries are left out and the rows of all
    the articles take two statements (the quotations, then their runs) instead of four
    queries an article. The importer writes each batch of new articles with it."""
    rows = []
    for article in articles:
        language = article.language or article.outlet.language
        rows += _rows(article, find_quotations(article.text, language or "en"), {})
    with transaction.atomic(savepoint=False):
        Quotation.objects.bulk_create(rows, batch_size=BATCH)
        _store_runs((row.pk, value) for row in rows for value in shingles(row.text))
    return rows


def _rows(article: Article, found, values: dict[tuple[str, str], str]) -> list[Quotation]:
    """Unsaved Quotation rows for what find_quotations found, editors' speakers and verbs
    (`values`, see _latest_values) applied."""
    rows = []
    for quotation in found:
        key = quotation_key(quotation.text)
        speaker = values.get((QuotationDecision.Kind.SPEAKER, key), quotation.speaker)
        rows.append(
            Quotation(
                article=article,
                start=quotation.start,
                end=quotation.end,
                spans=[list(span) for span in quotation.spans],
                text=quotation.text,
                speaker=speaker[:200],
                speaker_slug=slugify(speaker, allow_unicode=True)[:200],
                speaker_as_written=quotation.speaker_as_written[:200],
                verb=values.get((QuotationDecision.Kind.VERB, key), quotation.verb)[:100],
                key=key,
            )
        )
    return rows


def _store_runs(runs: Iterable[tuple[int, int]]) -> None:
    """Insert (quotation id, hash) rows, BATCH * 10 a statement: an article has a hundred
    or more, and model instances would cost more than the insert."""
    table = QuotationShingle._meta.db_table
    runs = list(runs)
    if not runs:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two array parameters, however many rows: a VALUES list of ten thousand
            # parameters takes twice as long to send, parse and plan (bench/imports.py).
            cursor.execute(
                f"INSERT INTO {table} (quotation_id, hash) "
                "SELECT * FROM UNNEST(%s::bigint[], %s::bigint[])",
                [integer_array(run[0] for run in runs), integer_array(run[1] for run in runs)],
            )
            return
        for start in range(0, len(runs), BATCH * 10):
            chunk = runs[start : start + BATCH * 10]
            cursor.execute(
                f"INSERT INTO {table} (quotation_id, hash) VALUES "
                + ", ".join(["(%s, %s)"] * len(chunk)),
                [value for run in chunk for value in run],
            )


def drop_lone_traces(trace_ids: Iterable[int]) -> None:
    """Delete the traces among `trace_ids` that hold fewer than two quotations (their last
    quotation stands alone again): at most three queries."""
    trace_ids = set(trace_ids)
    if not trace_ids:
        return
    kept = (
        Quotation.objects.filter(trace__in=trace_ids)
        .order_by()
        .values("trace")
        .annotate(members=Count("pk"))
        .filter(members__gte=2)
        .values_list("trace", flat=True)
    )
    lone = trace_ids - set(kept)
    if lone:
        Quotation.objects.filter(trace__in=lone).update(trace=None)
        Trace.objects.filter(pk__in=lone).delete()


@dataclass(frozen=True)
class _Candidate:
    pk: int
    article_id: int
    key: str
    text: str
    trace_id: int | None


# The last of a run's first PER_SHINGLE quotations, or this when it has fewer.
_NO_BOUND = 2**63 - 1


def candidates_sql(quotation: Quotation) -> tuple[str, list]:
    """The lookup of candidates() as SQL and its params: batch_candidates_sql() of one
    quotation. `quotation` must have at least one shingle."""
    return batch_candidates_sql([quotation])


def batch_candidates_sql(quotations: list[Quotation]) -> tuple[str, list]:
    """The lookup of batch_candidates() as SQL and its params. At least one of
    `quotations` must have a shingle."""
    return _lookup_sql([(q.article_id, shingles(q.text)) for q in quotations])


def _lookup_sql(lookups: list[tuple[int, list[int]]]) -> tuple[str, list]:
    """The candidates of each (article id, shingles) in one query: each distinct word pair
    read once, as an index range cut at its first PER_SHINGLE rows; the pairs each lookup
    shares with each stored quotation added up; those of other articles sharing enough
    (candidate_threshold of the lookup's pairs), at most MAX_CANDIDATES a lookup,
    returned as (index in `lookups`, id, article_id, key, text, trace_id), those sharing
    most first (ties: the oldest). Lookups without shingles find nothing.

    PostgreSQL gets its own SQL (_postgresql_lookup_sql), SQLite the portable one, which
    PostgreSQL would run too, with the same rows (tests/sources/test_quotations.py)."""
    runs: list[tuple[int, int]] = []
    quoting: list[tuple[int, int, int]] = []
    for n, (article_id, hashes) in enumerate(lookups):
        if hashes:
            runs.extend((n, value) for value in hashes)
            quoting.append((n, article_id, candidate_threshold(len(hashes))))
    if connection.vendor == "postgresql":
        return _postgresql_lookup_sql(runs, quoting)
    return _portable_lookup_sql(runs, quoting)


def _portable_lookup_sql(
    runs: list[tuple[int, int]], quoting: list[tuple[int, int, int]]
) -> tuple[str, list]:
    """_lookup_sql() for any database: its inputs as VALUES lists, SQL that SQLite reads."""
    probes = sorted({value for _, value in runs})
    shingle, quotation = QuotationShingle._meta.db_table, Quotation._meta.db_table

    def rows(width: int, count: int) -> str:
        return ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * count)

    sql = (
        f"WITH runs (n, hash) AS (VALUES {rows(2, len(runs))}), "
        f"quoting (n, article_id, needed) AS (VALUES {rows(3, len(quoting))}), "
        f"probes (hash) AS (VALUES {rows(1, len(probes))}), "
        # A pair's index range up to the last of its first PER_SHINGLE quotations: a
        # commonplace pair reads no more than that.
        "hits (hash, quotation_id) AS ("
        f"SELECT s.hash, s.quotation_id FROM probes p JOIN {shingle} s ON s.hash = p.hash "
        f"AND s.quotation_id <= COALESCE((SELECT l.quotation_id FROM {shingle} l "
        f"WHERE l.hash = p.hash ORDER BY l.quotation_id LIMIT 1 OFFSET {PER_SHINGLE - 1}), "
        f"{_NO_BOUND})), "
        "shared (n, quotation_id, pairs) AS ("
        "SELECT r.n, h.quotation_id, COUNT(*) FROM runs r JOIN hits h ON h.hash = r.hash "
        "GROUP BY r.n, h.quotation_id), "
        # The quotations of each lookup's own article, left out.
        "mine (n, quotation_id) AS ("
        f"SELECT w.n, o.id FROM quoting w JOIN {quotation} o ON o.article_id = w.article_id), "
        "ranked (n, quotation_id, place) AS ("
        "SELECT m.n, m.quotation_id, "
        "ROW_NUMBER() OVER (PARTITION BY m.n ORDER BY m.pairs DESC, m.quotation_id) "
        "FROM shared m JOIN quoting w ON w.n = m.n "
        "LEFT JOIN mine ON mine.n = m.n AND mine.quotation_id = m.quotation_id "
        "WHERE m.pairs >= w.needed AND mine.n IS NULL) "
        "SELECT r.n, q.id, q.article_id, q.key, q.text, q.trace_id FROM ("
        # The LIMIT cuts nothing (MAX_CANDIDATES a lookup at most): it tells the planner
        # how few rows come, so that it reads them by primary key, not in a scan.
        f"SELECT n, quotation_id, place FROM ranked WHERE place <= {MAX_CANDIDATES} "
        f"LIMIT {MAX_CANDIDATES * len(quoting)}"
        f") r JOIN {quotation} q ON q.id = r.quotation_id ORDER BY r.n, r.place"
    )
    params = [
        *(value for run in runs for value in run),
        *(value for row in quoting for value in row),
        *probes,
    ]
    return sql, params


def _postgresql_lookup_sql(
    runs: list[tuple[int, int]], quoting: list[tuple[int, int, int]]
) -> tuple[str, list]:
    """_lookup_sql() on PostgreSQL: the same rows as the portable SQL, read in a way that
    does not depend on the planner's statistics.

    The portable SQL's plan did. With none (tables filled by an import, not analysed
    yet) it scanned the whole quotation table twice a lookup; analysed, it evaluated each
    pair's bound once per stored run instead of once per pair: 2.7 s a lookup of 50
    quotations, against 14 to 28 ms here (bench/imports.py, 9,000 quotations). Each
    LATERAL subquery is one index range read per pair or per candidate: a pair's first
    PER_SHINGLE runs (the runs below the portable SQL's bound: a quotation has a pair
    once), and a candidate's article and row by primary key (OFFSET 0 keeps them
    subqueries). The inputs are five arrays, not thousands of parameters for the driver
    to splice into the SQL."""
    shingle, quotation = QuotationShingle._meta.db_table, Quotation._meta.db_table
    sql = (
        "WITH runs (n, hash) AS (SELECT * FROM unnest(%s::integer[], %s::bigint[])), "
        "quoting (n, article_id, needed) AS ("
        "SELECT * FROM unnest(%s::integer[], %s::bigint[], %s::integer[])), "
        "hits (hash, quotation_id) AS ("
        "SELECT p.hash, h.quotation_id FROM (SELECT DISTINCT hash FROM runs) p "
        f"CROSS JOIN LATERAL (SELECT s.quotation_id FROM {shingle} s WHERE s.hash = p.hash "
        f"ORDER BY s.quotation_id LIMIT {PER_SHINGLE}) h), "
        "shared (n, quotation_id, pairs) AS ("
        "SELECT r.n, h.quotation_id, COUNT(*) FROM runs r JOIN hits h ON h.hash = r.hash "
        "GROUP BY r.n, h.quotation_id), "
        # Those sharing enough pairs, the quotations of the lookup's own article left out.
        "ranked (n, quotation_id, place) AS ("
        "SELECT m.n, m.quotation_id, "
        "ROW_NUMBER() OVER (PARTITION BY m.n ORDER BY m.pairs DESC, m.quotation_id) "
        "FROM shared m JOIN quoting w ON w.n = m.n AND m.pairs >= w.needed "
        f"CROSS JOIN LATERAL (SELECT o.article_id FROM {quotation} o "
        "WHERE o.id = m.quotation_id OFFSET 0) o "
        "WHERE o.article_id <> w.article_id) "
        "SELECT r.n, q.id, q.article_id, q.key, q.text, q.trace_id FROM ranked r "
        f"CROSS JOIN LATERAL (SELECT * FROM {quotation} q WHERE q.id = r.quotation_id "
        f"OFFSET 0) q WHERE r.place <= {MAX_CANDIDATES} ORDER BY r.n, r.place"
    )
    params = [
        integer_array(n for n, _ in runs),
        integer_array(value for _, value in runs),
        integer_array(n for n, _, _ in quoting),
        integer_array(article_id for _, article_id, _ in quoting),
        integer_array(needed for _, _, needed in quoting),
    ]
    return sql, params


def integer_array(values: Iterable[int]) -> str:
    """PostgreSQL's text for an array of integers ("{1,2,3}"), for a parameter cast to
    bigint[] or integer[]. psycopg turns a list into the same text one item at a time:
    28 ms for 10,000 integers, against 2 ms for this."""
    return "{" + ",".join(map(str, values)) + "}"


def candidates(quotation: Quotation) -> list[_Candidate]:
    """The quotations of other articles sharing enough word pairs with `quotation` to be
    compared with it, those sharing most first, at most MAX_CANDIDATES: one query."""
    return batch_candidates([quotation])[0]


def batch_candidates(quotations: list[Quotation]) -> list[list[_Candidate]]:
    """candidates() of each of `quotations`, in order: one query for LOOKUP of them."""
    return _candidates_of([(q.article_id, shingles(q.text)) for q in quotations])


def _candidates_of(lookups: list[tuple[int, list[int]]]) -> list[list[_Candidate]]:
    """The candidates of each (article id, shingles): a query for each LOOKUP of them, or
    fewer when their pairs would pass the database's limit on parameters."""
    found: list[list[_Candidate]] = [[] for _ in lookups]
    limit = connection.features.max_query_params or 65535
    start = 0
    while start < len(lookups):
        # A pair is two parameters in `runs` and at most one in `probes`.
        end, params = start + 1, 3 * len(lookups[start][1]) + 3
        while (
            end < len(lookups)
            and end - start < LOOKUP
            and params + 3 * len(lookups[end][1]) + 3 <= limit
        ):
            params += 3 * len(lookups[end][1]) + 3
            end += 1
        part = lookups[start:end]
        if any(hashes for _, hashes in part):
            sql, sql_params = _lookup_sql(part)
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                for n, *row in cursor.fetchall():
                    found[start + n].append(_Candidate(*row))
        start = end
    return found


def _decided(quotations: list[_Candidate]) -> tuple[set[frozenset], set[frozenset]]:
    """The pairs editors kept apart, and those they traced together, among the decisions
    about the articles of `quotations` (one query). Pairs of (article id, key)."""
    articles = {quotation.article_id for quotation in quotations}
    decisions = (
        QuotationDecision.objects.filter(
            Q(article__in=articles) | Q(other_article__in=articles),
            kind__in=[QuotationDecision.Kind.APART, QuotationDecision.Kind.TOGETHER],
        )
        .order_by("created", "pk")
        .values_list("kind", "article_id", "key", "other_article_id", "other_key")
    )
    # The latest decision about a pair stands.
    latest = {}
    for kind, article_id, key, other_article_id, other_key in decisions:
        latest[frozenset({(article_id, key), (other_article_id, other_key)})] = kind
    apart = {pair for pair, kind in latest.items() if kind == QuotationDecision.Kind.APART}
    together = {pair for pair, kind in latest.items() if kind == QuotationDecision.Kind.TOGETHER}
    return apart, together


def trace(quotations: list[Quotation]) -> int:
    """Put each of `quotations` in a trace with the quotations of other articles that
    render the same words (those of `quotations` included), merging the traces they are
    in; returns how many of them are now in a trace. Pairs editors kept apart stay apart,
    and pairs they traced together are joined whatever their words.

    BATCH quotations at a time, each batch in a few queries: their traces read again, the
    editors' decisions, the candidates (one query for LOOKUP quotations), the quotations
    editors joined them to (when there are any), then the writes of _link()."""
    pks = list(dict.fromkeys(quotation.pk for quotation in quotations))
    by_pk = {quotation.pk: quotation for quotation in quotations}
    traced = 0
    for start in range(0, len(pks), BATCH):
        traced += _trace_batch([by_pk[pk] for pk in pks[start : start + BATCH]])
    return traced


def _trace_batch(quotations: list[Quotation]) -> int:
    """trace() of up to BATCH quotations."""
    # Their traces as they are now: an earlier batch may have joined them to one, and a
    # quotation whose article was corrected since is gone.
    current = dict(
        Quotation.objects.filter(pk__in=[q.pk for q in quotations])
        .order_by()
        .values_list("pk", "trace_id")
    )
    batch = [
        _Candidate(q.pk, q.article_id, q.key, q.text, current[q.pk])
        for q in quotations
        if q.pk in current
    ]
    if not batch:
        return 0
    apart, together = _decided(batch)
    met = {quotation.pk: quotation for quotation in batch}
    pairs: list[tuple[int, int]] = []
    # Two quotations of the batch find each other: their words are compared once.
    same: dict[frozenset, bool] = {}
    found = _candidates_of([(q.article_id, shingles(q.text)) for q in batch])
    for quotation, candidates in zip(batch, found, strict=True):
        me = (quotation.article_id, quotation.key)
        for candidate in candidates:
            if frozenset({me, (candidate.article_id, candidate.key)}) in apart:
                continue
            pair = frozenset({quotation.pk, candidate.pk})
            if pair not in same:
                same[pair] = same_words(quotation.text, candidate.text) is not None
            if same[pair]:
                met.setdefault(candidate.pk, candidate)
                pairs.append((quotation.pk, candidate.pk))
    # The quotations editors traced together with those of the batch.
    batch_keys: dict[tuple[int, str], list[int]] = defaultdict(list)
    for quotation in batch:
        batch_keys[(quotation.article_id, quotation.key)].append(quotation.pk)
    joined: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pair in together:
        for me in pair & batch_keys.keys():
            for other in pair - {me}:
                joined[other].extend(batch_keys[me])
    if joined:
        rows = (
            Quotation.objects.filter(
                article__in={article_id for article_id, _ in joined},
                key__in={key for _, key in joined},
            )
            .order_by()
            .values_list("pk", "article_id", "key", "text", "trace_id")
        )
        for row in rows:
            candidate = _Candidate(*row)
            for pk in joined.get((candidate.article_id, candidate.key), ()):
                met.setdefault(candidate.pk, candidate)
                pairs.append((pk, candidate.pk))
    traces = _link(met, pairs)
    return sum(1 for quotation in batch if quotation.pk in traces)


def _link(quotations: dict[int, _Candidate], pairs: list[tuple[int, int]]) -> dict[int, int]:
    """Put each pair of `quotations` (ids) in one trace, and with them the traces they
    are in: the oldest of a group's traces, into which the others are merged, or a new
    one. Returns the trace of each quotation of a pair. Whatever the pairs, at most the
    new traces' insert, one update and the merged traces' delete, in a savepoint."""
    # Union-find over quotations and traces: pairs that share a quotation, and
    # quotations in one trace, end in one group.
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        parent[root(("quotation", a))] = root(("quotation", b))
    for pk in {pk for pair in pairs for pk in pair}:
        if quotations[pk].trace_id:
            parent[root(("quotation", pk))] = root(("trace", quotations[pk].trace_id))
    groups: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for node in list(parent):
        groups[root(node)].append(node)
    if not groups:
        return {}
    assigned: dict[int, int] = {}
    whens, merged = [], []
    with transaction.atomic():
        new = iter(
            Trace.objects.bulk_create(
                Trace() for nodes in groups.values() if all(k != "trace" for k, _ in nodes)
            )
        )
        for nodes in groups.values():
            traces = sorted(pk for kind, pk in nodes if kind == "trace")
            members = [pk for kind, pk in nodes if kind == "quotation"]
            target = traces[0] if traces else next(new).pk
            assigned.update(dict.fromkeys(members, target))
            moved = [pk for pk in members if quotations[pk].trace_id != target]
            condition = Q(pk__in=moved) if moved else Q()
            if traces[1:]:
                condition |= Q(trace__in=traces[1:])
                merged += traces[1:]
            if condition:
                whens.append(When(condition, then=Value(target)))
        if whens:
            Quotation.objects.filter(
                reduce(operator.or_, (when.condition for when in whens))
            ).update(trace=Case(*whens, default=F("trace"), output_field=BigIntegerField()))
        if merged:
            Trace.objects.filter(pk__in=merged).delete()
    return assigned


def extract_and_trace(articles: Iterable[Article]) -> tuple[int, int]:
    """Extract each article's quotations, then trace them all: (quotations, traced)."""
    found: list[Quotation] = []
    for article in articles:
        found.extend(extract(article))
    return len(found), trace(found)


def correct(quotation: Quotation, *, speaker: str | None = None, verb: str | None = None, user):
    """An editor's speaker or verb for a quotation, kept by every later extraction."""
    with transaction.atomic():
        for kind, value in (
            (QuotationDecision.Kind.SPEAKER, speaker),
            (QuotationDecision.Kind.VERB, verb),
        ):
            if value is None:
                continue
            QuotationDecision.objects.create(
                kind=kind,
                article_id=quotation.article_id,
                key=quotation.key,
                value=value,
                created_by=user,
            )
        fields = {}
        if speaker is not None:
            fields.update(
                speaker=speaker[:200], speaker_slug=slugify(speaker, allow_unicode=True)[:200]
            )
        if verb is not None:
            fields["verb"] = verb[:100]
        Quotation.objects.filter(pk=quotation.pk).update(**fields)


def take_out(quotation: Quotation, *, user) -> None:
    """Take a quotation out of its trace: an editor says it is not the same words. Kept
    apart from each quotation of the trace by every later tracing."""
    if quotation.trace_id is None:
        return
    with transaction.atomic():
        others = Quotation.objects.filter(trace=quotation.trace_id).exclude(pk=quotation.pk)
        QuotationDecision.objects.bulk_create(
            QuotationDecision(
                kind=QuotationDecision.Kind.APART,
                article_id=quotation.article_id,
                key=quotation.key,
                other_article_id=article_id,
                other_key=key,
                created_by=user,
            )
            for article_id, key in others.values_list("article_id", "key")
        )
        trace_id = quotation.trace_id
        Quotation.objects.filter(pk=quotation.pk).update(trace=None)
        drop_lone_traces([trace_id])
    quotation.trace_id = None


def join(quotation: Quotation, other: Quotation, *, user) -> None:
    """Trace two quotations (and the traces they are in) together: an editor says they are
    the same words. Kept by every later tracing."""
    if quotation.article_id == other.article_id:
        raise ValueError("Quotations of one article are not traced together.")
    with transaction.atomic():
        QuotationDecision.objects.create(
            kind=QuotationDecision.Kind.TOGETHER,
            article_id=quotation.article_id,
            key=quotation.key,
            other_article_id=other.article_id,
            other_key=other.key,
            created_by=user,
        )
        quotation.refresh_from_db(fields=["trace"])
        other.refresh_from_db(fields=["trace"])
        traces = _link(
            {
                q.pk: _Candidate(q.pk, q.article_id, q.key, q.text, q.trace_id)
                for q in (quotation, other)
            },
            [(quotation.pk, other.pk)],
        )
        quotation.trace_id = other.trace_id = traces[quotation.pk]
