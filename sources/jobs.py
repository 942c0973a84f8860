"""Browser uploads imported in the background, on Django's tasks framework.

`start()` keeps the uploaded files in the default storage, creates an ImportJob and
enqueues `sources.tasks.import_job`; a worker (`manage.py db_worker`, or `rq_worker` with
REDIS_URL) runs `run()`, which imports the files with the same importer and limits as an
upload answered at once, writing one outcome row per file or record as it goes, and traces
the quotations found at the end.

A worker killed mid-import leaves its task "running" for ever in the queue, so the job
keeps its own progress: the outcome rows and a heartbeat. `resume_stale()` (called by the
job's page, the imports list and `manage.py resume_imports`) puts a running job whose
heartbeat is older than PARALLAX_IMPORT_STALE_MINUTES back in the queue; `run()` then
starts again at the last file with a row, keeps the rows it has and writes only the
missing ones. A file imported before the kill is recognised by the importer (it reports
it as already there), so nothing is imported twice.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from sources import quotations, uploads
from sources.importer import Outcome, Status, import_entries, imported_quotations
from sources.models import ImportFile, ImportJob, ImportOutcome, Quotation

# The reason given for a file a killed worker imported without reporting it.
BEFORE_THE_STOP = "imported before the worker stopped; reported when the import resumed"
# Outcome rows are written this many at a time, or when this long has passed: one
# transaction for many rows, and the job's page still sees its progress move.
FLUSH_ROWS = 100
FLUSH_SECONDS = 1.0
# Quotations traced at a time at the end of a job, the heartbeat renewed between batches.
TRACE_BATCH = 500


def job_address(job_id: int) -> str:
    return reverse("sources:import-job", args=[job_id])


def upload_bytes(files: list) -> int:
    return sum(upload.size for upload in files)


def runs_in_background(files: list) -> bool:
    """An upload larger than PARALLAX_IMPORT_INLINE_BYTES becomes a job; a smaller one is
    imported before the page answers, as it always was."""
    return upload_bytes(files) > settings.PARALLAX_IMPORT_INLINE_BYTES


def start(user, files: list, *, outlet: str = "", story: str = "") -> ImportJob:
    """Stores the uploaded files, creates their job and enqueues it.

    The job and its files are committed before the task is enqueued, so a worker
    that takes the task at once finds them.
    """
    from sources.tasks import import_job

    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=user, outlet=outlet, story=story, total=len(files), heartbeat=timezone.now()
        )
        for position, upload in enumerate(files, 1):
            row = ImportFile(job=job, position=position, name=upload.name, size=upload.size)
            upload.seek(0)
            row.file.save(upload.name, upload, save=False)
            row.save()
    import_job.enqueue(job.pk)
    return job


class _StoredUpload:
    """A job's file as uploads.upload_entries reads an upload: a name, a size, its bytes."""

    def __init__(self, row: ImportFile):
        self.name, self.size, self._path = row.name, row.size, row.file.name

    def seek(self, offset: int) -> None:
        pass

    def read(self) -> bytes:
        with default_storage.open(self._path, "rb") as handle:
            return handle.read()


def run(job_id: int) -> None:
    """The worker's part: imports the job's files, resuming after its last row if an
    earlier worker died, then traces the quotations the job found.

    A job that is not waiting (done, failed, or taken by another worker) is left alone.
    """
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING,
        heartbeat=now,
        started=Coalesce("started", now),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return
    job = ImportJob.objects.get(pk=job_id)
    try:
        _import(job)
    except Exception as error:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED,
            finished=timezone.now(),
            problem=f"The import stopped: {error.__class__.__name__}: {error}",
        )
        raise


def _import(job: ImportJob) -> None:
    recorded = {
        (entry, sequence): (status, article_id)
        for entry, sequence, status, article_id in job.outcomes.values_list(
            "entry", "sequence", "status", "article_id"
        )
    }
    # Entries are imported in order: those before the last one with a row are complete,
    # that one may not be, so it is read again.
    first = max((entry for entry, _ in recorded), default=1)
    limits = uploads.Limits.from_settings()
    budget = limits.budget()
    # What the earlier run took of the upload's limits (the archives it opened aside).
    budget.records_read = sum(1 for entry, _ in recorded if entry < first)
    budget.articles_created = sum(1 for status, _ in recorded.values() if status == Status.CREATED)
    files = [_StoredUpload(row) for row in job.files.order_by("position")]
    entries = uploads.upload_entries(files, limits=limits, budget=budget)
    total = len(entries)
    ImportJob.objects.filter(pk=job.pk).update(total=total)
    sequences: dict[int, int] = {}
    rows = _Rows(job)
    resumed = job.attempts > 1
    # Articles an earlier worker created: their quotations were never traced.
    earlier = [
        article_id
        for status, article_id in recorded.values()
        if status == Status.CREATED and article_id is not None
    ]

    def progress(outcome: Outcome, index: int, _total: int) -> None:
        entry = first + index - 1
        sequence = sequences[entry] = sequences.get(entry, 0) + 1
        if (entry, sequence) in recorded:
            return
        if resumed and _imported_before_the_stop(job, outcome):
            outcome.status, outcome.reason = Status.CREATED, BEFORE_THE_STOP
            earlier.append(outcome.article.pk)
        rows.add(
            ImportOutcome(
                job=job,
                entry=entry,
                sequence=sequence,
                name=outcome.name.removeprefix(f"{uploads.FOLDER}/"),
                status=outcome.status,
                reason=outcome.reason,
                article=outcome.article,
            )
        )

    try:
        outcomes = import_entries(
            entries[first - 1 :],
            defaults={"outlet": job.outlet, "story": job.story},
            progress=progress,
            budget=budget,
            trace=False,
        )
    finally:
        # A job stopped by an error keeps the rows of what it did.
        rows.flush()
    found = imported_quotations(outcomes)
    if earlier:
        found += list(Quotation.objects.filter(article__in=earlier))
    for start_at in range(0, len(found), TRACE_BATCH):
        _beat(job)
        quotations.trace(found[start_at : start_at + TRACE_BATCH])
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.DONE, done=total, finished=timezone.now(), heartbeat=timezone.now()
    )
    _forget_files(job)


