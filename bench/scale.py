"""Issue 13's figures: every reading page at 1,000 and 100,000 articles, the shared claim
page's throughput under gunicorn against a static file, and the import rate.

    .venv/bin/python bench/scale.py                    # build what is missing, measure all
    .venv/bin/python bench/scale.py --sizes 1k         # one size only
    .venv/bin/python bench/scale.py --no-throughput --requests 10
    .venv/bin/python bench/scale.py --rebuild          # drop the two databases and build again

The generator writes each size into a database of its own on SCALE_DATABASE_SERVER
(default postgres://postgres@127.0.0.1:5432): parallax_scale_1k and parallax_scale_100k,
created when missing and reused once built (a table `bench_scale` marks a finished build
and holds the hot spots' addresses; a half-built database is dropped and built again).
With a fixed seed and COPY it writes, at 100,000 articles: 500 outlets, 2,000 stories,
about 1.1 million passages (headlines, prefaces, bodies, reader comments, boilerplate),
about 4,800 claims, 200,000 annotations with their tags, 100,000 quotations traced across
each story's outlets. Hot spots: the biggest story (2,000 articles by 400 outlets, 220
claims, a grid of ~44,000 cells), a claim carried by 200 outlets in 300 excerpts, an article
with 400 annotations, the tag "quote" on 50,000 annotations. At 1,000 articles the story
has 300 articles by 220 outlets and 40 claims and "quote" has 500 uses; the shared claim
and the annotated article are the same as at 100k, so their pages compare. Each run then
migrates, calls `manage.py recount` when it exists (stored counters) and ANALYZEs.

Time on this 2-core machine: building 1k takes about 5 s, 100k about 5 minutes (the
database's own triggers index every passage as it is written; the database is ~700 MB).
A run on built databases takes about 9 minutes: the pages at both sizes 2–3 minutes (a
page that takes seconds is timed over fewer requests, about a minute's worth, at least
5), throughput about 1 minute, bench/imports.py about 5 minutes (--no-imports skips it).

The pages are timed in-process with Django's test client (parallax.test_settings, as
bench/pages.py), anonymous and uncached (every configured cache is replaced with
Django's dummy cache): median and 95th percentile over --requests requests after a
warm-up, the SQL queries of one more request, and the response's size. Each size runs in
a child process (`scale.py pages SIZE`), so each has its own database connection.

Throughput: gunicorn (--workers, 3 by default: the machine has 2 cores, and the database
and the load client share them) serving with production settings (bench/serve_settings.py:
parallax.settings with DEBUG off, static files collected into a temporary folder and served
by WhiteNoise), loaded by wrk (`apt-get install wrk`): a static file, the shared claim page
anonymous and unfiltered with the caches as configured, then the same page with every
cache off, each for --seconds after a short warm-up, in the same run. wrk asks as a
browser does, with Accept-Encoding: gzip, so the static file comes as WhiteNoise's gzip
copy and the cached page as the page cache's; each line gives the bytes of an answer.
"""

import argparse
import contextlib
import json
import math
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._setup import (  # noqa: E402
    copy_rows,
    ensure_postgres_database,
    invented_words,
    reset_sequence,
)

