"""Quotations found in articles' texts, and the traces that group the same words quoted by
different outlets.

extract() finds an article's quotations again from its text (sources.text.quotations) and
stores them with their hashed word runs; trace() looks up, for each quotation, those of
other articles that share runs with it (a B-tree index lookup, bounded per run), keeps the
ones whose words are the same (sources.text.tracing.same_words) and puts them in one trace.
The same code runs on SQLite and PostgreSQL. Editors' decisions (QuotationDecision) are
applied again by every extraction and every tracing.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
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
    corrections of speaker and verb apply again. Not traced: see trace()."""
    language = article.language or article.outlet.language
    found = find_quotations(article.text, language or "en")
    with transaction.atomic():
        old_traces = set(
            Quotation.objects.filter(article=article, trace__isnull=False).values_list(
                "trace_id", flat=True
            )
        )
        Quotation.objects.filter(article=article).delete()
        values = _latest_values(article)
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
        Quotation.objects.bulk_create(rows, batch_size=BATCH)
        QuotationShingle.objects.bulk_create(
            (
                QuotationShingle(quotation=row, hash=value)
                for row in rows
                for value in shingles(row.text)
            ),
            batch_size=BATCH * 10,
        )
        drop_lone_traces(old_traces)
    return rows


def drop_lone_traces(trace_ids: Iterable[int]) -> None:
    """Delete the traces among `trace_ids` that hold fewer than two quotations (their last
    quotation stands alone again)."""
    trace_ids = list(trace_ids)
    if not trace_ids:
        return
    for trace_id in trace_ids:
        members = list(Quotation.objects.filter(trace=trace_id).values_list("pk", flat=True)[:2])
        if len(members) < 2:
            Quotation.objects.filter(pk__in=members).update(trace=None)
            Trace.objects.filter(pk=trace_id).delete()


@dataclass(frozen=True)
class _Candidate:
    pk: int
    article_id: int
    key: str
    text: str
    trace_id: int | None


def candidates_sql(quotation: Quotation) -> tuple[str, list]:
    """The lookup of candidates() as SQL and its params: one index range per word pair,
    each cut at PER_SHINGLE rows, added up by quotation, those of other articles sharing
    enough returned with what comparing them needs (the same SQL on SQLite and
    PostgreSQL). `quotation` must have at least one shingle."""
    hashes = shingles(quotation.text)
    per_run = " UNION ALL ".join(
        f"SELECT quotation_id FROM (SELECT quotation_id FROM {QuotationShingle._meta.db_table} "
        f"WHERE hash = %s LIMIT {PER_SHINGLE}) r{n}"
        for n in range(len(hashes))
    )
    sql = (
        "SELECT q.id, q.article_id, q.key, q.text, q.trace_id FROM ("
        f"SELECT c.quotation_id, COUNT(*) AS shared FROM ({per_run}) c "
        "GROUP BY c.quotation_id HAVING COUNT(*) >= %s"
        f") m JOIN {Quotation._meta.db_table} q ON q.id = m.quotation_id "
        f"WHERE q.article_id <> %s ORDER BY m.shared DESC, q.id LIMIT {MAX_CANDIDATES}"
    )
    return sql, [*hashes, candidate_threshold(len(hashes)), quotation.article_id]


def candidates(quotation: Quotation) -> list[_Candidate]:
    """The quotations of other articles sharing enough word pairs with `quotation` to be
    compared with it, those sharing most first, at most MAX_CANDIDATES: one query."""
    if not shingles(quotation.text):
        return []
    sql, params = candidates_sql(quotation)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_Candidate(*row) for row in cursor.fetchall()]


def _decided(quotations: list[Quotation]) -> tuple[set[frozenset], set[frozenset]]:
    """The pairs editors kept apart, and those they traced together, among the decisions
    about any of `quotations` (one query)."""
    keys = Q()
    for quotation in quotations:
        keys |= Q(article=quotation.article_id, key=quotation.key)
        keys |= Q(other_article=quotation.article_id, other_key=quotation.key)
    decisions = list(
        QuotationDecision.objects.filter(
            keys,
            kind__in=[QuotationDecision.Kind.APART, QuotationDecision.Kind.TOGETHER],
        ).order_by("created", "pk")
    )
    # The latest decision about a pair stands.
    latest = {}
    for decision in decisions:
        pair = frozenset(
            {(decision.article_id, decision.key), (decision.other_article_id, decision.other_key)}
        )
        latest[pair] = decision.kind
    apart = {pair for pair, kind in latest.items() if kind == QuotationDecision.Kind.APART}
    together = {pair for pair, kind in latest.items() if kind == QuotationDecision.Kind.TOGETHER}
    return apart, together


def trace(quotations: list[Quotation]) -> int:
    """Put each of `quotations` in a trace with the quotations of other articles that
    render the same words, merging traces that one quotation joins; returns how many of
    them are now in a trace. Pairs editors kept apart stay apart, and pairs they traced
    together are joined whatever their words."""
    traced = 0
    for start in range(0, len(quotations), BATCH):
        batch = quotations[start : start + BATCH]
        apart, together = _decided(batch)
        for quotation in batch:
            me = (quotation.article_id, quotation.key)
            same = [
                c
                for c in candidates(quotation)
                if frozenset({me, (c.article_id, c.key)}) not in apart
                and same_words(quotation.text, c.text) is not None
            ]
            joined = [
                (article_id, key)
                for pair in together
                if me in pair
                for article_id, key in pair
                if (article_id, key) != me
            ]
            if joined:
                rows = Quotation.objects.filter(
                    Q(*[Q(article=a, key=k) for a, k in joined], _connector=Q.OR)
                ).values_list("pk", "article_id", "key", "text", "trace_id")
                same += [_Candidate(*row) for row in rows]
            if same and _join(quotation, same):
                traced += 1
    return traced


def _join(quotation: Quotation, same: list[_Candidate]) -> bool:
    """Put `quotation` and `same` in one trace: the oldest of their traces, into which the
    others are merged, or a new one."""
    quotation.refresh_from_db(fields=["trace"])
    traces = sorted({c.trace_id for c in same if c.trace_id} | {quotation.trace_id} - {None})
    with transaction.atomic():
        target = traces[0] if traces else Trace.objects.create().pk
        if traces[1:]:
            Quotation.objects.filter(trace__in=traces[1:]).update(trace=target)
            Trace.objects.filter(pk__in=traces[1:]).delete()
        Quotation.objects.filter(pk__in=[quotation.pk, *(c.pk for c in same)]).update(trace=target)
    quotation.trace_id = target
    return True


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
        other.refresh_from_db(fields=["trace"])
        _join(
            quotation,
            [_Candidate(other.pk, other.article_id, other.key, other.text, other.trace_id)],
        )