class _Rows:
    """A job's outcome rows and counters, written FLUSH_ROWS at a time or after
    FLUSH_SECONDS, each time in one transaction that renews the heartbeat.

    Rows held here when a worker is killed are lost with it, which costs nothing: their
    files were imported, and the resumed job reports them (_imported_before_the_stop).
    """

    def __init__(self, job: ImportJob):
        self.job = job
        self.waiting: list[ImportOutcome] = []
        self.since = time.monotonic()

    def add(self, row: ImportOutcome) -> None:
        self.waiting.append(row)
        if len(self.waiting) >= FLUSH_ROWS or time.monotonic() - self.since >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        waiting, self.waiting = self.waiting, []
        self.since = time.monotonic()
        if not waiting:
            return
        imported = sum(row.status in (Status.CREATED, Status.CORRECTED) for row in waiting)
        failed = sum(row.status == Status.FAILED for row in waiting)
        with transaction.atomic():
            ImportOutcome.objects.bulk_create(waiting)
            ImportJob.objects.filter(pk=self.job.pk).update(
                done=waiting[-1].entry,
                imported=F("imported") + imported,
                failed=F("failed") + failed,
                heartbeat=timezone.now(),
            )


def _imported_before_the_stop(job: ImportJob, outcome: Outcome) -> bool:
    """Whether a file a resumed job finds already there is one its earlier worker imported
    and was killed before reporting (the importer reports a batch once it is committed):
    the article came from a file of that name after the job started."""
    article = outcome.article
    return (
        outcome.status == Status.EXISTING
        and article is not None
        and article.source_name == PurePosixPath(outcome.name).name[:300]
        and article.imported >= job.started
    )


def _beat(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(heartbeat=timezone.now())


def _forget_files(job: ImportJob) -> None:
    """The stored files of a finished job: its report is in its rows, the bytes can go."""
    for row in job.files.exclude(file=""):
        default_storage.delete(row.file.name)
    job.files.update(file="")


def stale_cutoff(minutes: int | None = None):
    minutes = settings.PARALLAX_IMPORT_STALE_MINUTES if minutes is None else minutes
    return timezone.now() - timedelta(minutes=minutes)


def resume_stale(jobs=None, *, minutes: int | None = None) -> int:
    """Puts the running jobs among `jobs` (all by default) whose worker stopped reporting
    back in the queue; returns how many.

    The state changes only where it is still "running" with the old heartbeat, so two
    pages opened at once enqueue a job once.
    """
    from sources.tasks import import_job

    jobs = ImportJob.objects.all() if jobs is None else jobs
    cutoff = stale_cutoff(minutes)
    stale = list(
        jobs.filter(state=ImportJob.State.RUNNING)
        .filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True))
        .values_list("pk", flat=True)
    )
    resumed = 0
    for job_id in stale:
        taken = (
            ImportJob.objects.filter(pk=job_id, state=ImportJob.State.RUNNING)
            .filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True))
            .update(state=ImportJob.State.QUEUED, heartbeat=timezone.now())
        )
        if taken:
            import_job.enqueue(job_id)
            resumed += 1
    return resumed


@dataclass(frozen=True)
class Progress:
    """What the job page and its JSON say about a job's progress."""

    state: str
    state_label: str
    done: int
    total: int
    imported: int
    failed: int
    finished: bool

    @classmethod
    def of(cls, job: ImportJob) -> "Progress":
        return cls(
            state=job.state,
            state_label=job.get_state_display(),
            done=job.done,
            total=job.total,
            imported=job.imported,
            failed=job.failed,
            finished=job.finished_work,
        )

    @property
    def line(self) -> str:
        """ "12 of 40 files read: 11 imported, 1 failed"."""
        files = "file" if self.total == 1 else "files"
        if self.state == ImportJob.State.QUEUED and not self.done:
            return f"{self.total} {files} waiting for the import worker."
        return (
            f"{self.done} of {self.total} {files} read: "
            f"{self.imported} imported, {self.failed} failed."
        )

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "state_label": self.state_label,
            "done": self.done,
            "total": self.total,
            "imported": self.imported,
            "failed": self.failed,
            "finished": self.finished,
            "line": self.line,
        }


def report(job: ImportJob) -> uploads.Report:
    """The job's report from its rows, as the import page shows an upload's: the articles'
    titles and stories only, never their texts."""
    rows = job.outcomes.select_related("article").only(
        "name",
        "status",
        "reason",
        "entry",
        "sequence",
        "article__id",
        "article__title",
        "article__story_id",
    )
    return uploads.Report([Outcome(r.name, r.status, r.reason, r.article) for r in rows])
