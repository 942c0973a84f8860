from django.core.management.base import BaseCommand, CommandError

from annotations.w3c_export import CHUNK, export_annotations
from parallax.exports import write_export


class Command(BaseCommand):
    help = (
        "Write every published annotation as one W3C Web Annotation collection (JSON-LD), "
        "which other annotation tools read, to a file or to standard output with -. Drafts "
        "of claims are left out; the quotes belong to their outlets (the collection says so)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="-", help="File to write (default: -).")
        parser.add_argument(
            "--base-url",
            required=True,
            help="This site's address, which makes the annotations' addresses absolute "
            "(https://parallax.example.org/).",
        )
        parser.add_argument(
            "--without-texts",
            action="store_true",
            help="Leave out the quoted words: each target keeps its position in the text.",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK, help="Annotations read at a time."
        )

    def handle(self, *args, path, base_url, without_texts, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must be an http:// or https:// address.")
        base_url = base_url if base_url.endswith("/") else base_url + "/"

        def progress(done, total):
            self.stderr.write(f"[{done}/{total}] annotations written")

        options = {"texts": not without_texts, "chunk_size": chunk_size, "progress": progress}
        written = 0

        def write(out):
            nonlocal written
            written = export_annotations(out, base_url, **options)

        try:
            where = write_export(path, self.stdout, write)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
        self.stderr.write(f"{written:,} annotations written to {where}.")
