"""Time quotation tracing on PostgreSQL with a million quotations, and print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parallax_quotation_bench \\
        .venv/bin/python bench/quotations.py [--quotations 1000000]

Builds the database once (migrations, then 100,000 articles holding 1,000,000 generated
quotations and their hashed word pairs, written with COPY). One quotation in twenty is
another outlet's rendering of an earlier one (trimmed, re-cased, a word changed), so
traces have something to find. Then it prints:

- the plan of the candidate lookup, of one quotation and of a batch (the B-tree index on
  the word pairs, never a scan);
- the time to find the traces of one quotation (sources.quotations.candidates and the
  word-by-word check): median and worst over 200 quotations, in milliseconds, and how many
  candidates and matches they had;
- the time of the batch lookup trace() makes (sources.quotations.batch_candidates, LOOKUP
  quotations a query), per quotation, over the same 200;
- the import rate with extraction and tracing on: 500 articles of ten quotations each,
  imported through sources.importer.import_entries into the million-quotation database.
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import invented_words, start_django  # noqa: E402

start_django("postgres://postgres@127.0.0.1:5432/parallax_quotation_bench")

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from sources import quotations  # noqa: E402
from sources.importer import Entry, import_entries, imported_quotations  # noqa: E402
from sources.models import Article, Outlet, Quotation, Story  # noqa: E402
from sources.text.tracing import same_words, shingles  # noqa: E402

QUOTATIONS_PER_ARTICLE = 10
SPEAKERS = ["Ana Lind", "Mayor Ortiz", "the minister", "Jon Berg", "a spokeswoman"]
VERBS = ["said", "told reporters", "admitted", "bluntly admitted", "wrote", "insisted"]


def sentence(rng: random.Random, words: list[str]) -> str:
    chosen = [words[min(int(rng.paretovariate(1.2)) - 1, len(words) - 1)] for _ in range(12)]
    chosen += rng.sample(words, rng.randint(0, 8))
    return " ".join(chosen).capitalize() + "."


def rendering(rng: random.Random, quote: str) -> str:
    """Another outlet's rendering of `quote`: trimmed, re-cased or one word changed."""
    words = quote.rstrip(".").split()
    kind = rng.randrange(3)
    if kind == 0:
        return " ".join(words[rng.randint(1, 2) :]) + "."
    if kind == 1:
        return quote.upper()
    words[len(words) // 2] = "changed"
    return " ".join(words) + "."


def build(count: int) -> None:
    rng = random.Random(11)
    words = invented_words(rng, 20000)
    outlets = [Outlet(name=f"Quote outlet {n}", slug=f"quote-outlet-{n}") for n in range(100)]
    Outlet.objects.bulk_create(outlets)
    stories = [Story(title=f"Quote story {n}", slug=f"quote-story-{n}") for n in range(500)]
    Story.objects.bulk_create(stories)
    articles = count // QUOTATIONS_PER_ARTICLE
    started = time.perf_counter()
    texts: list[list[str]] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY sources_article (id, outlet_id, story_id, title, byline, url, language, text, "
            "content_hash, text_version, raw, raw_format, source_name, imported, updated) "
            "FROM STDIN"
        ) as copy:
            said: list[str] = []
            for n in range(articles):
                quotes = []
                for _ in range(QUOTATIONS_PER_ARTICLE):
                    if said and rng.random() < 0.05:
                        quotes.append(rendering(rng, rng.choice(said[-5000:])))
                    else:
                        quotes.append(sentence(rng, words))
                        said.append(quotes[-1])
                texts.append(quotes)
                copy.write_row(
                    (
                        n + 1,
                        outlets[n % len(outlets)].pk,
                        stories[n % len(stories)].pk,
                        f"Quote article {n}",
                        "",
                        "",
                        "en",
                        "\n\n".join(f"“{q}” she said." for q in quotes),
                        f"{n:064x}",
                        1,
                        "",
                        "txt",
                        "",
                        "2025-01-01 00:00:00+00",
                        "2025-01-01 00:00:00+00",
                    )
                )
        print(f"  {articles:,} articles written in {time.perf_counter() - started:.0f} s")
        with raw.copy(
            'COPY sources_quotation (id, article_id, start, "end", spans, text, speaker, '
            "speaker_slug, speaker_as_written, verb, key) FROM STDIN"
        ) as copy:
            pk = 0
            for n, quotes in enumerate(texts):
                offset = 0
                for quote in quotes:
                    pk += 1
                    speaker = SPEAKERS[pk % len(SPEAKERS)]
                    copy.write_row(
                        (
                            pk,
                            n + 1,
                            offset + 1,
                            offset + 1 + len(quote),
                            f"[[{offset + 1}, {offset + 1 + len(quote)}]]",
                            quote,
                            speaker,
                            speaker.lower().replace(" ", "-"),
                            speaker,
                            VERBS[pk % len(VERBS)],
                            quotations.quotation_key(quote),
                        )
                    )
                    offset += len(quote) + 14
        print(f"  {pk:,} quotations written in {time.perf_counter() - started:.0f} s")
        with raw.copy("COPY sources_quotationshingle (hash, quotation_id) FROM STDIN") as copy:
            pk = 0
            for quotes in texts:
                for quote in quotes:
                    pk += 1
                    for value in shingles(quote):
                        copy.write_row((value, pk))
        for table in ("sources_article", "sources_quotation", "sources_quotationshingle"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        cursor.execute("ANALYZE")
    print(f"  word pairs written and indexed in {time.perf_counter() - started:.0f} s")


def lookup_plan(batch: list[Quotation]) -> str:
    """The plan's reads of tables (not of the query's own VALUES and subqueries)."""
    sql, params = quotations.batch_candidates_sql(batch)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        lines = [row[0].strip() for row in cursor.fetchall()]
    scans = [
        line.split(" on ")[0].lstrip("-> ")
        for line in lines
        if "Scan" in line and not any(own in line for own in ("CTE", "Values", "Subquery"))
    ]
    return "; ".join(f"{scans.count(scan)} × {scan}" for scan in sorted(set(scans)))


def measure_lookup(sample: list[Quotation]) -> None:
    times, lookups, found, matched = [], [], [], []
    for quotation in sample:
        started = time.perf_counter()
        candidates = quotations.candidates(quotation)
        lookups.append((time.perf_counter() - started) * 1000)
        same = [c for c in candidates if same_words(quotation.text, c.text) is not None]
        times.append((time.perf_counter() - started) * 1000)
        found.append(len(candidates))
        matched.append(len(same))
    print(
        f"traces of one quotation: median {statistics.median(times):.1f} ms, "
        f"worst {max(times):.1f} ms over {len(sample)} quotations "
        f"({statistics.mean(found):.1f} candidates and {statistics.mean(matched):.2f} "
        "matches on average)"
    )
    started = time.perf_counter()
    quotations.batch_candidates(sample)
    elapsed = (time.perf_counter() - started) * 1000
    print(
        f"batch lookup: {elapsed / len(sample):.2f} ms a quotation over {len(sample)} "
        f"quotations, {quotations.LOOKUP} a query (one at a time: "
        f"{statistics.mean(lookups):.2f} ms)"
    )


def measure_import(articles: int = 500) -> None:
    rng = random.Random(5)
    words = invented_words(rng, 3000)
    said = list(Quotation.objects.order_by("-pk").values_list("text", flat=True)[:2000])
    entries = []
    for n in range(articles):
        quotes = [
            rendering(rng, rng.choice(said)) if rng.random() < 0.2 else sentence(rng, words)
            for _ in range(QUOTATIONS_PER_ARTICLE)
        ]
        text = f"Imported article {n}\n\n" + "\n\n".join(f"“{q}” he said." for q in quotes)
        entries.append(
            Entry(f"bench-{n}.txt", text.encode(), {"outlet": f"Import outlet {n % 20}"})
        )
    started = time.perf_counter()
    with transaction.atomic():
        outcomes = import_entries(entries, trace=False)
        imported = time.perf_counter() - started
        traced = quotations.trace(imported_quotations(outcomes))
        elapsed = time.perf_counter() - started
        created = sum(1 for outcome in outcomes if outcome.status == "created")
        transaction.set_rollback(True)  # the database stays as built
    print(
        f"import with extraction, tracing left for later: {created} articles in "
        f"{imported:.1f} s, {created / imported:.0f} articles/s"
    )
    print(
        f"then tracing their {created * QUOTATIONS_PER_ARTICLE} quotations, batched: "
        f"{elapsed - imported:.1f} s, {created / (elapsed - imported):.0f} articles/s "
        f"({traced} quotations traced)"
    )
    print(
        f"import with extraction and tracing: {created / elapsed:.0f} articles/s "
        "(what the import command does before it returns)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quotations", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/quotations.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    if not Article.objects.filter(title="Quote article 0").exists():
        print(f"Building {args.quotations:,} quotations…", flush=True)
        build(args.quotations)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sources_quotationshingle")
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE relname = %s", ["sources_quotation"]
        )
        print(f"sources_quotation: about {cursor.fetchone()[0]:,} rows")
    rng = random.Random(3)
    top = Quotation.objects.order_by("-pk").values_list("pk", flat=True).first()
    sample = list(Quotation.objects.filter(pk__in=rng.sample(range(1, top + 1), 200)))
    print(f"plan of the candidate lookup: {lookup_plan(sample[:1])}")
    print(f"plan of a batch lookup: {lookup_plan(sample[: quotations.LOOKUP])}")
    measure_lookup(sample)
    measure_import()


if __name__ == "__main__":
    main()
