"""Time the heaviest pages on generated data and print the figures.

    .venv/bin/python bench/pages.py            # a throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parallax_bench .venv/bin/python bench/pages.py

It prints the median and worst time of each page over a few requests, and the
number of SQL queries each ran. Timings belong here, not in the test suite.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parallax.test_settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from annotations.models import Annotation, Claim  # noqa: E402
from sources.models import Article, Passage  # noqa: E402
from tests.factories import make_claim, make_outlet, make_story  # noqa: E402

REPEAT = 7


def build():
    story = make_story(title="Benchmark story")
    claim = make_claim(story=story, statement="Benchmark claim", status=Claim.Status.PUBLISHED)
    paragraph = "The gate failed two inspections before the storm, an internal memo shows. " * 6
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(200))
    articles = []
    for o in range(30):
        outlet = make_outlet(name=f"Outlet {o:02d}")
        for a in range(5):
            article = Article.objects.create(
                outlet=outlet, story=story, title=f"Article {o}-{a}", text=f"{o}-{a}\n\n{text}"
            )
            start, passages = 0, []
            for n, chunk in enumerate(article.text.split("\n\n"), 1):
                passages.append(
                    Passage(article=article, ordinal=n, start=start, end=start + len(chunk))
                )
                start += len(chunk) + 2
            Passage.objects.bulk_create(passages)
            articles.append(article)
    for article in articles[::5]:
        for n, position in enumerate(range(10, 200 * 40, 40)):
            annotation = Annotation.objects.create(
                article=article,
                start=position,
                end=position + 20,
                exact=article.text[position : position + 20],
                claim=claim if n % 10 == 0 else None,
                stance="reports",
            )
            annotation.tags.add("quote", "framing")
    return story, claim, articles[0]


def measure(client, label, url):
    times = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    size = len(response.content) // 1024
    print(
        f"{label:<40} median {statistics.median(times) * 1000:7.1f} ms   "
        f"worst {max(times) * 1000:7.1f} ms   {len(queries)} queries   {size} KiB"
    )


def main():
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    story, claim, article = build()
    print(
        f"data: {Article.objects.count()} articles, {Passage.objects.count()} passages, "
        f"{Annotation.objects.count()} annotations ({time.perf_counter() - started:.1f} s to build)"
    )
    print(f"database: {connection.vendor}")
    client = Client()
    measure(client, "home", "/")
    measure(client, "story page (coverage grid)", story.get_absolute_url())
    measure(client, "article with 200 annotations", article.get_absolute_url())
    measure(client, "claim comparison (30 outlets)", claim.get_absolute_url())
    measure(client, "claim export (JSON)", f"/claims/{claim.slug}/export.json")
    measure(client, "tag page (quote)", "/tags/quote/")
    measure(client, "claims index", "/claims/")


if __name__ == "__main__":
    main()
