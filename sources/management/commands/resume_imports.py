from django.conf import settings
from django.core.management.base import BaseCommand

from sources.jobs import resume_stale


class Command(BaseCommand):
    help = (
        "Put back in the queue the browser imports whose worker stopped (a running import "
        "with no news for PARALLAX_IMPORT_STALE_MINUTES): they go on from the last file "
        "they reported, importing nothing twice. Run it when a worker starts, or from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=int,
            default=settings.PARALLAX_IMPORT_STALE_MINUTES,
            metavar="MINUTES",
            help="Minutes without news after which a running import counts as stopped "
            "(default %(default)s; 0 resumes every running import).",
        )

    def handle(self, *args, stale_after, **options):
        resumed = resume_stale(minutes=stale_after)
        self.stdout.write(f"Resumed {resumed} import{'' if resumed == 1 else 's'}.")
