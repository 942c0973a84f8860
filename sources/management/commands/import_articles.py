import sys
import time

from django.core.management.base import BaseCommand

from sources.importer import Status, import_paths


class Command(BaseCommand):
    help = (
        "Import articles from .txt, .html, .json and .jsonl files, zip archives and folders "
        "(a folder's manifest.csv gives each file's outlet, story and other metadata). "
        "Importing the same content again changes nothing; a new text from a stored article's "
        "URL corrects that article, its annotations placed again. The import page's upload limits "
        "(PARALLAX_MAX_UPLOAD_*) do not apply here."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, folders or zip archives to import.")
        parser.add_argument("--outlet", help="Outlet for files that nothing else attributes.")
        parser.add_argument("--story", help="Story for files that nothing else assigns.")

    def handle(self, *args, paths, outlet=None, story=None, **options):
        styles = {
            Status.CREATED: self.style.SUCCESS,
            Status.CORRECTED: self.style.SUCCESS,
            Status.EXISTING: str,
            Status.SKIPPED: self.style.WARNING,
            Status.FAILED: self.style.ERROR,
        }

        started = reported = time.perf_counter()

        def progress(outcome, index, total):
            nonlocal reported
            self.stdout.write(f"[{index}/{total}] " + styles[outcome.status](outcome.describe()))
            reported = time.perf_counter()

        outcomes = import_paths(paths, outlet=outlet, story=story, progress=progress)
        # The last outcome is reported once its batch is written, before the tracing.
        self.stdout.write(rates(len(outcomes), reported - started, time.perf_counter() - started))
        counts = {status: 0 for status in styles}
        for outcome in outcomes:
            counts[outcome.status] += 1
        corrected = f"{counts[Status.CORRECTED]} corrected, " if counts[Status.CORRECTED] else ""
        summary = (
            f"{counts[Status.CREATED]} created, {corrected}{counts[Status.EXISTING]} already "
            f"there, {counts[Status.SKIPPED]} skipped, {counts[Status.FAILED]} failed"
        )
        if counts[Status.FAILED]:
            self.stderr.write(self.style.ERROR(summary))
            for outcome in outcomes:
                if outcome.status == Status.FAILED:
                    self.stderr.write(f"  {outcome.name}: {outcome.reason}")
            sys.exit(1)
        self.stdout.write(summary)


def rates(count: int, imported: float, finished: float) -> str:
    """The import's pace: records read, passages and quotations written, per second, without
    and with the tracing of the quotations across outlets that follows."""
    if not count or imported <= 0 or finished <= 0:
        return f"{count:,} articles in {finished:.1f} s"
    return (
        f"{count:,} articles in {finished:.1f} s: {count / imported:,.0f} articles/s "
        f"without tracing, {count / finished:,.0f} with tracing "
        f"(quotations traced in {finished - imported:.1f} s)"
    )
