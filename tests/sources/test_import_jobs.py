"""Browser uploads imported as background jobs: the job page, its JSON and CSV, "Your
imports", resuming a job whose worker stopped, and a real worker killed mid-import.

Outside the last tests, tasks run as they are enqueued (parallax/test_settings.py), through
the same sources.jobs.run a worker calls.
"""

import csv
import io
import signal
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from sources import jobs
from sources.importer import Status, import_entries
from sources.models import Article, ImportFile, ImportJob, ImportOutcome, Quotation
from tests import jobs_helpers

URL = reverse("sources:import")

LIGHTHOUSE = (
    "Lighthouse keeper retires after forty winters\n\n"
    "The last keeper of the Grey Point light handed over the keys on Sunday, "
    "forty winters after he first climbed its hundred and twelve steps.\n\n"
    "“The lamp never once went dark on my watch, not in forty winters of storms,” he said.\n"
)
LIGHTHOUSE_RETOLD = (
    "Grey Point keeper hands over the keys\n\n"
    "After forty winters the keeper of Grey Point is gone from the light.\n\n"
    "“The lamp never once went dark on my watch, not in forty winters of storms,” the keeper "
    "said on Sunday.\n"
)
FERRY = (
    "Island ferry cancelled for a third day\n\n"
    "Gales kept the island ferry in port for a third day running, the operator said.\n"
)
BROKEN = '{"title": "Half a record",'
# Every upload a job in these tests: the threshold is a size, and 0 is below any upload.
AS_JOB = override_settings(PARALLAX_IMPORT_INLINE_BYTES=0)


def upload(name, text):
    return ContentFile(text.encode("utf-8"), name=name)


def post_files(client, files, **fields):
    data = {"form": "upload", "upload-files": files}
    data.update({f"upload-{name}": value for name, value in fields.items()})
    return client.post(URL, data)


def upload_job(client, files=None):
    files = files or [
        upload("lighthouse.txt", LIGHTHOUSE),
        upload("broken.json", BROKEN),
        upload("ferry.txt", FERRY),
    ]
    with AS_JOB:
        response = post_files(client, files, new_outlet="Coastal Courier", new_story="Grey Point")
    assert response.status_code == 302
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


# The upload ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_upload_answers_with_its_job_page_which_ends_with_the_report(editor_client):
    job = upload_job(editor_client)

    assert job.get_absolute_url() == reverse("sources:import-job", args=[job.pk])
    job.refresh_from_db()
    assert (job.state, job.total, job.done, job.imported, job.failed) == ("done", 3, 3, 2, 1)
    page = editor_client.get(job.get_absolute_url()).content.decode()
    assert "3 of 3 files read: 2 imported, 1 failed." in page
    assert "2 of 3 files imported; 1 failed." in page  # the report's headline
    assert "Lighthouse keeper retires after forty winters" in page
    assert "not valid JSON" in page
    assert reverse("sources:import-job-csv", args=[job.pk]) in page
    # A finished job's page neither polls nor offers a refresh.
    assert "import-job.js" not in page and "data-job-refresh" not in page
    assert [
        (row.entry, row.sequence, row.name, row.status)
        for row in ImportOutcome.objects.filter(job=job)
    ] == [
        (1, 1, "lighthouse.txt", Status.CREATED),
        (2, 1, "broken.json", Status.FAILED),
        (3, 1, "ferry.txt", Status.CREATED),
    ]


@pytest.mark.django_db
def test_a_job_keeps_its_files_in_storage_until_it_is_done(editor_client, editor):
    stored = []

    # The files are in storage when the worker starts, and gone once the report is written.
    def started(sender, task_result, **kwargs):
        stored.extend(
            default_storage.exists(row.file.name) for row in ImportFile.objects.exclude(file="")
        )

    from django.tasks.signals import task_started

    task_started.connect(started)
    try:
        job = upload_job(editor_client)
    finally:
        task_started.disconnect(started)

    assert stored == [True, True, True]
    assert [(row.name, row.file.name) for row in job.files.all()] == [
        ("lighthouse.txt", ""),
        ("broken.json", ""),
        ("ferry.txt", ""),
    ]


