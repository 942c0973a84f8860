"""Importing from the browser: uploaded files and pasted text, under explicit size limits.

The import page hands what the editor sent to the same importer as the
`import_articles` command; this module adds what only a browser upload needs:
the limits (the request's checked while it is read, before anything is stored;
the rest charged to the importer's budget while the files are read), one
report row per file, and turning a pasted text into an importer entry.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from sources.importer import (
    SUPPORTED,
    Budget,
    Entry,
    Outcome,
    Status,
    entries_from_folder,
    file_size,
    import_entries,
)
from sources.models import Story

# Uploaded files are read as one folder; its name is left out of the report.
FOLDER = "upload"
PASTED = "pasted text"

STATUS_LABELS = {
    Status.CREATED: "created",
    Status.CORRECTED: "corrected",
    Status.EXISTING: "already there",
    Status.SKIPPED: "skipped",
    Status.FAILED: "failed",
}


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    request_bytes: int
    files: int
    unpacked_bytes: int
    members: int
    records: int
    articles: int

    @classmethod
    def from_settings(cls) -> "Limits":
        # Read per request, so a deployment (or a test) can change them.
        return cls(
            file_bytes=settings.PARALLAX_MAX_UPLOAD_FILE_BYTES,
            request_bytes=settings.PARALLAX_MAX_UPLOAD_BYTES,
            files=settings.PARALLAX_MAX_UPLOAD_FILES,
            unpacked_bytes=settings.PARALLAX_MAX_UPLOAD_UNPACKED_BYTES,
            members=settings.PARALLAX_MAX_UPLOAD_MEMBERS,
            records=settings.PARALLAX_MAX_UPLOAD_RECORDS,
            articles=settings.PARALLAX_MAX_UPLOAD_ARTICLES,
        )

    def budget(self) -> Budget:
        """What one upload may unpack, read and create, counted as the importer reads it."""
        return Budget(
            file_bytes=self.file_bytes,
            unpacked_bytes=self.unpacked_bytes,
            members=self.members,
            records=self.records,
            articles=self.articles,
        )

    def describe(self) -> str:
        return (
            f"Up to {self.files:,} files, {file_size(self.file_bytes)} per file "
            f"and {file_size(self.request_bytes)} in all. "
            f"Zip archives (a zip inside a zip included) may hold {self.members:,} files "
            f"and unpack to {file_size(self.unpacked_bytes)} in all. "
            f"One upload creates up to {self.articles:,} new articles from up to "
            f"{self.records:,} files and JSON records; "
            "the import_articles command has no such limits."
        )


class UploadLimitHandler(FileUploadHandler):
    """First of the upload handlers on the import page: stops an upload over the limits.

    It sees the request's length before any file is stored, so an upload over
    the limit never reaches the disk; the rest of the body is read and thrown
    away so the browser gets the page, not a reset connection. Form fields
    sent before the first file (the CSRF token among them) are still parsed.
    """

    def __init__(self, request=None, limits: Limits | None = None):
        super().__init__(request)
        self.limits = limits or Limits.from_settings()
        self.problem = ""
        self.files_seen = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limits.request_bytes:
            self.problem = (
                f"These files come to {file_size(content_length)}; the limit is "
                f"{file_size(self.limits.request_bytes)} per upload. Nothing was imported: "
                "upload them in smaller batches."
            )

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if not self.problem and self.files_seen > self.limits.files:
            self.problem = (
                f"More than {self.limits.files} files were sent; the limit is "
                f"{self.limits.files} files per upload. Nothing was imported: "
                "upload them in smaller batches, or as a zip archive."
            )
        if self.problem:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def import_uploads(
    uploads: list,
    *,
    outlet: str = "",
    story: str = "",
    limits: Limits,
    budget: Budget | None = None,
) -> list[Outcome]:
    """Imports uploaded files read as one folder, so a manifest.csv among them applies.

    A file over the per-file limit is never read; it gets its own failed row
    and the other files are imported. The budget (by default the limits')
    bounds what the archives unpack to and how much the upload reads and
    creates; where it runs out, one row says so and the rest is not read.
    """
    budget = limits.budget() if budget is None else budget
    entries = upload_entries(uploads, limits=limits, budget=budget)
    outcomes = import_entries(entries, defaults={"outlet": outlet, "story": story}, budget=budget)
    for outcome in outcomes:
        outcome.name = outcome.name.removeprefix(f"{FOLDER}/")
    return outcomes


def upload_entries(uploads: list, *, limits: Limits, budget: Budget) -> list[Entry]:
    """The importer's entries for uploaded files (anything with a name, a size, seek() and
    read(): a browser upload, or a job's file in storage); a file over the per-file limit
    is an entry that says so and is never read."""
    files = {upload.name: upload for upload in uploads}
    too_big = {
        f"{FOLDER}/{name}": problem
        for name, upload in files.items()
        if (problem := _over_limit(upload, limits))
    }

    def read(upload) -> bytes:
        if f"{FOLDER}/{upload.name}" in too_big:
            return b""
        upload.seek(0)
        return upload.read()

    entries = entries_from_folder(FOLDER, files, read=read, budget=budget)
    for entry in entries:
        if entry.name in too_big and not entry.problem:
            entry.problem, entry.data, entry.archive_depth = too_big[entry.name], None, 0
    return entries


def _over_limit(upload, limits: Limits) -> str:
    # What a zip unpacks to is the budget's to check, when the importer opens it.
    if upload.size > limits.file_bytes:
        return (
            f"{upload.name} is {file_size(upload.size)}; the limit is "
            f"{file_size(limits.file_bytes)} per file"
        )
    return ""


def import_pasted(
    text: str, *, outlet: str, story: str, title: str = "", published=None, url: str = ""
) -> Outcome:
    """Imports a pasted text as one plain-text article with the metadata typed beside it."""
    metadata = {
        "outlet": outlet,
        "story": story,
        "title": title,
        "published": published.isoformat() if published else "",
        "url": url,
    }
    # The entry is named "pasted text", never after the title: a name's suffix
    # decides how the importer reads it, and a title may end in ".json".
    entry = Entry(PASTED, text.encode("utf-8"), {k: v for k, v in metadata.items() if v})
    return import_entries([entry])[0]


@dataclass
class Row:
    name: str
    status: str
    label: str
    reason: str
    article: object = None


class Report:
    """What the import page shows after an upload: one row per file and a summary line.

    The budget, when given, tells how much the upload unpacked, read and created.
    """

    def __init__(self, outcomes: list[Outcome], budget: Budget | None = None):
        self.budget = budget
        self.rows = [
            Row(
                name=outcome.name,
                status=outcome.status,
                label=STATUS_LABELS[outcome.status],
                reason=outcome.reason,
                article=outcome.article,
            )
            for outcome in outcomes
        ]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def summary(self) -> str:
        """ "2 created, 0 already there, 0 skipped, 1 failed"; corrections named when any."""
        return ", ".join(
            f"{self.count(status)} {label}"
            for status, label in STATUS_LABELS.items()
            if status != Status.CORRECTED or self.count(status)
        )

    @property
    def headline(self) -> str:
        """One line for the top of the report: "9 of 10 files imported; 1 failed"."""
        total = len(self.rows)
        files = "file" if total == 1 else "files"
        parts = [f"{self.count(Status.CREATED)} of {total} {files} imported"]
        for status in (Status.CORRECTED, Status.EXISTING, Status.SKIPPED, Status.FAILED):
            if self.count(status):
                parts.append(f"{self.count(status)} {STATUS_LABELS[status]}")
        return "; ".join(parts) + "."

    @property
    def problems(self) -> list[Row]:
        """The rows of files not imported, failures first: the report shows them first."""
        return [row for row in self.rows if row.status == Status.FAILED] + [
            row for row in self.rows if row.status == Status.SKIPPED
        ]

    @property
    def articles(self) -> list[Row]:
        """The rows of files imported now or already there, each with its article."""
        return [row for row in self.rows if row.article is not None]

    def stories(self) -> list["StoryCount"]:
        """The stories the upload created or added to, in the order first met, with counts.

        One query, for the stories of articles found already there (a new
        article comes with its story).
        """
        rows = self.articles
        stories = Story.objects.in_bulk({row.article.story_id for row in rows})
        counts: dict[int, StoryCount] = {}
        for row in rows:
            story_id = row.article.story_id
            count = counts.setdefault(story_id, StoryCount(stories[story_id]))
            if row.status == Status.CREATED:
                count.created += 1
            elif row.status == Status.CORRECTED:
                count.corrected += 1
            else:
                count.existing += 1
        return list(counts.values())


@dataclass
class StoryCount:
    story: Story
    created: int = 0
    existing: int = 0
    corrected: int = 0


def accepted_suffixes() -> str:
    """The file picker's `accept` list: what the importer reads, zip archives and manifests."""
    return ",".join(sorted(SUPPORTED | {".zip", ".csv"}))
