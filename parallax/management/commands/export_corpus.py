from django.core.management.base import BaseCommand, CommandError

from parallax.backup import EXPORT_CHUNK, export_corpus
from parallax.exports import write_export


class Command(BaseCommand):
    help = (
        "Write the whole corpus (outlets, stories, articles with their texts, earlier texts, "
        "raw inputs and passages, tags, claims, annotations and their history, names, "
        "editors' quotation decisions) to one JSON Lines file, or to standard output with -. "
        "Two exports of the same data are the same bytes. Accounts appear by username only. "
        "Read it back with import_corpus."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="File to write (default: -).")
        parser.add_argument(
            "--without-texts",
            action="store_true",
            help="Leave out the articles' texts, earlier texts and raw inputs (the header says "
            "so): annotations keep their quotes and offsets.",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=EXPORT_CHUNK,
            help="Articles read at a time (default %(default)s).",
        )

    def handle(self, *args, path, without_texts, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")

        def progress(done, total):
            self.stderr.write(f"[{done}/{total}] articles written")

        texts = not without_texts
        records = 0

        def write(out):
            nonlocal records
            records = export_corpus(out, texts=texts, chunk_size=chunk_size, progress=progress)

        try:
            where = write_export(path, self.stdout, write)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        left_out = " (texts left out)" if without_texts else ""
        self.stderr.write(f"{records:,} records written to {where}{left_out}.")
