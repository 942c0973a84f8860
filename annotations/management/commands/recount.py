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
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The claim roll-ups follow each new ClaimOutletUse row through its trigger, so
            # a recount updates a claim's row once per outlet carrying it (a million
            # updates at 100,000 articles). Vacuumed now, the pages do not wade through
            # those old versions until autovacuum comes by (or for ever, where it is off:
            # a claim row read through 262 of them made the story page 13 ms slower).
            with connection.cursor() as cursor:
                for table in counters.count_tables():
                    cursor.execute(f'VACUUM (ANALYZE) "{table}"')
        self.stdout.write(
            "Counted again: tag uses per outlet and per story; claim uses per outlet, per "
            "claim and per story."
        )
