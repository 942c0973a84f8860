"""Quotations stored and traced across outlets: at import, at every correction and by
`manage.py extract_quotations`, with editors' decisions kept through each extraction."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from sources import quotations
from sources.importer import Entry, import_entries
from sources.models import Article, Quotation, QuotationDecision, QuotationShingle, Trace
from sources.revisions import revise_text
from sources.text.tracing import candidate_threshold, shingles
from tests.factories import make_article, make_outlet, make_story

pytestmark = pytest.mark.django_db

WIRE = (
    "Minister admits the gates were never tested\n\n"
    "The harbour minister spoke to reporters on Monday.\n\n"
    "“We never tested the flood gates before the storm season began,” the minister "
    "admitted. “That was my mistake.”\n\n"
    "Asked about the budget, Mayor Ortiz said: “The money was there, the will was not.”"
)
GAZETTE = (
    "Gates never tested, minister concedes\n\n"
    'Minister Ana Lind frankly admitted: "we never tested the flood gates before the '
    'storm season began." Her deputy declined to comment.\n\n'
    "The mayor blamed the council: “The money went to the stadium instead of the gates.”"
)
TRIBUNE = (
    "A minister's confession\n\n"
    "“We never tested the flood gates…” the minister said, according to the Gazette.\n\n"
    "Critics were unmoved. “The council never tested anything at all,” a resident said."
)


@pytest.fixture
def story():
    return make_story(title="Harbour gates")


def article(story, outlet_name, text, **fields):
    made = make_article(outlet=make_outlet(name=outlet_name), story=story, text=text, **fields)
    return made


def traced(*articles):
    found = []
    for each in articles:
        found.extend(quotations.extract(each))
    quotations.trace(found)
    return found


def quotation(article, words):
    return Quotation.objects.get(article=article, text__contains=words)


def test_quotations_are_stored_with_speaker_verb_and_their_runs(story):
    wire = article(story, "Harbour Wire", WIRE)
    found = quotations.extract(wire)
    assert [q.text for q in found][:1] == [
        "We never tested the flood gates before the storm season began,"
    ]
    first = quotation(wire, "flood gates")
    assert wire.text[first.start : first.end].startswith("We never tested")
    assert (first.speaker, first.verb) == ("the minister", "admitted")
    assert QuotationShingle.objects.filter(quotation=first).count() > 5
    mayor = quotation(wire, "the will was not")
    assert mayor.speaker == "Mayor Ortiz"
    assert mayor.speaker_slug == "mayor-ortiz"


def test_the_same_words_in_other_outlets_are_one_trace(story):
    wire = article(story, "Harbour Wire", WIRE)
    gazette = article(story, "Quay Gazette", GAZETTE)
    tribune = article(story, "Capital Tribune", TRIBUNE)
    traced(wire, gazette, tribune)
    gates = quotation(wire, "flood gates")
    assert gates.trace is not None
    # Re-cased and straight-quoted in one, elided in the other.
    assert {q.article for q in gates.trace.quotations.all()} == {wire, gazette, tribune}
    # Words that share a phrase but are not the same quotation stand alone.
    assert quotation(tribune, "council never tested").trace is None
    assert quotation(gazette, "stadium").trace is None
    assert Trace.objects.count() == 1


def test_an_article_repeating_its_own_quotation_is_not_a_trace(story):
    text = (
        "Title\n\n“We never tested the flood gates at all,” she said.\n\n"
        "Again: “We never tested the flood gates at all,” she said."
    )
    traced(article(story, "Echo", text))
    assert Trace.objects.count() == 0


def test_the_import_extracts_and_traces_before_it_returns(story):
    outcomes = import_entries(
        [
            Entry("wire.txt", WIRE.encode(), {"outlet": "Harbour Wire", "story": "Harbour gates"}),
            Entry(
                "gazette.txt",
                GAZETTE.encode(),
                {"outlet": "Quay Gazette", "story": "Harbour gates"},
            ),
        ]
    )
    assert [o.status for o in outcomes] == ["created", "created"]
    gates = Quotation.objects.get(article__outlet__name="Harbour Wire", text__contains="flood")
    assert gates.trace is not None
    assert gates.trace.quotations.count() == 2


def test_a_correction_finds_the_quotations_again_and_traces_them(story):
    wire = article(story, "Harbour Wire", WIRE)
    gazette = article(story, "Quay Gazette", GAZETTE)
    traced(wire, gazette)
    assert Trace.objects.count() == 1
    revise_text(
        wire,
        WIRE.replace("We never tested the flood gates", "We never checked the gates"),
        source="shell",
    )
    # The words changed too much: the trace is gone, the new quotation stands alone.
    assert Trace.objects.count() == 0
    assert quotation(wire, "never checked the gates").trace is None
    revise_text(wire, WIRE, source="shell")
    assert quotation(wire, "flood gates").trace == quotation(gazette, "flood gates").trace
    assert Trace.objects.count() == 1


def test_an_editors_speaker_and_verb_are_kept_by_every_extraction(story):
    wire = article(story, "Harbour Wire", WIRE)
    traced(wire)
    gates = quotation(wire, "flood gates")
    quotations.correct(gates, speaker="Ana Lind", verb="conceded", user=None)
    gates.refresh_from_db()
    assert (gates.speaker, gates.speaker_slug, gates.verb) == ("Ana Lind", "ana-lind", "conceded")
    call_command("extract_quotations", str(wire.pk), stdout=io.StringIO())
    again = quotation(wire, "flood gates")
    assert (again.speaker, again.verb) == ("Ana Lind", "conceded")
    history = QuotationDecision.objects.filter(article=wire).order_by("pk")
    assert [(d.kind, d.value) for d in history] == [("speaker", "Ana Lind"), ("verb", "conceded")]


def test_a_split_and_a_join_are_kept_by_every_extraction(story):
    wire = article(story, "Harbour Wire", WIRE)
    gazette = article(story, "Quay Gazette", GAZETTE)
    tribune = article(story, "Capital Tribune", TRIBUNE)
    traced(wire, gazette, tribune)
    elided = quotation(tribune, "flood gates")
    quotations.take_out(elided, user=None)
    elided.refresh_from_db()
    assert elided.trace is None
    assert quotation(wire, "flood gates").trace.quotations.count() == 2
    # Two quotations the words alone would not trace, joined by an editor.
    stadium, council = quotation(gazette, "stadium"), quotation(tribune, "council never")
    quotations.join(stadium, council, user=None)
    assert quotation(gazette, "stadium").trace == quotation(tribune, "council never").trace

    out = io.StringIO()
    call_command("extract_quotations", stdout=out)
    assert "quotations in 3 articles" in out.getvalue()
    assert quotation(tribune, "flood gates").trace is None
    assert quotation(wire, "flood gates").trace == quotation(gazette, "flood gates").trace
    assert quotation(gazette, "stadium").trace == quotation(tribune, "council never").trace
    assert quotation(gazette, "stadium").trace is not None


# Renderings of the same words by different outlets, and words of each outlet's own.
RENDERINGS = [
    "“We never tested the flood gates before the storm season began,” the minister admitted.",
    'She said: "we never tested the flood gates before the storm season began."',
    "“We never tested the flood gates before the storm season,” the minister said.",
    "“WE NEVER TESTED THE FLOOD GATES BEFORE THE STORM SEASON BEGAN,” she wrote.",
]


def rendering_article(story, n):
    own = f"“Outlet number {n} has words of its own about ferry {n} and harbour {n},” he said."
    text = f"Gates story {n}\n\n{RENDERINGS[n % len(RENDERINGS)]}\n\n{own}"
    return article(story, f"Outlet {n}", text)


@pytest.mark.parametrize("size", [2, 6])
def test_a_batch_of_articles_is_traced_in_one_call_in_the_same_queries(
    story, django_assert_num_queries, size
):
    found = []
    for n in range(size):
        found.extend(quotations.extract(rendering_article(story, n)))
    assert len(found) == 2 * size

    # Their traces read again; the editors' decisions about their articles; the
    # candidates of all of them (the quotations of the batch find each other); the new
    # trace, the quotations put in it in one update, in a savepoint.
    with django_assert_num_queries(7):
        traced = quotations.trace(found)

    assert traced == size
    gates = Quotation.objects.filter(text__icontains="flood gates")
    assert gates.count() == size
    assert len({q.trace_id for q in gates}) == 1
    assert gates.first().trace_id is not None
    assert not Quotation.objects.filter(text__contains="words of its own", trace__isnull=False)
    assert Trace.objects.count() == 1


def test_a_quotation_joining_two_traces_merges_them_into_the_older(story):
    long = (
        "“The harbour authority never tested the new storm gates at full tide before the "
        "February surge flooded the lower quay,” she said."
    )
    start = "“The harbour authority never tested the new storm gates,” she said."
    end = "“The new storm gates at full tide before the February surge flooded the lower quay,” she said."
    traced(article(story, "Start One", start), article(story, "Start Two", start))
    traced(article(story, "End One", end), article(story, "End Two", end))
    older, newer = Trace.objects.order_by("pk")
    assert older.quotations.count() == newer.quotations.count() == 2

    assert traced(article(story, "Whole", long))
    assert list(Trace.objects.all()) == [older]
    assert older.quotations.count() == 5


def test_a_quotation_gone_before_it_is_traced_is_left_out(story):
    wire = article(story, "Harbour Wire", WIRE)
    gazette = article(story, "Quay Gazette", GAZETTE)
    first = quotations.extract(wire)
    # The article corrected before the import traced it: its first quotations are gone.
    again = quotations.extract(wire)
    quotations.trace([*first, *again, *quotations.extract(gazette)])
    assert quotation(wire, "flood gates").trace == quotation(gazette, "flood gates").trace
    assert Trace.objects.get().quotations.count() == 2


def plan_of(sql, params):
    """PostgreSQL's plan of a query, as with many rows: on a table this small the planner
    would not use an index."""
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_candidate_lookup_reads_the_runs_index(story):
    wire = article(story, "Harbour Wire", WIRE)
    traced(wire, article(story, "Quay Gazette", GAZETTE))
    plan = plan_of(*quotations.candidates_sql(quotation(wire, "flood gates")))
    assert "quotation_shingle_lookup" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_batch_lookup_reads_the_runs_index(story):
    found = traced(
        article(story, "Harbour Wire", WIRE),
        article(story, "Quay Gazette", GAZETTE),
        article(story, "Capital Tribune", TRIBUNE),
    )
    plan = plan_of(*quotations.batch_candidates_sql(found))
    assert "quotation_shingle_lookup" in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_batch_lookup_finds_what_one_lookup_at_a_time_finds(story, monkeypatch):
    wire = article(story, "Harbour Wire", WIRE)
    gazette = article(story, "Quay Gazette", GAZETTE)
    tribune = article(story, "Capital Tribune", TRIBUNE)
    found = traced(wire, gazette, tribune)
    one_at_a_time = [quotations.candidates(q) for q in found]
    assert quotations.batch_candidates(found) == one_at_a_time
    # Cut into several queries the same.
    monkeypatch.setattr(quotations, "LOOKUP", 2)
    assert quotations.batch_candidates(found) == one_at_a_time
    gates = one_at_a_time[found.index(quotation(wire, "flood gates"))]
    assert {c.pk for c in gates} >= {
        quotation(gazette, "flood gates").pk,
        quotation(tribune, "flood gates").pk,
    }
    assert wire.pk not in {c.article_id for c in gates}


def test_the_postgresql_lookup_finds_what_the_portable_one_finds(story):
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    found = traced(
        article(story, "Harbour Wire", WIRE),
        article(story, "Quay Gazette", GAZETTE),
        article(story, "Capital Tribune", TRIBUNE),
    )
    runs, quoting = [], []
    for n, q in enumerate(found):
        hashes = shingles(q.text)
        runs += [(n, value) for value in hashes]
        quoting.append((n, q.article_id, candidate_threshold(len(hashes))))
    rows = []
    for sql, params in (
        quotations._postgresql_lookup_sql(runs, quoting),
        quotations._portable_lookup_sql(runs, quoting),
    ):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows.append(cursor.fetchall())
    assert rows[0] == rows[1]
    assert len({row[0] for row in rows[0]}) > 1


def test_articles_of_the_sample_corpus(client):
    from tests.helpers import SAMPLE_CORPUS, require_sample_corpus

    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    dissident = Article.objects.get(outlet__name="The Dissident")
    modern = Article.objects.get(outlet__name="Modern.az")
    bridge = Quotation.objects.filter(text__contains="bridge between East and West")
    assert {q.article for q in bridge} >= {dissident, modern}
    assert len({q.trace_id for q in bridge if q.article in (dissident, modern)}) == 1
    assert bridge.filter(article=dissident).first().trace_id is not None
    stoltenberg = Quotation.objects.filter(article=dissident, speaker__contains="Stoltenberg")
    verbs = [q.verb for q in stoltenberg]
    assert any("admitted" in verb and "bluntly" in verb for verb in verbs), verbs


def test_postgresql_connections_plan_without_jit():
    # Tracing's lookups on tables an import has just filled are overpriced by the planner,
    # and JIT compiling them took three times as long as running them (bench/imports.py).
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