@pytest.mark.django_db
def test_a_job_keeps_the_uploads_limits(editor_client, settings):
    settings.PARALLAX_MAX_UPLOAD_ARTICLES = 1
    job = upload_job(editor_client)

    assert [(row.name, row.status) for row in job.outcomes.all()] == [
        ("lighthouse.txt", Status.CREATED),
        ("broken.json", Status.SKIPPED),
    ]
    assert (
        "nor anything after it: this upload reached its limit of 1 new articles"
        in job.outcomes.last().reason
    )
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_small_upload_is_still_imported_before_the_page_answers(editor_client):
    response = post_files(
        editor_client,
        [upload("ferry.txt", FERRY)],
        new_outlet="Island Herald",
        new_story="Ferries",
    )

    assert response.status_code == 200
    assert response.context["report"].headline == "1 of 1 file imported."
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_job_traces_the_quotations_it_imported(editor_client):
    job = upload_job(
        editor_client,
        [upload("courier.txt", LIGHTHOUSE)],
    )
    with AS_JOB:
        post_files(
            editor_client,
            [upload("herald.txt", LIGHTHOUSE_RETOLD)],
            new_outlet="Island Herald",
            new_story="Grey Point",
        )

    assert job.outcomes.get().status == Status.CREATED
    traces = set(Quotation.objects.values_list("trace_id", flat=True))
    assert Quotation.objects.count() == 2 and len(traces) == 1 and None not in traces


# The job's pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_answers_the_progress_as_json(editor_client):
    job = upload_job(editor_client)

    answer = editor_client.get(reverse("sources:import-job-status", args=[job.pk])).json()

    assert answer == {
        "state": "done",
        "state_label": "Done",
        "done": 3,
        "total": 3,
        "imported": 2,
        "failed": 1,
        "finished": True,
        "line": "3 of 3 files read: 2 imported, 1 failed.",
    }


@pytest.mark.django_db
def test_a_running_job_page_polls_and_offers_a_refresh_link(editor_client, editor):
    job = ImportJob.objects.create(
        created_by=editor,
        state="running",
        total=40,
        done=12,
        imported=11,
        failed=1,
        heartbeat=timezone.now(),
    )

    page = editor_client.get(job.get_absolute_url()).content.decode()

    assert "12 of 40 files read: 11 imported, 1 failed." in page
    assert 'aria-live="polite"' in page
    assert f'data-job-status="{reverse("sources:import-job-status", args=[job.pk])}"' in page
    assert "js/import-job.js" in page and "data-job-refresh" in page
    assert "Import report" not in page


@pytest.mark.django_db
def test_a_job_long_waiting_for_a_worker_says_one_is_needed(editor_client, editor):
    waiting = ImportJob.objects.create(created_by=editor, total=2, heartbeat=timezone.now())
    forgotten = ImportJob.objects.create(
        created_by=editor, total=2, heartbeat=timezone.now() - timedelta(minutes=30)
    )

    assert (
        "No worker has taken" not in editor_client.get(waiting.get_absolute_url()).content.decode()
    )
    page = editor_client.get(forgotten.get_absolute_url()).content.decode()
    assert "2 files waiting for the import worker." in page
    assert "No worker has taken this import up yet" in page and "manage.py db_worker" in page


