"""Time the search on PostgreSQL with a million passages, and print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parallax_search_bench \\
        .venv/bin/python bench/search.py [--articles 100000]

Builds the database once (migrations, then 100 outlets, 500 stories, 100,000
articles of 10 passages each, written with COPY; the database's own triggers index
every passage as it is written), then times the first page of results with its
facets and group totals (Search.results, the search page's own query object) for a
rare word, a common word, a two-word phrase, an OR, a name with its variants and a
filtered search: median and worst of several runs, in milliseconds, and the hits.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import invented_words, start_django  # noqa: E402

start_django("postgres://postgres@127.0.0.1:5432/parallax_search_bench")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from reading.search import Filters, Search  # noqa: E402
from sources.models import Article, Outlet, Story  # noqa: E402

REPEAT = 7
PASSAGES_PER_ARTICLE = 10
# Invented words (no stemmer folds them together), and a few real ones at set rates.
COMMON = "council"  # in about 30% of passages
RARE = "zeppelin"  # in about 40 passages
PHRASE = ("flood", "barrier")  # the two words together in about 1% of passages


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    chosen = [words[min(int(rng.paretovariate(1.2)) - 1, len(words) - 1)] for _ in range(n)]
    if rng.random() < 0.3:
        chosen.insert(rng.randrange(len(chosen)), COMMON)
    if rng.random() < 0.01:
        at = rng.randrange(len(chosen))
        chosen[at:at] = list(PHRASE)
    elif rng.random() < 0.01:
        chosen.insert(rng.randrange(len(chosen)), PHRASE[0])
    return " ".join(chosen).capitalize() + "."


def build(articles: int) -> None:
    rng = random.Random(7)
    words = invented_words(rng, 5000)
    outlets = [
        Outlet(name=f"Bench outlet {n}", slug=f"bench-outlet-{n}", language="en" if n % 3 else "uk")
        for n in range(100)
    ]
    Outlet.objects.bulk_create(outlets)
    stories = [Story(title=f"Bench story {n}", slug=f"bench-story-{n}") for n in range(500)]
    Story.objects.bulk_create(stories)
    rare_at = set(rng.sample(range(articles * PASSAGES_PER_ARTICLE), 40))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM sources_article")
        first_id = cursor.fetchone()[0] + 1
        raw = cursor.cursor
        with raw.copy(
            "COPY sources_article (id, outlet_id, story_id, title, byline, url, published, "
            "language, text, content_hash, text_version, raw, raw_format, source_name, "
            "imported, updated) FROM STDIN"
        ) as copy:
            texts = []
            for n in range(articles):
                paragraphs = []
                for p in range(PASSAGES_PER_ARTICLE):
                    text = sentence(rng, words, rng.randint(8, 20))
                    if n * PASSAGES_PER_ARTICLE + p in rare_at:
                        text = text[:-1] + f" {RARE}."
                    paragraphs.append(text)
                text = "\n\n".join(paragraphs)
                texts.append(paragraphs)
                copy.write_row(
                    (
                        first_id + n,
                        outlets[n % len(outlets)].pk,
                        stories[n % len(stories)].pk,
                        f"Bench article {n}",
                        "",
                        f"https://bench.example/{n}",
                        date(2015, 1, 1) + timedelta(days=n % 3650),
                        "",
                        text,
                        f"{n:064x}",
                        1,
                        "",
                        "txt",
                        "",
                        "2025-01-01 00:00:00+00",
                        "2025-01-01 00:00:00+00",
                    )
                )
        print(f"  articles written in {time.perf_counter() - started:.0f} s", flush=True)
        with raw.copy(
            'COPY sources_passage (article_id, ordinal, start, "end", kind, depth) FROM STDIN'
        ) as copy:
            for n, paragraphs in enumerate(texts):
                start = 0
                for p, paragraph in enumerate(paragraphs, 1):
                    kind = "headline" if p == 1 else "body"
                    copy.write_row((first_id + n, p, start, start + len(paragraph), kind, 0))
                    start += len(paragraph) + 2
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('sources_article', 'id'), max(id)) "
            "FROM sources_article"
        )
        cursor.execute("ANALYZE")
    print(f"  passages written and indexed in {time.perf_counter() - started:.0f} s", flush=True)


def plan(search: Search) -> str:
    """How the hits are read, as EXPLAIN tells: the GIN index for a rare word, a scan that
    stops at the count limit for a common one."""
    with_sql, params = search._with_hits(search.widen(), "passages")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + with_sql + "SELECT id FROM hits", params)
        lines = [row[0] for row in cursor.fetchall()]
    scans = [line.strip() for line in lines if "Scan on sources_passage" in line]
    scans += [line.strip() for line in lines if "Index Scan on sources_passage" in line]
    return "; ".join(scan.split("  (")[0] for scan in scans)


def measure(label: str, search: Search) -> None:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        results = search.results()
        times.append((time.perf_counter() - started) * 1000)
    total = f"over {results.total}" if results.estimated else str(results.total)
    print(
        f"{label:<34} {statistics.median(times):8.1f} {max(times):8.1f}   {total:>12} hits, "
        f"{sum(len(v) for v in results.facets.values())} facet values"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/search.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    if not Article.objects.filter(title="Bench article 0").exists():
        print(
            f"Building {args.articles:,} articles of {PASSAGES_PER_ARTICLE} passages…", flush=True
        )
        build(args.articles)
    with connection.cursor() as cursor:
        # As autovacuum would in time: the GIN index's pending list emptied (after the
        # build, or after migrate indexed every row again), the statistics fresh.
        cursor.execute("VACUUM ANALYZE sources_passage")
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'sources_passage'")
        print(f"sources_passage: about {cursor.fetchone()[0]:,} rows")
    print(f"{'search (first page, facets, totals)':<34} {'median':>8} {'max':>8}   (ms)")
    print(f"plan for the common word: {plan(Search(COMMON))}")
    measure(f"rare word ({RARE})", Search(RARE))
    measure(f"common word ({COMMON})", Search(COMMON))
    measure(f'phrase ("{" ".join(PHRASE)}")', Search(f'"{" ".join(PHRASE)}"'))
    measure(f"either ({PHRASE[1]} OR {RARE})", Search(f"{PHRASE[1]} OR {RARE}"))
    measure("name with variants (Zelensky)", Search("Zelensky"))
    measure(
        "common word, outlet and year",
        Search(COMMON, filters=Filters(outlet="bench-outlet-3", year=2019)),
    )


if __name__ == "__main__":
    main()
