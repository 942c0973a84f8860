from django.core.management.base import BaseCommand
from django.db import connection, transaction

from annotations import counters


class Command(BaseCommand):
    help = (
        "Count again every stored count the pages read (tag and claim uses per outlet, "
        "claim and story) from the annotations themselves. Database triggers keep them up to date "
        "on every write; run this after a bulk load made without them."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            counters.install(connection)
            counters.recount(connection)
        self.stdout.write(
            "Counted again: tag uses per outlet and per story; claim uses per outlet, per "
            "claim and per story."
        )
