from django.core.management.base import BaseCommand, CommandError

from parallax.backup import MAX_RECORD_BYTES, BackupError, import_corpus


class Command(BaseCommand):
    help = (
        "Load a file written by export_corpus into this database, empty or not: what is "
        "already here (same slug, name, username, or an article's outlet and text) is "
        "reused, never made twice. The file is checked whole before anything is written; "
        "then it is written in batches, each in a transaction. Accounts it names that are "
        "missing are made inactive, with no usable password."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by manage.py export_corpus.")
        parser.add_argument(
            "--max-record-bytes",
            type=int,
            default=MAX_RECORD_BYTES,
            help="Refuse a file with a longer line (default %(default)s bytes).",
        )

    def handle(self, *args, path, max_record_bytes, **options):
        def progress(line, lines, report):
            self.stderr.write(f"[{line}/{lines}] lines read; {report.describe(report.latest)}")

        try:
            report = import_corpus(path, limit=max_record_bytes, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        if not report.texts:
            self.stdout.write(
                "The file holds no texts: annotations went only onto articles "
                "already here with the same text."
            )
        self.stdout.write(report.describe())
        self.stdout.write(f"{report.quotations} quotations found again in the new articles.")
        if report.problem_count:
            self.stderr.write(
                self.style.WARNING(f"{report.problem_count} things were not imported:")
            )
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
            if report.problem_count > len(report.problems):
                self.stderr.write(f"  … and {report.problem_count - len(report.problems)} more")