SERVER = os.environ.get("SCALE_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
SIZES = {"1k": 1_000, "100k": 100_000}
SEED = 13
# Bump when the generated shape changes: a database built by another version is rebuilt.
SHAPE_VERSION = 1
HOT_TAG = "quote"
HOT_CLAIM_SLUG = "shared-claim"
HOT_STORY_SLUG = "the-flood-barrier-inquiry"
SEARCH_WORD = "council"  # in about 30% of sentences, as in bench/search.py
# At most about this long timing one page: a page of seconds gets fewer requests.
PAGE_BUDGET_SECONDS = 60
TARGET_MEDIAN_MS = 30
TARGET_P95_MS = 80
TARGET_RATIO = 1.3
TARGET_THROUGHPUT = 0.40
STANCES = ["asserts", "reports", "reports", "disputes", "quotes", "other", ""]
VERBS = ["says", "said", "recalls", "admits", "de facto admits", "claims", "insists", "writes"]
COUNTRIES = ["UK", "US", "Ukraine", "Germany", "France", "Poland", "Latvia", "Canada"]
LANGUAGES = ["en", "en", "en", "en", "uk", "ru", "de"]


def database_url(size: str) -> str:
    return f"{SERVER.rstrip('/')}/parallax_scale_{size}"


# The shape ------------------------------------------------------------------------------


class Shape:
    """How many of everything, for `articles` articles; hot spots scaled down at 1k except
    the shared claim (200 outlets, 300 excerpts) and the annotated article (400)."""

    def __init__(self, articles: int):
        self.articles = articles
        self.outlets = max(250, articles // 200)
        self.stories = max(20, articles // 50)
        self.hot_story_articles = max(300, articles // 50)
        self.hot_story_outlets = min(self.outlets, max(220, articles // 250))
        self.hot_story_claims = min(220, max(40, articles // 450))
        # How many outlets carry each of the hot story's other claims: the grid's cells.
        self.grid_outlets = 200 if articles >= 50_000 else 20
        self.annotations = 2 * articles
        self.hot_claim_outlets = 200
        self.hot_claim_excerpts = 300
        self.hot_article_annotations = 400
        self.hot_tag_uses = articles // 2


class Text:
    """Paragraphs of invented words (no stemmer folds them together), with SEARCH_WORD in
    about 30% of them, as bench/search.py writes them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words = invented_words(rng, 5000)
        self.speakers = [" ".join(w.capitalize() for w in pair) for pair in self._pairs(300)]

    def _pairs(self, n):
        # (i * 13 % 5000 + 1 stays below 5000 for the 300 pairs made; it is kept as it
        # was: the databases built with it stay valid.)
        return [(self.words[i * 7 % 5000], self.words[i * 13 % 5000 + 1]) for i in range(n)]

    def sentence(self, low=8, high=20) -> str:
        rng, words = self.rng, self.words
        chosen = [
            words[min(int(rng.paretovariate(1.2)) - 1, len(words) - 1)]
            for _ in range(rng.randint(low, high))
        ]
        if rng.random() < 0.3:
            chosen.insert(rng.randrange(len(chosen)), SEARCH_WORD)
        return " ".join(chosen).capitalize() + "."

    def paragraph(self, sentences=2) -> str:
        return " ".join(self.sentence() for _ in range(sentences))


def article_text(text: Text, title: str, quote: tuple[str, str, str] | None, *, long=False):
    """(text, [(start, end, kind, depth)]) of one article: a headline, sometimes an editor's
    preface, body paragraphs (one quoting `quote`: words, verb, speaker), sometimes reader
    comments and boilerplate. About 11 passages; `long`: 40 long body paragraphs."""
    rng = text.rng
    parts: list[tuple[str, str, int]] = [(title, "headline", 0)]
    if not long and rng.random() < 0.1:
        parts.append(("Editor's note: " + text.paragraph(1), "preface", 0))
    bodies = 40 if long else rng.randint(6, 9)
    for n in range(bodies):
        parts.append((text.paragraph(6 if long else 2), "body", 0))
        if quote and n == 1:
            words, verb, speaker = quote
            parts.append((f"“{words}”, {verb} {speaker}. " + text.sentence(), "body", 0))
    if not long:
        tail = 11 - len(parts)
        if tail > 1 and rng.random() < 0.3:
            for c in range(tail - 1):
                parts.append((f"Reader {c}: " + text.sentence(4, 12), "comment", c % 2))
            tail = 1
        for _ in range(tail):
            kind = "boilerplate" if rng.random() < 0.5 else "body"
            parts.append((text.paragraph(1), kind, 0))
    full, passages, at = [], [], 0
    for chunk, kind, depth in parts:
        full.append(chunk)
        passages.append((at, at + len(chunk), kind, depth))
        at += len(chunk) + 2
    return "\n\n".join(full), passages


def pick_span(rng, text: str, start: int, end: int) -> tuple[int, int]:
    """A span of whole words of 15–90 characters within [start, end)."""
    length = rng.randint(15, 90)
    if end - start <= length + 2:
        return start, end
    at = rng.randrange(start, end - length)
    space = text.find(" ", at, end - length)
    if space != -1:
        at = space + 1
    stop = min(end, at + length)
    space = text.rfind(" ", at + 5, stop)
    if space != -1:
        stop = space
    return at, stop


# Building --------------------------------------------------------------------------------


class Builder:
    """Writes one size with COPY, story by story, in batches of about 5,000 articles."""

    BATCH = 5_000

    def __init__(self, shape: Shape):
        from django.db import connection

        self.shape = shape
        self.connection = connection
        self.rng = random.Random(SEED)
        self.text = Text(self.rng)
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.counts = {"passages": 0, "annotations": 0, "tagged": 0, "quotations": 0}
        self.next_article = 1
        self.next_annotation = 1
        self.hot: dict = {}
        # Every n-th annotation carries HOT_TAG: hot_tag_uses of them in all.
        self.hot_tag_step = max(1, shape.annotations // shape.hot_tag_uses)

    # Small tables, through the ORM ------------------------------------------------------

    def people_and_vocabulary(self):
        from django.contrib.auth.models import Group, User

        from annotations.models import Tag

        user, _ = User.objects.get_or_create(username="bench-editor")
        user.groups.add(Group.objects.get_or_create(name="editors")[0])
        self.author_id = user.pk
        for n in range(30):
            Tag.objects.get_or_create(
                name=f"bench tag {n}",
                defaults={"status": "accepted" if n % 3 else "proposed", "position": 100 + n},
            )
        self.hot_tag = Tag.objects.get(slug=HOT_TAG)
        self.other_tags = list(
            Tag.objects.exclude(pk=self.hot_tag.pk).order_by("pk").values_list("pk", flat=True)
        )
        # The n-th tag used as often as 1/n: the most used of them on about 18% of the
        # annotations, below HOT_TAG's 25%.
        self.tag_weights = [1 / n for n in range(1, len(self.other_tags) + 1)]

    def outlets_and_stories(self):
        from sources.models import Outlet, Story

        rng, shape = self.rng, self.shape
        outlets = [
            Outlet(
                name=f"Outlet {n:03d} {self.text.words[n].capitalize()}",
                slug=f"outlet-{n:03d}",
                site=f"https://outlet-{n:03d}.example/",
                country=COUNTRIES[n % len(COUNTRIES)],
                language=LANGUAGES[n % len(LANGUAGES)],
            )
            for n in range(shape.outlets)
        ]
        self.outlet_ids = [o.pk for o in Outlet.objects.bulk_create(outlets)]
        stories = [
            Story(
                title="The flood barrier inquiry"
                if n == 0
                else f"Story {n}: {self.text.sentence(3, 6)}",
                slug=HOT_STORY_SLUG if n == 0 else f"story-{n}",
                description=self.text.paragraph(1),
            )
            for n in range(shape.stories)
        ]
        self.story_ids = [s.pk for s in Story.objects.bulk_create(stories)]
        with self.connection.cursor() as cursor:
            # Stories made over ten years, the inquiry last: the home page lists the newest.
            cursor.execute(
                "UPDATE sources_story SET created = %s - (id - %s) * interval '2 hours' "
                "WHERE id <> %s",
                [self.now, self.story_ids[0], self.story_ids[0]],
            )
            cursor.execute(
                "UPDATE sources_story SET created = %s WHERE id = %s",
                [self.now + timedelta(hours=1), self.story_ids[0]],
            )
        # Articles per story: the inquiry's fixed share, the rest skewed (a few big stories).
        rest = shape.articles - shape.hot_story_articles
        # Capped, so that no other story comes near the inquiry's size.
        weights = [min(rng.paretovariate(1.5), 20.0) for _ in range(shape.stories - 1)]
        total = sum(weights)
        sizes = [max(1, int(rest * w / total)) for w in weights]
        sizes[0] += rest - sum(sizes)
        self.story_sizes = [shape.hot_story_articles, *sizes]

    def claims(self):
        """Claims of each story (ids written by hand, so annotations can name them)."""
        from annotations.models import Claim

        rng, shape = self.rng, self.shape
        self.story_claims: dict[int, list[int]] = {}
        rows, claim_id = [], 1
        for index, story_id in enumerate(self.story_ids):
            if index == 0:
                count = shape.hot_story_claims
            else:
                count = min(self.story_sizes[index], rng.choice([0, 1, 2, 2, 3, 3, 4]))
            ids = []
            for n in range(count):
                hot = index == 0 and n == 0
                statement = (
                    "NATO leadership expected Kyiv to fall within days"
                    if hot
                    else f"Claim {claim_id}: {self.text.sentence(5, 12)}"
                )
                status = "published" if hot or rng.random() < 0.9 else "draft"
                updated = (
                    self.now + timedelta(hours=2) if hot else self.now - timedelta(minutes=claim_id)
                )
                rows.append(
                    (
                        claim_id,
                        story_id,
                        HOT_CLAIM_SLUG if hot else f"claim-{claim_id}",
                        statement,
                        status,
                        self.author_id,
                        updated - timedelta(days=3),
                        updated,
                        1,
                        Claim.key_for(statement),
                    )
                )
                ids.append(claim_id)
                claim_id += 1
            self.story_claims[story_id] = ids
        names = ["id", "story", "slug", "statement", "status", "created_by", "created"]
        names += ["updated", "version", "statement_key"]
        with self.connection.cursor() as cursor:
            copy_rows(cursor, Claim, names, rows)
            reset_sequence(cursor, Claim)
        self.hot["claim"] = HOT_CLAIM_SLUG
        print(f"  {len(rows):,} claims", flush=True)

    def traces(self):
        """Three quotations per story, each a trace its articles share."""
        from sources.models import Trace

        self.story_quotes = {}
        traces = Trace.objects.bulk_create(Trace() for _ in range(3 * len(self.story_ids)))
        for n, story_id in enumerate(self.story_ids):
            self.story_quotes[story_id] = [
                (
                    self.text.sentence(6, 14)[:-1],
                    VERBS[(n + k) % len(VERBS)],
                    self.text.speakers[(n * 3 + k) % len(self.text.speakers)],
                    traces[n * 3 + k].pk,
                )
                for k in range(3)
            ]

    # The big tables, by COPY --------------------------------------------------------------

    def articles(self):
        """Every story's articles, in batches: articles, passages, quotations, annotations,
        tags."""
        shape, rng = self.shape, self.rng
        plan = []  # (story index, outlet id)
        hot_outlets = rng.sample(self.outlet_ids, shape.hot_story_outlets)
        for n in range(shape.hot_story_articles):
            # Every hot outlet at least once, then at random among them.
            outlet = hot_outlets[n] if n < len(hot_outlets) else rng.choice(hot_outlets)
            plan.append((0, outlet))
        for index in range(1, len(self.story_ids)):
            for _ in range(self.story_sizes[index]):
                plan.append((index, rng.choice(self.outlet_ids)))
        self.hot_outlets = hot_outlets
        started = time.perf_counter()
        # The inquiry first, whole, in its own batch: its annotations need all its articles.
        first = shape.hot_story_articles
        self.batch(plan[:first], hot=True)
        self.hot["annotations"] = self.counts["annotations"]
        print(
            f"  the inquiry: {first:,} articles, {self.counts['annotations']:,} annotations",
            flush=True,
        )
        for at in range(first, len(plan), self.BATCH):
            self.batch(plan[at : at + self.BATCH], hot=False)
            done = min(len(plan), at + self.BATCH)
            elapsed = time.perf_counter() - started
            print(
                f"  {done:,}/{len(plan):,} articles, {self.counts['passages']:,} passages, "
                f"{self.counts['annotations']:,} annotations ({elapsed:.0f} s)",
                flush=True,
            )

    def batch(self, plan, *, hot: bool):
        from django.utils.text import slugify

        from annotations.models import Annotation, TaggedAnnotation
        from sources.models import Article, Passage, Quotation, content_hash
        from sources.quotations import quotation_key

        rng = self.rng
        articles, passages, quotations = [], [], []
        texts: dict[int, tuple[str, list]] = {}
        story_of: dict[int, int] = {}
        by_outlet: dict[int, list[int]] = {}
        for story_index, outlet_id in plan:
            story_id = self.story_ids[story_index]
            article_id = self.next_article
            self.next_article += 1
            long = hot and "article" not in self.hot
            if long:
                self.hot["article"] = article_id
            words, verb, speaker, trace_id = rng.choice(self.story_quotes[story_id])
            title = f"{self.text.sentence(4, 9)[:-1]} ({article_id})"
            text, spans = article_text(self.text, title, (words, verb, speaker), long=long)
            texts[article_id] = (text, spans)
            story_of[article_id] = story_id
            by_outlet.setdefault(outlet_id, []).append(article_id)
            published = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
            imported = self.now - timedelta(days=rng.randrange(900))
            articles.append(
                (
                    article_id,
                    outlet_id,
                    story_id,
                    title,
                    f"{self.text.speakers[article_id % 300]}",
                    published,
                    f"https://outlet-{outlet_id}.example/{published:%Y/%m}/{article_id}",
                    "",
                    text,
                    content_hash(text),
                    1,
                    text,  # the raw input: a plain-text file holds the text as it is
                    "txt",
                    f"article-{article_id}.txt",
                    imported,
                    imported,
                )
            )
            for ordinal, (start, end, kind, depth) in enumerate(spans, 1):
                passages.append((article_id, ordinal, start, end, kind, depth))
            quoted = text.index(f"“{words}”") + 1
            quotations.append(
                (
                    article_id,
                    quoted,
                    quoted + len(words),
                    [[quoted, quoted + len(words)]],
                    words,
                    speaker,
                    slugify(speaker, allow_unicode=True),
                    "",
                    verb,
                    quotation_key(words),
                    trace_id,
                )
            )
        annotations = self.annotations_for(texts, story_of, by_outlet, hot=hot)
        tagged = self.tags_for(annotations)
        with self.connection.cursor() as cursor:
            names = ["id", "outlet", "story", "title", "byline", "published", "url"]
            names += ["language", "text", "content_hash", "text_version", "raw", "raw_format"]
            names += ["source_name", "imported", "updated"]
            copy_rows(cursor, Article, names, articles)
            self.counts["passages"] += copy_rows(
                cursor, Passage, ["article", "ordinal", "start", "end", "kind", "depth"], passages
            )
            names = ["article", "start", "end", "spans", "text", "speaker", "speaker_slug"]
            names += ["speaker_as_written", "verb", "key", "trace"]
            rows = [(*q[:3], json.dumps(q[3]), *q[4:]) for q in quotations]
            self.counts["quotations"] += copy_rows(cursor, Quotation, names, rows)
            names = ["id", "article", "start", "end", "exact", "prefix", "suffix"]
            names += ["anchor_status", "anchored_version", "claim", "stance", "note", "author"]
            names += ["created", "modified", "version"]
            self.counts["annotations"] += copy_rows(cursor, Annotation, names, annotations)
            self.counts["tagged"] += copy_rows(
                cursor, TaggedAnnotation, ["tag", "content_object"], tagged
            )

    def annotations_for(self, texts, story_of, by_outlet, *, hot: bool) -> list[tuple]:
        """The batch's annotations: in the inquiry, the 400 of one article, the shared claim's
        300 excerpts by 200 outlets and the grid's cells; elsewhere, 0–4 per article, half
        under one of the story's claims."""
        rng, shape = self.rng, self.shape
        chosen: list[tuple[int, int | None]] = []  # (article, claim) before spans
        rows = []
        if hot:
            claims = self.story_claims[self.story_ids[0]]
            article = self.hot["article"]
            text, spans = texts[article]
            bodies = [(s, e) for s, e, kind, _ in spans if kind == "body"]
            for n in range(shape.hot_article_annotations):
                start, end = bodies[n % len(bodies)]
                # Ten slices of each paragraph, one annotation in each: few overlap.
                width = (end - start) // 10
                slot = start + (n // len(bodies)) % 10 * width
                rows.append(
                    self.annotation(
                        article,
                        text,
                        *pick_span(rng, text, slot, slot + width),
                        claims[1 + n % (len(claims) - 1)] if n % 3 == 0 else None,
                    )
                )
            # The other annotations of the inquiry go to its other articles: the hot
            # article keeps exactly its 400.
            for outlet, ids in list(by_outlet.items()):
                if article in ids:
                    ids.remove(article)
                if not ids:
                    del by_outlet[outlet]
            outlets = rng.sample(list(by_outlet), shape.hot_claim_outlets)
            for n in range(shape.hot_claim_excerpts):
                articles = by_outlet[outlets[n % len(outlets)]]
                chosen.append((rng.choice(articles), claims[0]))
            for claim in claims[1:]:
                for outlet in rng.sample(list(by_outlet), min(shape.grid_outlets, len(by_outlet))):
                    chosen.append((rng.choice(by_outlet[outlet]), claim))
            spare = shape.annotations * shape.hot_story_articles // shape.articles
            others = [a for a in texts if a != article]
            for _ in range(max(0, spare - len(chosen) - len(rows))):
                chosen.append((rng.choice(others), None))
        else:
            # The rest of the annotations, spread over the articles outside the inquiry.
            left = shape.annotations - self.hot["annotations"]
            per_article = max(0.0, left / (shape.articles - shape.hot_story_articles))
            for article in texts:
                claims = self.story_claims.get(story_of[article], [])
                for _ in range(self.count_around(per_article)):
                    claim = rng.choice(claims) if claims and rng.random() < 0.55 else None
                    chosen.append((article, claim))
        for article, claim in chosen:
            text, spans = texts[article]
            start, end, _, _ = rng.choice([s for s in spans if s[2] == "body"])
            rows.append(self.annotation(article, text, *pick_span(rng, text, start, end), claim))
        return rows

    def count_around(self, mean: float) -> int:
        """0 to 2·mean annotations, `mean` on average (a fraction rounds up by chance)."""
        drawn = self.rng.random() * 2 * mean
        return int(drawn) + (self.rng.random() < drawn - int(drawn))

    def annotation(self, article, text, start, end, claim) -> tuple:
        from sources.text.anchoring import quote_selector

        rng = self.rng
        selector = quote_selector(text, start, end)
        annotation_id = self.next_annotation
        self.next_annotation += 1
        created = self.now - timedelta(minutes=rng.randrange(500_000))
        note = self.text.sentence(5, 15) if rng.random() < 0.3 else ""
        return (
            annotation_id,
            article,
            start,
            end,
            selector.exact,
            selector.prefix,
            selector.suffix,
            "anchored",
            1,
            claim,
            rng.choice(STANCES),
            note,
            self.author_id,
            created,
            created,
            1,
        )

    def tags_for(self, annotations) -> list[tuple[int, int]]:
        """(tag, annotation): HOT_TAG on every hot_tag_step-th annotation (hot_tag_uses in all),
        and one of the other tags on the others and on a quarter of those."""
        rng, rows = self.rng, []
        for row in annotations:
            annotation_id = row[0]
            tags = set()
            if annotation_id % self.hot_tag_step == 0:
                tags.add(self.hot_tag.pk)
            if not tags or rng.random() < 0.25:
                tags.add(rng.choices(self.other_tags, self.tag_weights)[0])
            rows.extend((tag, annotation_id) for tag in sorted(tags))
        return rows

    def build(self):
        from sources.models import Article

        started = time.perf_counter()
        self.people_and_vocabulary()
        self.outlets_and_stories()
        self.claims()
        self.traces()
        self.articles()
        with self.connection.cursor() as cursor:
            for model in (Article, *self.hand_numbered()):
                reset_sequence(cursor, model)
        print(
            f"  written in {time.perf_counter() - started:.0f} s: "
            + ", ".join(f"{n:,} {what}" for what, n in self.counts.items()),
            flush=True,
        )
        return self.hot

    @staticmethod
    def hand_numbered():
        from annotations.models import Annotation

        return (Annotation,)


# The child: build if needed, then time the pages ------------------------------------------


def marker(cursor) -> dict | None:
    cursor.execute("SELECT to_regclass('bench_scale')")
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute("SELECT info FROM bench_scale")
    row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def prepare(size: str) -> dict:
    """Migrate, build when not built, recount, ANALYZE; the hot spots' addresses."""
    from django.core.management import call_command, get_commands
    from django.db import connection

    articles = SIZES[size]
    print(f"[{size}] migrating", flush=True)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        info = marker(cursor)
    if info is None:
        print(f"[{size}] building {articles:,} articles (seed {SEED})", flush=True)
        hot = Builder(Shape(articles)).build()
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("VACUUM ANALYZE")
            print(f"[{size}] VACUUM ANALYZE in {time.perf_counter() - started:.0f} s", flush=True)
            info = {"articles": articles, "seed": SEED, "shape": SHAPE_VERSION, **hot}
            cursor.execute("CREATE TABLE bench_scale (info text NOT NULL)")
            cursor.execute("INSERT INTO bench_scale VALUES (%s)", [json.dumps(info)])
    if "recount" in get_commands():
        started = time.perf_counter()
        call_command("recount")
        print(f"[{size}] manage.py recount in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        print(f"[{size}] no recount command: nothing to recount", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return info


def page_addresses(info: dict) -> list[tuple[str, str]]:
    from django.db.models import Count
    from django.urls import reverse

    from sources.models import Outlet

    outlet = Outlet.objects.annotate(n=Count("articles")).order_by("-n", "pk").first()
    return [
        ("home", reverse("reading:home")),
        ("story page (biggest story)", reverse("reading:story", args=[HOT_STORY_SLUG])),
        (f"tag page ({HOT_TAG})", reverse("reading:tag", args=[HOT_TAG])),
        ("claims index", reverse("reading:claims")),
        ("claim page (200 outlets)", reverse("reading:claim", args=[info["claim"]])),
        ("article, 400 annotations", reverse("reading:article", args=[info["article"]])),
        ("outlet page (biggest outlet)", reverse("reading:outlet", args=[outlet.slug])),
        (f"search ({SEARCH_WORD})", reverse("reading:search") + f"?q={SEARCH_WORD}"),
    ]


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the value below which p% of the requests finished."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def time_pages(size: str, requests: int, warmup: int) -> None:
    """The child process: prints progress, then one JSON line of figures."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parallax.test_settings")
    os.environ["DATABASE_URL"] = database_url(size)
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from annotations.models import Annotation, Claim
    from sources.models import Article, Outlet, Passage, Story

    info = prepare(size)
    configured = {alias: conf.get("BACKEND", "") for alias, conf in settings.CACHES.items()}
    dummy = {
        alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        for alias in settings.CACHES
    }
    counts = {
        "articles": Article.objects.count(),
        "passages": Passage.objects.count(),
        "annotations": Annotation.objects.count(),
        "claims": Claim.objects.count(),
        "outlets": Outlet.objects.count(),
        "stories": Story.objects.count(),
    }
    print(f"[{size}] " + ", ".join(f"{n:,} {what}" for what, n in counts.items()), flush=True)
    pages = []
    # The rendered-page cache's own switch too, when there is one: its middleware then
    # steps aside whole, as for a logged-in reader.
    switches = {"PARALLAX_PAGE_CACHE": False} if hasattr(settings, "PARALLAX_PAGE_CACHE") else {}
    with override_settings(CACHES=dummy, **switches):
        # A page that fails (other work in progress, say) is reported, and the rest timed.
        client = Client(raise_request_exception=False)
        for label, url in page_addresses(info):
            page = {"label": label, "url": url}
            response = client.get(url)
            if response.status_code != 200:
                page["error"] = f"answered {response.status_code}"
                print(f"[{size}] {label:<30} {url} {page['error']}: not timed", flush=True)
                pages.append(page)
                continue
            started = time.perf_counter()
            for _ in range(warmup - 1):
                client.get(url)
            slowest = (time.perf_counter() - started) / max(1, warmup - 1)
            # A page of seconds gets fewer requests (at least 5): about a minute each.
            count = min(requests, max(5, int(PAGE_BUDGET_SECONDS / max(slowest, 1e-3))))
            times = []
            for _ in range(count):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            # The queries of one more request, counted apart: capturing costs time.
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            page |= {
                "requests": count,
                "min": min(times),
                "median": statistics.median(times),
                "p95": percentile(times, 95),
                "queries": len(queries),
                "bytes": len(response.content),
            }
            print(
                f"[{size}] {label:<30} min {page['min']:7.1f} ms  median {page['median']:7.1f} ms  "
                f"p95 {page['p95']:7.1f} ms"
                f"  {page['queries']:3d} queries  {page['bytes'] / 1024:7.0f} KiB"
                + (f"  (over {count} requests)" if count < requests else ""),
                flush=True,
            )
            pages.append(page)
    configured["switches"] = switches
    result = {"size": size, "counts": counts, "caches": configured, "requests": requests}
    print(json.dumps(result | {"pages": pages}))


# The parent: databases, children, gunicorn, the report --------------------------------------


def admin_connection(size: str) -> tuple[dict, str]:
    """psycopg's connection arguments for the server of `size`, and its database's name."""
    parts = urlsplit(database_url(size))
    admin = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "autocommit": True,
    }
    return admin, unquote(parts.path.lstrip("/"))


def built(size: str) -> dict | None:
    """The marker of a finished build of `size`, or None."""
    import psycopg

    admin, name = admin_connection(size)
    try:
        with psycopg.connect(**admin, dbname=name) as connection, connection.cursor() as cursor:
            return marker(cursor)
    except psycopg.OperationalError:
        return None


def drop_if_half_built(size: str, rebuild: bool) -> None:
    """Drop the size's database when --rebuild, or when it holds a build that did not
    finish or was made by another version of the generator."""
    import psycopg
    from psycopg import sql

    admin, name = admin_connection(size)
    with psycopg.connect(**admin, dbname="postgres") as connection:
        if (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is None
        ):
            return
    with psycopg.connect(**admin, dbname=name) as connection, connection.cursor() as cursor:
        info = marker(cursor)
        cursor.execute("SELECT to_regclass('sources_article') IS NOT NULL")
        has_tables = cursor.fetchone()[0]
    fine = info is not None and info.get("shape") == SHAPE_VERSION and info.get("seed") == SEED
    if rebuild or (has_tables and not fine):
        print(f"Dropping {name} ({'--rebuild' if rebuild else 'unfinished or older build'})")
        with psycopg.connect(**admin, dbname="postgres") as connection:
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )


def run_child(size: str, args) -> dict:
    command = [sys.executable, __file__, "pages", size, "--requests", str(args.requests)]
    command += ["--warmup", str(args.warmup)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    last = ""
    for line in process.stdout:
        if line.startswith("{"):
            last = line
        else:
            print(line, end="", flush=True)
    if process.wait() != 0 or not last:
        raise SystemExit(f"timing the pages at {size} failed")
    return json.loads(last)


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report_pages(results: dict[str, dict]) -> None:
    for size, result in results.items():
        print(f"\nPages at {size} ({', '.join(f'{n:,} {w}' for w, n in result['counts'].items())})")
        caches = dict(result["caches"])
        switches = caches.pop("switches", {})
        print(
            f"  uncached: the caches as configured ({caches}) replaced by the dummy cache"
            + (f", and {switches}" if switches else "")
        )
        print(f"  {'page':<30} {'min':>8} {'median':>8} {'p95':>8} {'queries':>8} {'size':>9}")
        for page in result["pages"]:
            if "error" in page:
                print(f"  {page['label']:<30} {page['error']}")
                continue
            print(
                f"  {page['label']:<30} {page['min']:6.1f}ms {page['median']:6.1f}ms "
                f"{page['p95']:6.1f}ms "
                f"{page['queries']:8d} {page['bytes'] / 1024:7.0f}KiB"
                + (
                    f"  (over {page['requests']} requests)"
                    if page["requests"] < result["requests"]
                    else ""
                )
            )
    if "1k" not in results or "100k" not in results:
        return
    small = {p["label"]: p for p in results["1k"]["pages"]}
    print(
        f"\nTargets at 100k: median ≤ {TARGET_MEDIAN_MS} ms, p95 ≤ {TARGET_P95_MS} ms, the same "
        f"query count as at 1k, median ≤ {TARGET_RATIO}× the 1k median"
    )
    print(
        f"  {'page':<30} {'median':>13} {'p95':>13} {'queries 1k→100k':>16} "
        f"{'ratio':>13} {'size ratio':>10}"
    )
    met = 0
    for page in results["100k"]["pages"]:
        base = small[page["label"]]
        if "error" in page or "error" in base:
            print(f"  {page['label']:<30} not compared: {page.get('error') or base['error']}")
            continue
        ratio = page["median"] / base["median"]
        checks = [
            page["median"] <= TARGET_MEDIAN_MS,
            page["p95"] <= TARGET_P95_MS,
            page["queries"] == base["queries"],
            ratio <= TARGET_RATIO,
        ]
        met += all(checks)
        marks = ["ok" if c else "NO" for c in checks]
        print(
            f"  {page['label']:<30} {page['median']:6.1f}ms {marks[0]:>4} "
            f"{page['p95']:6.1f}ms {marks[1]:>4} "
            f"{base['queries']:>5}→{page['queries']:<5} {marks[2]:>4} "
            f"{ratio:7.2f}× {marks[3]:>4} {page['bytes'] / max(1, base['bytes']):9.2f}×"
        )
    print(f"  pages meeting all four targets: {met} of {len(results['100k']['pages'])}")


# Throughput --------------------------------------------------------------------------------


def free_listener() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    return listener


def serve_env(size: str, static_root: Path, cache: bool) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.serve_settings",
        "DATABASE_URL": database_url(size),
        "PARALLAX_BENCH_STATIC_ROOT": str(static_root),
        "PARALLAX_BENCH_NO_CACHE": "" if cache else "1",
        "PYTHONPATH": str(ROOT),
    }
    return env


@contextlib.contextmanager
def gunicorn(env: dict, workers: int, log: Path):
    from tests.concurrency_helpers import Server, stop, wait_until_serving

    listener = free_listener()
    port = listener.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "parallax.wsgi", "--bind"]
    command += [f"fd://{listener.fileno()}", "--workers", str(workers), "--timeout", "60"]
    command += ["--graceful-timeout", "5", "--no-control-socket", "--backlog", "1024"]
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )  # fmt: skip
    listener.close()
    server = Server(url=f"http://127.0.0.1:{port}", log=log, process=process)
    try:
        wait_until_serving(server, 60)
        yield server
    finally:
        stop(process)


# What a browser sends: WhiteNoise answers a static file with its gzip copy and the page
# cache a page with its gzip copy, so both are measured as a reader's browser gets them.
ACCEPT_ENCODING = "gzip"
WRK_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


def wrk(url: str, seconds: float, connections: int) -> dict:
    """Requests per second, bytes read per answer (headers included) and the answers that
    were not 2xx/3xx, by wrk."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "--latency",
        "-H",
        f"Accept-Encoding: {ACCEPT_ENCODING}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    # "  52931 requests in 15.10s, 6.54GB read": wrk's own total, in units of 1024.
    total = re.search(r"(\d+) requests in \S+, ([\d.]+)([KMGT]?B) read", output)
    answer_bytes = float(total.group(2)) * WRK_UNITS[total.group(3)] / int(total.group(1))
    # The latency distribution's lines ("     50%    1.23ms"), not the thread statistics'
    # percentages that end in the same digits.
    latency = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    return {
        "rate": rate,
        "bytes": answer_bytes,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p50": latency.group(1) if latency else "?",
        "p99": p99.group(1) if p99 else "?",
    }


def encoding_of(url: str) -> str:
    """The Content-Encoding of one answer to wrk's request ("identity" for none), to show
    which representation was measured."""
    from urllib.request import Request, urlopen

    with urlopen(Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING}), timeout=60) as answer:
        answer.read()
        return answer.headers.get("Content-Encoding", "identity")


def throughput(size: str, args) -> None:
    if shutil.which("wrk") is None:
        print("\nThroughput: skipped, wrk is not installed (apt-get install wrk)")
        return
    if not built(size):
        print(f"\nThroughput: skipped, {database_url(size)} is not built (run the pages first)")
        return
    folder = Path(tempfile.mkdtemp(prefix="parallax-scale-"))
    static_root = folder / "static"
    log = folder / "gunicorn.log"
    env = serve_env(size, static_root, cache=True)
    manage = [sys.executable, "manage.py"]
    for command in (["collectstatic", "--noinput", "-v0"], ["createcachetable"]):
        subprocess.run(manage + command, cwd=ROOT, env=env, check=True)
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    static_path = "/static/" + manifest["paths"]["css/parallax.css"]
    claim_path = f"/claims/{HOT_CLAIM_SLUG}/"
    print(
        f"\nThroughput at {size}: gunicorn, {args.workers} sync workers, production settings "
        f"(bench/serve_settings.py); wrk, 2 threads, {args.connections} connections, "
        f"{args.seconds:g} s each after {args.warm_seconds:g} s of warm-up, "
        f"sending Accept-Encoding: {ACCEPT_ENCODING} (as a browser does); {load()}"
    )
    figures = {}
    try:
        with gunicorn(env, args.workers, log) as server:
            for label, path in (
                (f"static file ({static_path})", static_path),
                ("claim page, caches as configured", claim_path),
            ):
                wrk(server.url + path, args.warm_seconds, args.connections)
                figures[label] = wrk(server.url + path, args.seconds, args.connections)
                figures[label]["encoding"] = encoding_of(server.url + path)
                show(label, figures[label])
        with gunicorn(serve_env(size, static_root, cache=False), args.workers, log) as server:
            label = "claim page, every cache off"
            wrk(server.url + claim_path, args.warm_seconds, args.connections)
            figures[label] = wrk(server.url + claim_path, args.seconds, args.connections)
            figures[label]["encoding"] = encoding_of(server.url + claim_path)
            show(label, figures[label])
    finally:
        errors = [line for line in log.read_text().splitlines() if "Error" in line]
        if errors:
            print(f"  gunicorn log ({log}) has {len(errors)} error lines, e.g. {errors[0][:160]}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    static_rate = next(iter(figures.values()))["rate"]
    for label, figure in list(figures.items())[1:]:
        share = figure["rate"] / static_rate
        print(
            f"  {label}: {share:.1%} of the static file's rate "
            f"(target ≥ {TARGET_THROUGHPUT:.0%}: {verdict(share >= TARGET_THROUGHPUT)})"
        )


def show(label: str, figure: dict) -> None:
    extra = f", {figure['bad']} answers not 2xx/3xx" if figure["bad"] else ""
    extra += f", {figure['socket_errors']}" if figure["socket_errors"] else ""
    print(
        f"  {label:<45} {figure['rate']:8.1f} requests/s, "
        f"{figure['bytes'] / 1024:6.1f} KiB per answer ({figure['encoding']})  "
        f"(p50 {figure['p50']}, p99 {figure['p99']}{extra})"
    )


# Imports ------------------------------------------------------------------------------------


def imports(args) -> None:
    """HOOK: the import rate and the peak memory of a 10,000-file import are measured by
    bench/imports.py (another part of issue 13); run it when it is there."""
    script = ROOT / "bench" / "imports.py"
    print("\nImport rate (bench/imports.py)")
    if not script.exists():
        print("  bench/imports.py is not there yet: no import figures in this run")
        return
    # bench/imports.py empties the database it is given: it gets its own, never ours.
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["PYTHONUNBUFFERED"] = "1"  # its lines as they come, into our own output
    command = [sys.executable, str(script), "--files", str(args.import_files)]
    result = subprocess.run(command, cwd=ROOT, env=env, timeout=3600)
    if result.returncode != 0:
        print(f"  bench/imports.py failed (exit {result.returncode})")


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        found = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1) if found else ""
    with contextlib.suppress(OSError):
        memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
        cpu += f", {int(memory) / 1024 / 1024:.0f} GiB"
    import psycopg

    parts = urlsplit(database_url("1k"))
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        dbname="postgres",
    ) as connection:  # fmt: skip
        version = connection.execute("SHOW server_version").fetchone()[0]
    return f"{os.cpu_count()} cores ({cpu}), PostgreSQL {version}, Python {sys.version.split()[0]}"


def load() -> str:
    """The load average: the machine is shared, and timings move with it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("pages", help="(internal) build if needed and time one size")
    child.add_argument("size", choices=SIZES)
    for p in (parser, child):
        p.add_argument("--requests", type=int, default=30, help="timed requests per page (30)")
        p.add_argument("--warmup", type=int, default=3, help="untimed requests first (3)")
    parser.add_argument("--sizes", default="1k,100k", help="comma-separated: 1k,100k")
    parser.add_argument("--rebuild", action="store_true", help="drop and build again")
    parser.add_argument("--no-pages", action="store_true", help="skip the page timings")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--no-imports", action="store_true")
    parser.add_argument(
        "--import-files", type=int, default=10_000, help="files bench/imports.py imports"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--connections", type=int, default=6, help="wrk connections (6)")
    parser.add_argument("--seconds", type=float, default=15, help="each wrk run (15)")
    parser.add_argument("--warm-seconds", type=float, default=3, help="wrk warm-up (3)")
    args = parser.parse_args()
    if args.command == "pages":
        time_pages(args.size, args.requests, args.warmup)
        return
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if not sizes or any(s not in SIZES for s in sizes):
        parser.error(f"--sizes takes some of {', '.join(SIZES)}")
    started = time.perf_counter()
    print(f"bench/scale.py, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}; {load()}")
    for size in sizes:
        drop_if_half_built(size, args.rebuild)
    results = {}
    if not args.no_pages:
        for size in sizes:
            results[size] = run_child(size, args)
        report_pages(results)
    if not args.no_throughput:
        throughput(sizes[-1], args)
    if not args.no_imports:
        imports(args)
    print(f"\nbench/scale.py took {time.perf_counter() - started:.0f} s; {load()}")


if __name__ == "__main__":
    main()
