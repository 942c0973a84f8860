"""The import rate through the `import_articles` command, and its peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parallax_import_bench \\
        .venv/bin/python bench/imports.py [--files 10000] [--profile out.prof]

Writes N plain-text files (fixed seed, invented words: a headline, a date line, a few
paragraphs, a few quotations, one in five the words of another outlet's quotation) and a
manifest.csv spreading them over 20 outlets and 50 stories, each with its own URL, into
a temporary folder. Empties its own database (created and migrated when missing), then
runs `manage.py import_articles` on the folder in a subprocess, as a person would, and
prints:

- the articles per second without tracing (the command's own figure for reading,
  splitting into passages and extracting quotations, up to the last file's report),
  with tracing (until the command returns), and over the subprocess's whole life
  (Python and Django starting included);
- the subprocess's peak memory: its maximum resident set size as the kernel counts it
  (os.wait4's ru_maxrss), the interpreter and Django included;
- the same folder imported again (every file already there);
- the queries an article takes, counted in this process on the first 200 files
  (imported, then rolled back).

Timings are printed, never asserted; the targets are at least 200 articles/s and under
300 MB for 10,000 files.
"""

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import invented_words, start_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parallax_import_bench"
start_django(DEFAULT_URL)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sources.importer import import_paths  # noqa: E402

OUTLETS = 20
STORIES = 50
SPEAKERS = ["Ana Lind", "Mayor Ortiz", "the minister", "Jon Berg", "a spokeswoman", "Ines Vale"]
VERBS = ["said", "told reporters", "admitted", "insisted", "wrote", "added"]
MONTHS = ["January", "March", "May", "July", "September", "November"]


def sentence(rng: random.Random, words: list[str], low: int = 8, high: int = 20) -> str:
    chosen = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(3)]
    chosen += rng.sample(words, rng.randint(low, high) - 3)
    rng.shuffle(chosen)
    return " ".join(chosen).capitalize() + "."


def article(rng: random.Random, words: list[str], said: list[str]) -> str:
    """A headline, a date line, four to seven paragraphs, two to four of them quoting."""
    headline = " ".join(rng.sample(words, rng.randint(4, 8))).capitalize()
    dateline = f"{rng.randint(1, 28)} {rng.choice(MONTHS)} {rng.randint(2019, 2025)}"
    paragraphs = [
        " ".join(sentence(rng, words) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(4, 7))
    ]
    for _ in range(rng.randint(2, 4)):
        if said and rng.random() < 0.2:
            quote = rng.choice(said)
        else:
            quote = sentence(rng, words, 10, 24)
            said.append(quote)
        speaker, verb = rng.choice(SPEAKERS), rng.choice(VERBS)
        quoted = f"“{quote[:-1]},” {speaker} {verb}. " + sentence(rng, words)
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), quoted)
    return "\n\n".join([headline, dateline, *paragraphs]) + "\n"


def write_files(folder: Path, count: int) -> int:
    """`count` article files and their manifest in `folder`; returns the bytes written."""
    rng = random.Random(13)
    words = invented_words(rng, 5000)
    said: list[str] = []
    size = 0
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        manifest = csv.writer(handle)
        manifest.writerow(["file", "outlet", "story", "url"])
        for n in range(count):
            name = f"article-{n:05}.txt"
            outlet = n % OUTLETS
            text = article(rng, words, said)
            del said[:-2000]
            size += (folder / name).write_text(text, encoding="utf-8")
            manifest.writerow(
                [
                    name,
                    f"Bench outlet {outlet}",
                    f"Bench story {rng.randrange(STORIES)}",
                    f"https://outlet-{outlet}.example.org/news/{n}",
                ]
            )
    return size


def empty_database() -> None:
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def run_command(folder: Path, profile: str | None) -> tuple[float, int, str]:
    """The command on `folder` in a subprocess: (seconds, peak RSS in KB, its output)."""
    command = [sys.executable]
    if profile:
        command += ["-m", "cProfile", "-o", profile]
    command += [str(ROOT / "manage.py"), "import_articles", str(folder)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode()
    if process.returncode:
        print(output[-3000:])
        raise SystemExit(f"the command failed with exit code {process.returncode}")
    return elapsed, usage.ru_maxrss, output


def command_rates(output: str) -> tuple[float, float]:
    """The command's own figures: (articles/s without tracing, with tracing)."""
    match = re.search(r"([\d,.]+) articles/s without tracing, ([\d,.]+) with", output)
    if match is None:
        return float("nan"), float("nan")
    return tuple(float(value.replace(",", "")) for value in match.groups())


def summary(output: str) -> str:
    """The command's closing lines: its counts and its pace."""
    return "; ".join(
        line for line in output.splitlines() if " created, " in line or "articles in" in line
    )


def queries_per_article(folder: Path, count: int = 200) -> None:
    """The queries of importing the first `count` files, counted here and rolled back."""
    files = sorted(folder.glob("article-*.txt"))[:count]
    with transaction.atomic():
        with CaptureQueriesContext(connection) as context:
            outcomes = import_paths(files, outlet="Bench outlet 0", story="Bench story 0")
        created = sum(1 for outcome in outcomes if outcome.status == "created")
        transaction.set_rollback(True)
    kinds: dict[str, int] = {}
    for query in context.captured_queries:
        kind = query["sql"].split(None, 1)[0].upper()
        kinds[kind] = kinds.get(kind, 0) + 1
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    print(
        f"queries: {len(context.captured_queries)} for {created} articles, "
        f"{len(context.captured_queries) / max(created, 1):.2f} an article ({detail}); "
        "tracing included"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--profile", help="Write a cProfile of the first import to this file.")
    options = parser.parse_args()
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")
    with tempfile.TemporaryDirectory(prefix="parallax-import-bench-") as name:
        folder = Path(name)
        started = time.perf_counter()
        size = write_files(folder, options.files)
        print(
            f"{options.files:,} files ({size / 1e6:.1f} MB, {size / options.files:,.0f} bytes "
            f"on average) written in {time.perf_counter() - started:.1f} s"
        )
        empty_database()
        elapsed, peak, output = run_command(folder, options.profile)
        without, with_tracing = command_rates(output)
        print(summary(output))
        print(
            f"first import: {without:,.0f} articles/s without tracing, {with_tracing:,.0f} "
            f"with tracing (the command's figures); {options.files / elapsed:,.0f} articles/s "
            f"over the subprocess's {elapsed:.1f} s, start-up included"
        )
        print(f"peak memory of the command: {peak / 1024:,.0f} MB (maximum RSS, os.wait4)")
        elapsed, peak, output = run_command(folder, None)
        print(
            f"same folder again: {summary(output)}; {elapsed:.1f} s in all, "
            f"{options.files / elapsed:,.0f} files/s; peak memory {peak / 1024:,.0f} MB"
        )
        empty_database()
        queries_per_article(folder)


if __name__ == "__main__":
    main()
