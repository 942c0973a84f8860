"""Where one page's time goes: cProfile over a few uncached, anonymous requests on one of
bench/scale.py's databases, printing the functions that took most.

    .venv/bin/python bench/profile_page.py 100k /tags/quote/
    .venv/bin/python bench/profile_page.py 1k /claims/shared-claim/ --requests 10 --sort tottime

Build the databases first (bench/scale.py). The page is served as bench/scale.py times it:
parallax.test_settings, every cache replaced by the dummy cache, the page cache off.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale import SIZES, database_url  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=SIZES)
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--sort", default="cumulative", help="pstats order (cumulative)")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--sql", action="store_true", help="also each query's time and SQL")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parallax.test_settings")
    os.environ["DATABASE_URL"] = database_url(args.size)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    dummy = {
        alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        for alias in settings.CACHES
    }
    with override_settings(CACHES=dummy, PARALLAX_PAGE_CACHE=False):
        client = Client()
        response = client.get(args.url)
        if response.status_code != 200:
            sys.exit(f"{args.url} answered {response.status_code}")
        times, cpu = [], []
        for _ in range(max(args.requests, 5)):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(args.url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        started = time.perf_counter()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            client.get(args.url)
        profile.disable()
        took = (time.perf_counter() - started) * 1000 / args.requests
        with CaptureQueriesContext(connection) as queries:
            client.get(args.url)
    print(
        f"{args.url}: median {statistics.median(times):.1f} ms over {len(times)} requests "
        f"({statistics.median(cpu):.1f} ms of this process's CPU time), "
        f"{took:.1f} ms under the profiler ({args.requests} requests)"
    )
    if args.sql:
        for query in queries:
            print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:600]}")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