@pytest.mark.django_db
def test_the_csv_report_lists_every_file_and_defuses_formulas(editor_client):
    job = upload_job(
        editor_client,
        [upload("=cmd.txt", FERRY), upload("broken.json", BROKEN)],
    )

    response = editor_client.get(reverse("sources:import-job-csv", args=[job.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="import-{job.pk}-report.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    article = Article.objects.get()
    assert rows[0] == ["file", "result", "reason", "article"]
    assert rows[1] == ["'=cmd.txt", "created", "", f"http://testserver{article.get_absolute_url()}"]
    assert rows[2][:2] == ["broken.json", "failed"] and "not valid JSON" in rows[2][2]


@pytest.mark.django_db
def test_another_editors_job_is_not_found_but_a_moderator_sees_it(
    editor_client, make_editor, client, django_user_model
):
    job = upload_job(editor_client)
    other = make_editor("other")
    moderator = django_user_model.objects.create_user("mod", password="x", is_staff=True)

    for user, status in ((other, 404), (moderator, 200)):
        client.force_login(user)
        for name in ("sources:import-job", "sources:import-job-status", "sources:import-job-csv"):
            assert client.get(reverse(name, args=[job.pk])).status_code == status, (user, name)


# Your imports -------------------------------------------------------------------------------


def make_jobs(user, count):
    return ImportJob.objects.bulk_create(
        ImportJob(created_by=user, state="done", total=2, done=2, imported=2) for _ in range(count)
    )


@pytest.mark.django_db
def test_your_imports_lists_only_your_jobs_newest_first_by_page(editor_client, editor, make_editor):
    make_jobs(make_editor("other"), 3)
    mine = make_jobs(editor, 27)

    first = editor_client.get(reverse("sources:import-jobs"))
    second = editor_client.get(reverse("sources:import-jobs"), {"page": 2})

    newest_first = sorted((job.pk for job in mine), reverse=True)
    assert [job.pk for job, _ in first.context["rows"]] == newest_first[:25]
    assert [job.pk for job, _ in second.context["rows"]] == newest_first[25:]
    assert "2 of 2 files read: 2 imported, 0 failed." in first.content.decode()
    assert 'aria-label="Pages of imports"' in first.content.decode()


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.django_db
def test_your_imports_answers_in_the_same_queries_at_any_size(
    editor_client, editor, count, django_assert_num_queries
):
    make_jobs(editor, count)
    editor_client.get(reverse("sources:import-jobs"))  # the session and the user, cached
    # The session, the user, the editors group check, the stale jobs (none), the count for
    # the pages, the page of jobs.
    with django_assert_num_queries(6):
        response = editor_client.get(reverse("sources:import-jobs"))
    assert len(response.context["rows"]) == min(count, 25)


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.django_db
def test_the_job_page_answers_in_the_same_queries_at_any_size(
    editor_client, editor, rows, django_assert_num_queries
):
    files = [upload(f"ferry-{n}.txt", FERRY.replace("third", f"{n}th")) for n in range(rows)]
    job = upload_job(editor_client, files)
    # The session, the user, the editors group check, the job with its owner, the file
    # count, the outcome rows with their articles' titles, the stories of those articles.
    with django_assert_num_queries(7):
        response = editor_client.get(job.get_absolute_url())
    assert len(response.context["report"].rows) == rows


# Resuming ----------------------------------------------------------------------------------


def interrupted_job(editor, *, minutes_ago):
    """A job of three files as a killed worker leaves it: running, an old heartbeat, the
    first file imported and reported, the others not."""
    job = ImportJob.objects.create(
        created_by=editor,
        state="running",
        total=3,
        done=1,
        imported=1,
        attempts=1,
        outlet="Coastal Courier",
        story="Grey Point",
        heartbeat=timezone.now() - timedelta(minutes=minutes_ago),
    )
    for position, (name, text) in enumerate(
        [("lighthouse.txt", LIGHTHOUSE), ("broken.json", BROKEN), ("ferry.txt", FERRY)], 1
    ):
        row = ImportFile(job=job, position=position, name=name, size=len(text.encode()))
        row.file.save(name, upload(name, text), save=False)
        row.save()
    from sources.uploads import Limits, upload_entries

    files = [jobs._StoredUpload(row) for row in job.files.all()]
    limits = Limits.from_settings()
    entries = upload_entries(files, limits=limits, budget=limits.budget())
    [first] = import_entries(entries[:1], defaults={"outlet": job.outlet, "story": job.story})
    ImportOutcome.objects.create(
        job=job,
        entry=1,
        sequence=1,
        name="lighthouse.txt",
        status=first.status,
        article=first.article,
    )
    return job


def assert_finished_once(job):
    job.refresh_from_db()
    assert (job.state, job.attempts, job.done, job.imported, job.failed) == ("done", 2, 3, 2, 1)
    assert [
        (row.entry, row.name, row.status) for row in job.outcomes.order_by("entry", "sequence")
    ] == [
        (1, "lighthouse.txt", Status.CREATED),
        (2, "broken.json", Status.FAILED),
        (3, "ferry.txt", Status.CREATED),
    ]
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Island ferry cancelled for a third day",
        "Lighthouse keeper retires after forty winters",
    ]


@pytest.mark.django_db
def test_opening_a_stale_jobs_page_resumes_it_after_its_last_file(editor_client, editor):
    job = interrupted_job(editor, minutes_ago=30)

    page = editor_client.get(job.get_absolute_url()).content.decode()

    assert_finished_once(job)
    assert "another took it up" in page and "3 of 3 files read: 2 imported, 1 failed." in page


@pytest.mark.django_db
def test_a_job_with_a_recent_heartbeat_is_left_to_its_worker(editor_client, editor):
    job = interrupted_job(editor, minutes_ago=1)

    editor_client.get(job.get_absolute_url())
    editor_client.get(reverse("sources:import-jobs"))
    call_command("resume_imports", stdout=io.StringIO())

    job.refresh_from_db()
    assert (job.state, job.attempts, job.outcomes.count()) == ("running", 1, 1)


@pytest.mark.django_db
def test_your_imports_resumes_your_stale_jobs(editor_client, editor):
    job = interrupted_job(editor, minutes_ago=30)

    editor_client.get(reverse("sources:import-jobs"))

    assert_finished_once(job)


@pytest.mark.django_db
def test_the_resume_imports_command_resumes_stale_jobs(editor):
    job = interrupted_job(editor, minutes_ago=30)
    out = io.StringIO()

    call_command("resume_imports", stdout=out)

    assert out.getvalue() == "Resumed 1 import.\n"
    assert_finished_once(job)


@pytest.mark.django_db
def test_a_finished_job_is_never_run_again(editor_client):
    job = upload_job(editor_client)

    jobs.run(job.pk)

    job.refresh_from_db()
    assert (job.attempts, job.outcomes.count(), Article.objects.count()) == (1, 3, 2)


# A real worker, killed -----------------------------------------------------------------


def wait_for_rows(database_url: str, rows: int, timeout: float = 120) -> None:
    """Returns as soon as the worker has committed `rows` outcome rows, read here every few
    milliseconds: a helper process (jobs_helpers' "wait") takes longer to exit than the
    worker takes to import the rest of the job (0.2 s for 500 of these records)."""
    if database_url.startswith("sqlite:///"):
        import sqlite3

        reader = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30)
    else:
        import psycopg

        reader = psycopg.connect(database_url, autocommit=True)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = reader.execute(f"SELECT COUNT(*) FROM {ImportOutcome._meta.db_table}")
            if found.fetchone()[0] >= rows:
                return
            time.sleep(0.005)
    finally:
        reader.close()
    raise AssertionError(f"the worker wrote fewer than {rows} rows in {timeout} s")


def test_a_worker_killed_mid_import_is_resumed_and_imports_each_article_once(
    worker_database, tmp_path
):
    env = jobs_helpers.worker_env(worker_database, tmp_path / "media")
    log = tmp_path / "worker.log"
    setup = jobs_helpers.run_helper(env, "setup", "600")

    worker = jobs_helpers.start_worker(env, log)
    try:
        wait_for_rows(worker_database, 5)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    killed = jobs_helpers.run_helper(env, "inspect")
    # Killed mid-import: some rows written, the job and its task left running for ever.
    assert killed["state"] == "running" and killed["tasks"] == ["RUNNING"], log.read_text()
    assert 5 <= len(killed["rows"]) < setup["records"]

    resumed = jobs_helpers.run_helper(env, "resume")
    assert resumed == {"resumed": 1}
    worker = jobs_helpers.start_worker(env, log, batch=True)
    assert worker.wait(timeout=300) == 0, log.read_text()

    final = jobs_helpers.run_helper(env, "inspect")
    assert final["state"] == "done" and final["attempts"] == 2, log.read_text()
    assert final["tasks"] == ["RUNNING", "SUCCESSFUL"]
    assert_resumed_without_loss_or_repeat(setup, killed, final)


def assert_resumed_without_loss_or_repeat(setup: dict, killed: dict, final: dict) -> None:
    """The killed job's outcome, resumed: jobs_helpers' "setup" job (a note, a 600-record
    CSV, a note) read back by its "inspect" before the kill and after the resumed run."""
    # Every file and record has one row, in order, the rows written before the kill kept.
    places = [(entry, sequence) for entry, sequence, *_ in final["rows"]]
    assert places == [(1, 1)] + [(2, n) for n in range(1, 601)] + [(3, 1)]
    assert final["rows"][: len(killed["rows"])] == killed["rows"]
    # Each article imported exactly once, each row pointing at its own.
    assert final["articles"] == setup["records"] and final["repeated_titles"] == []
    assert [title for *_, title in final["rows"]] == ["First gate note"] + [
        f"Gate log {n}" for n in range(1, 601)
    ] + ["Last gate note"]
    # The importer reports a batch once it is committed: the articles of a batch committed
    # just before the kill had no rows yet, and are reported as created on resuming.
    assert [status for _, _, _, status, _ in final["rows"]] == [Status.CREATED] * 602
    assert final["imported"] == 602
    assert (final["done"], final["total"], final["failed"]) == (3, 3, 0)
    assert final["stored_files"] == []
