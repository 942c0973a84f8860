"""A real import worker on a database of its own, for tests/sources/test_import_jobs.py.

pytest-django's test database lives in the test process (in memory for SQLite, in an
open transaction for PostgreSQL): a worker process cannot see it. So the job is made,
and read back, by subprocesses that run this module with DATABASE_URL, MEDIA_ROOT and
PARALLAX_TEST_REAL_WORKER=1 set (the database queue of django-tasks-db, not the
immediate backend the rest of the suite uses):

    python -m tests.jobs_helpers setup 600    # migrate, then upload a job: prints its id
    python -m tests.jobs_helpers wait 5       # until the job has 5 outcome rows
    python -m tests.jobs_helpers resume       # resume_stale() of every running job
    python -m tests.jobs_helpers inspect      # the job, its rows and the articles, as JSON

Nothing here imports Django at module level: the test process imports this module too.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

from tests.concurrency_helpers import ROOT, run_module, server_env

OUTLET = "Harbour Wire"
STORY = "Harbour gate records"


def worker_env(database_url: str, media_root: Path) -> dict:
    return {
        **server_env(database_url),
        "MEDIA_ROOT": str(media_root),
        "PARALLAX_TEST_REAL_WORKER": "1",
    }


def run_helper(env: dict, *args: str, timeout: float = 300) -> dict:
    return run_module("tests.jobs_helpers", env, *args, timeout=timeout)


def start_worker(env: dict, log: Path, *, batch: bool = False) -> subprocess.Popen:
    """`manage.py db_worker`, the command a deployment runs."""
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"]
    if batch:
        command.append("--batch")
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def records(count: int) -> bytes:
    """A JSON Lines file of `count` articles, each with its own text."""
    lines = [
        json.dumps(
            {
                "title": f"Gate log {n}",
                "text": f"Gate log {n}\n\nThe harbour gate was checked {n} times "
                f"before the storm, record {n} shows; its hinges were oiled on day {n}.",
            }
        )
        for n in range(1, count + 1)
    ]
    return "\n".join(lines).encode("utf-8")


def setup(count: int) -> dict:
    """Migrates, then starts a job of three files, the middle one `count` records long."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from sources import jobs

    call_command("migrate", verbosity=0, interactive=False)
    editor = get_user_model().objects.create_user("editor", password="x")
    editor.groups.add(Group.objects.get_or_create(name="editors")[0])
    files = [
        SimpleUploadedFile("first.txt", b"First gate note\n\nThe gate opened at dawn."),
        SimpleUploadedFile("records.jsonl", records(count)),
        SimpleUploadedFile("last.txt", b"Last gate note\n\nThe gate closed at dusk."),
    ]
    job = jobs.start(editor, files, outlet=OUTLET, story=STORY)
    return {"job": job.pk, "records": count + 2}


def wait(rows: int, timeout: float = 120) -> dict:
    """Returns once the job has at least `rows` outcome rows (committed by the worker)."""
    from sources.models import ImportOutcome

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = ImportOutcome.objects.count()
        if found >= rows:
            return {"rows": found}
        time.sleep(0.05)
    raise SystemExit(f"the worker wrote fewer than {rows} rows in {timeout} s")


def inspect() -> dict:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from sources.models import Article, ImportFile, ImportJob, ImportOutcome

    job = ImportJob.objects.get()
    titles = list(Article.objects.values_list("title", flat=True))
    return {
        "state": job.state,
        "attempts": job.attempts,
        "done": job.done,
        "total": job.total,
        "imported": job.imported,
        "failed": job.failed,
        "rows": list(
            ImportOutcome.objects.order_by("entry", "sequence").values_list(
                "entry", "sequence", "name", "status", "article__title"
            )
        ),
        "titles": titles,
        "articles": len(titles),
        "repeated_titles": list(
            Article.objects.values("title")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .values_list("title", flat=True)
        ),
        "stored_files": [row.file.name for row in ImportFile.objects.exclude(file="")],
        "tasks": sorted(DBTaskResult.objects.values_list("status", flat=True)),
    }


def main(argv: list[str]) -> None:
    import django

    django.setup()
    command, *args = argv
    if command == "setup":
        result = setup(int(args[0]))
    elif command == "wait":
        result = wait(int(args[0]))
    elif command == "resume":
        from sources.jobs import resume_stale

        result = {"resumed": resume_stale(minutes=0)}
    elif command == "inspect":
        result = inspect()
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
