"""Time the story, claim and article pages on their hot spots, small and large, and print
median, 95th percentile, query count and size of each.

    .venv/bin/python bench/reading_pages.py            # a throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parallax_pages_bench \
        .venv/bin/python bench/reading_pages.py

The hot spots are the ones issue 13 measured: a story whose grid would be 220 claims by
200 outlets (~44,000 cells) next to a story of 10 claims by 20 outlets, a claim carried by
200 outlets in 300 excerpts next to one with 20, an article with 400 annotations next to one
with 10. Add --profile to print where the large pages spend their time.
"""

import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

from _setup import start_django  # noqa: E402

start_django(os.environ["DATABASE_URL"])

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotations.models import Annotation, Claim, Tag, TaggedAnnotation  # noqa: E402
from sources.models import Article, Outlet, Passage, Story, content_hash  # noqa: E402

REPEAT = 15
SENTENCE = "The gate failed two inspections before the storm, an internal memo shows. "
STANCES = ["asserts", "reports", "disputes", "quotes", "", "reports"]


def articles_for(story, outlets, per_outlet, paragraphs, rng):
    """Bulk-made articles with passages: `per_outlet` for each outlet."""
    rows = []
    for outlet in outlets:
        for n in range(per_outlet):
            body = "\n\n".join(
                f"{story.pk}-{outlet.pk}-{n}-{p}. {SENTENCE * rng.randint(2, 5)}"
                for p in range(paragraphs)
            )
            text = f"Article {n} of {outlet.name}\n\n{body}"
            rows.append(
                Article(
                    outlet=outlet,
                    story=story,
                    title=f"{outlet.name} on {story.title}, part {n}",
                    byline="A. Writer",
                    text=text,
                    content_hash=content_hash(text),
                    raw=text,
                )
            )
    articles = Article.objects.bulk_create(rows)
    if connection.vendor != "postgresql":
        articles = list(Article.objects.filter(story=story).order_by("pk"))
    passages = []
    for article in articles:
        start = 0
        for ordinal, chunk in enumerate(article.text.split("\n\n"), 1):
            passages.append(
                Passage(article=article, ordinal=ordinal, start=start, end=start + len(chunk))
            )
            start += len(chunk) + 2
    Passage.objects.bulk_create(passages, batch_size=2000)
    return articles


def annotate(pairs, tags, rng):
    """Bulk-made annotations: (article, claim or None) pairs, each on a word of its text."""
    rows = []
    for article, claim in pairs:
        start = rng.randrange(0, len(article.text) - 40)
        end = start + rng.randint(8, 30)
        rows.append(
            Annotation(
                article=article,
                start=start,
                end=end,
                exact=article.text[start:end],
                prefix=article.text[max(0, start - 32) : start],
                suffix=article.text[end : end + 32],
                claim=claim,
                stance=rng.choice(STANCES),
                note="A note on the wording." if rng.random() < 0.2 else "",
            )
        )
    made = Annotation.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor != "postgresql":
        made = list(Annotation.objects.order_by("-pk")[: len(rows)])
    TaggedAnnotation.objects.bulk_create(
        [
            TaggedAnnotation(content_object=a, tag=tag)
            for a in made
            for tag in rng.sample(tags, rng.randint(0, 2))
        ],
        batch_size=2000,
    )


def story_with_grid(name, outlets, claims, per_outlet, carry, tags, rng):
    story = Story.objects.create(title=f"{name} story", slug=f"{name}-story")
    shelf = [
        Outlet.objects.create(name=f"{name} outlet {o:03d}", slug=f"{name}-outlet-{o:03d}")
        for o in range(outlets)
    ]
    statements = [
        Claim.objects.create(
            story=story,
            statement=f"{name} claim number {c}",
            slug=f"{name}-claim-{c}",
            status=Claim.Status.PUBLISHED if c % 7 else Claim.Status.DRAFT,
        )
        for c in range(claims)
    ]
    articles = articles_for(story, shelf, per_outlet, 6, rng)
    pairs = [
        (article, claim)
        for article in articles
        for claim in statements
        if rng.random() < carry / per_outlet
    ]
    annotate(pairs, tags, rng)
    return story


def claim_with_excerpts(name, outlets, excerpts, tags, rng):
    story = Story.objects.create(title=f"{name} claim story", slug=f"{name}-claim-story")
    shelf = [
        Outlet.objects.create(
            name=f"{name} claim outlet {o:03d}", slug=f"{name}-claim-outlet-{o:03d}"
        )
        for o in range(outlets)
    ]
    claim = Claim.objects.create(
        story=story,
        statement=f"The {name} claim that many outlets carried",
        slug=f"{name}-claim",
        status=Claim.Status.PUBLISHED,
    )
    articles = articles_for(story, shelf, 1, 8, rng)
    annotate([(articles[n % len(articles)], claim) for n in range(excerpts)], tags, rng)
    return claim


def article_with_annotations(name, count, tags, rng):
    story = Story.objects.create(title=f"{name} article story", slug=f"{name}-article-story")
    outlet = Outlet.objects.create(name=f"{name} reader outlet", slug=f"{name}-reader-outlet")
    (article,) = articles_for(story, [outlet], 1, 120, rng)
    annotate([(article, None)] * count, tags, rng)
    return article


def measure(client, label, url, profile=False):
    times, cpu = [], []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    # The CPU time of this process (Python, templates; not the database's): steadier than
    # the wall clock when other work shares the machine.
    print(
        f"{label:<30} median {statistics.median(times) * 1000:6.1f} ms  "
        f"p95 {p95 * 1000:6.1f} ms  cpu {statistics.median(cpu) * 1000:6.1f} ms  "
        f"{len(queries):2} queries  {len(response.content) / 1024:7.1f} KiB",
        flush=True,
    )
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main():
    profile = "--profile" in sys.argv
    # The pages as rendered, not from the shared-link cache (parallax/page_cache.py).
    settings.PARALLAX_PAGE_CACHE = False
    call_command("migrate", verbosity=0)
    rng = random.Random(13)
    if not Story.objects.filter(slug="large-story").exists():
        started = time.perf_counter()
        tags = [
            Tag.objects.get_or_create(name=f"bench tag {n}", slug=f"bench-tag-{n}")[0]
            for n in range(8)
        ]
        story_with_grid("small", 20, 10, 2, 0.5, tags, rng)
        story_with_grid("large", 200, 220, 3, 0.35, tags, rng)
        claim_with_excerpts("small", 20, 20, tags, rng)
        claim_with_excerpts("large", 200, 300, tags, rng)
        article_with_annotations("small", 10, tags, rng)
        article_with_annotations("large", 400, tags, rng)
        print(f"built in {time.perf_counter() - started:.1f} s")
    print(
        f"database: {connection.vendor}; {Article.objects.count()} articles, "
        f"{Annotation.objects.count()} annotations"
    )
    client = Client()
    for size in ("small", "large"):
        big = profile and size == "large"
        story = Story.objects.get(slug=f"{size}-story")
        claim = Claim.objects.get(slug=f"{size}-claim")
        article = Article.objects.get(story__slug=f"{size}-article-story")
        measure(client, f"story page ({size})", story.get_absolute_url(), big)
        measure(client, f"claim page ({size})", claim.get_absolute_url(), big)
        measure(client, f"claim JSON export ({size})", f"/claims/{claim.slug}/export.json")
        measure(client, f"article page ({size})", article.get_absolute_url(), big)


if __name__ == "__main__":
    main()
