import os

from django.core.management.base import BaseCommand, CommandError

from parallax.backup import EXPORT_CHUNK, export_corpus


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
        if path == "-":
            records = export_corpus(
                _Out(self.stdout), texts=texts, chunk_size=chunk_size, progress=progress
            )
        else:
            # Written beside the target and renamed at the end: a failed export leaves no
            # file that looks whole (the import would refuse it anyway: no end record).
            partial = f"{path}.partial"
            try:
                with open(partial, "w", encoding="utf-8", newline="\n") as out:
                    records = export_corpus(
                        out, texts=texts, chunk_size=chunk_size, progress=progress
                    )
                os.replace(partial, path)
            except OSError as error:
                raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
            finally:
                if os.path.exists(partial):
                    os.remove(partial)
        left_out = " (texts left out)" if without_texts else ""
        self.stderr.write(f"{records:,} records written to {_name(path)}{left_out}.")


class _Out:
    """The command's standard output, written as it is (no line endings added)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")


def _name(path: str) -> str:
    return "standard output" if path == "-" else path
