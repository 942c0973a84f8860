import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.tasks.exceptions import InvalidTaskBackend

from parallax.rq_tasks import RQBackend

LOG_LEVELS = {0: logging.WARNING, 1: logging.INFO}


class Command(BaseCommand):
    help = (
        "Run the background tasks queued in Redis (the RQ task backend, which the settings "
        "choose when REDIS_URL is set): an RQ worker on the backend's queues, one process per "
        "task. Ctrl-C or SIGTERM stops it once the task in hand is done; a second one at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="The TASKS backend to serve (default: %(default)s).",
        )
        parser.add_argument(
            "--queue",
            action="append",
            dest="queues",
            help="A queue to serve; give it again for more (default: all of the backend's).",
        )
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Stop once the queues are empty, instead of waiting for more tasks.",
        )

    def handle(self, *, backend, queues, burst, verbosity, **options):
        try:
            task_backend = task_backends[backend]
        except InvalidTaskBackend as error:
            raise CommandError(error) from None
        if not isinstance(task_backend, RQBackend):
            raise CommandError(
                f"The task backend {backend!r} is not the RQ backend (set REDIS_URL), "
                "run manage.py db_worker instead."
            )
        queues = queues or sorted(task_backend.queues)
        unknown = sorted(set(queues) - task_backend.queues)
        if unknown:
            raise CommandError(f"Not queues of the {backend!r} backend: {', '.join(unknown)}.")
        # Each task runs in a process forked from this one: it must not inherit a database
        # connection (the checks at start may have opened one).
        connections.close_all()
        worker = task_backend.worker(queues)
        worker.work(burst=burst, logging_level=LOG_LEVELS.get(verbosity, logging.DEBUG))
