"""The demo: one invented story, five invented outlets, and an editor's claims and annotations.

The texts in `demo_corpus/` are fiction written for Parallax (real coverage belongs to
its outlets). `load_demo()` imports them through the importer, then adds the claims
and annotations listed in `demo_corpus/annotations.json`. Running it again creates
nothing new, so `manage.py demo` can run on every start.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from annotations.editing import create_annotation, record_claim_change
from annotations.models import Annotation, Claim, Tag
from sources.importer import import_paths
from sources.models import Article, Story
from sources.text.anchoring import locate_quote

DEMO_CORPUS = Path(__file__).resolve().parent / "demo_corpus"
DEMO_PASSWORD = "parallax-demo"
EDITORS_GROUP = "editors"


class DemoError(Exception):
    """The demo corpus could not be loaded completely."""


@dataclass
class DemoAccount:
    username: str
    role: str
    created: bool


@dataclass
class DemoResult:
    outcomes: list = field(default_factory=list)
    story: Story | None = None
    claims_created: int = 0
    claims_existing: int = 0
    annotations_created: int = 0
    annotations_existing: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)

    def articles_with_status(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)


def load_demo(corpus: Path | None = None, progress: Callable | None = None) -> DemoResult:
    """Import the demo corpus and add its claims, annotations and demo accounts."""
    corpus = corpus or DEMO_CORPUS
    result = DemoResult()
    editor, result.accounts = ensure_demo_accounts()
    files = manifest_files(corpus)

    def report(outcome, index, total):
        # The importer also reports annotations.json, which the manifest does not list.
        if progress is not None and Path(outcome.name).name in files:
            progress(outcome)

    outcomes = import_paths([corpus], progress=report)
    result.outcomes = [outcome for outcome in outcomes if Path(outcome.name).name in files]
    articles = articles_by_file(files, result.outcomes)
    spec = json.loads((corpus / "annotations.json").read_text(encoding="utf-8"))

    stories = {article.story_id for article in articles.values()}
    if len(stories) != 1:
        raise DemoError(f"The demo corpus should hold one story; it holds {len(stories)}.")
    result.story = next(iter(articles.values())).story

    # All or nothing: a quote that cannot be anchored leaves no half-annotated demo.
    with transaction.atomic():
        claims = ensure_claims(spec["claims"], result, editor)
        for item in spec["annotations"]:
            ensure_annotation(item, articles, claims, result, editor)
    return result


def manifest_files(corpus: Path) -> list[str]:
    with (corpus / "manifest.csv").open(encoding="utf-8", newline="") as f:
        return [row["file"] for row in csv.DictReader(f)]


def ensure_demo_accounts():
    """The demo editor and moderator; an existing account keeps its password."""
    editor, editor_created = _ensure_user("editor", is_staff=False, is_superuser=False)
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    # A superuser, so the admin is usable in the demo.
    _, moderator_created = _ensure_user("moderator", is_staff=True, is_superuser=True)
    return editor, [
        DemoAccount("editor", "editor", editor_created),
        DemoAccount("moderator", "moderator (staff, admin)", moderator_created),
    ]


def _ensure_user(username: str, *, is_staff: bool, is_superuser: bool):
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": is_staff, "is_superuser": is_superuser}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created


def articles_by_file(files: list[str], outcomes) -> dict[str, Article]:
    """The imported article of each manifest file; fails when any file was not imported."""
    articles = {Path(o.name).name: o.article for o in outcomes if o.article is not None}
    if missing := [file for file in files if file not in articles]:
        reasons = {Path(o.name).name: f"{o.status}: {o.reason}" for o in outcomes}
        raise DemoError(
            "Some demo files were not imported:\n"
            + "\n".join(f"  {file} ({reasons.get(file, 'not reported')})" for file in missing)
        )
    return articles


def ensure_claims(items, result: DemoResult, editor) -> dict[str, Claim]:
    claims = {}
    for item in items:
        if item["status"] not in Claim.Status.values:
            raise DemoError(f"The claim “{item['statement']}” has an unknown status.")
        claim, created = Claim.objects.get_or_create(
            story=result.story,
            statement=item["statement"],
            defaults={"status": item["status"], "created_by": editor},
        )
        if created:
            record_claim_change(claim, editor, before=None)
            result.claims_created += 1
        else:
            result.claims_existing += 1
        claims[item["statement"]] = claim
    return claims


def ensure_annotation(item, articles, claims, result: DemoResult, editor) -> None:
    """Anchor one annotation by searching its quote in the imported text."""
    file, exact = item["file"], item["exact"]
    article = articles.get(file)
    if article is None:
        raise DemoError(f"annotations.json names {file}, which is not in the demo manifest.")
    span = locate_quote(article.text, exact)
    if span is None:
        raise DemoError(f"{file}: the quote “{exact}” is not in the imported text.")
    if Annotation.objects.filter(article=article, start=span.start, end=span.end).exists():
        result.annotations_existing += 1
        return

    tags = list(Tag.objects.filter(name__in=item["tags"]))
    if unknown := sorted(set(item["tags"]) - {tag.name for tag in tags}):
        raise DemoError(f"{file}: unknown tags {unknown} for the quote “{exact}”.")
    claim = None
    if item["claim"] is not None:
        claim = claims.get(item["claim"])
        if claim is None:
            raise DemoError(f"{file}: the claim “{item['claim']}” is not among the demo claims.")

    # Through the same workflow as the reader's form, so the history is recorded too.
    create_annotation(
        article,
        editor,
        {
            "start": span.start,
            "end": span.end,
            "claim": claim,
            "stance": item["stance"],
            "note": item["note"],
            "tags": [tag.name for tag in tags],
        },
    )
    result.annotations_created += 1
