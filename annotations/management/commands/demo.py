import contextlib

from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.urls import NoReverseMatch, reverse

from annotations.demo import DEMO_PASSWORD, DemoError, load_demo

DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Migrate the database, load the demo story (five invented outlets, claims and "
        "annotations, an editor and a moderator account) and run the development server. "
        "Safe to run again: nothing is loaded twice. --reset empties the database first, "
        "to start the demo afresh."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", default=DEFAULT_ADDRPORT, help="Where to serve, as runserver."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Load the demo, then stop without serving."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete everything in the database (every article, annotation and account), "
            "then load the demo afresh. Asks first unless --no-input is given.",
        )
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="With --reset: do not ask for confirmation.",
        )

    def handle(self, *args, addrport, no_serve, reset, interactive, verbosity, **options):
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if reset:
            self.reset(interactive)
        self.stdout.write("Loading the demo corpus:")
        try:
            result = load_demo(progress=self.report_file)
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.print_summary(result, addrport, no_serve)
        if no_serve:
            return
        if not settings.DEBUG:
            self.prepare_static_without_debug()
        call_command("runserver", addrport, use_reloader=False)

    def reset(self, interactive):
        database = settings.DATABASES["default"]["NAME"]
        if interactive:
            answer = input(
                f"This deletes everything in the database {database}: every article, "
                "annotation and account. Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Reset cancelled; nothing was deleted.")
        call_command("flush", interactive=False, verbosity=0)
        reseed()
        self.stdout.write(f"Emptied the database {database}.")

    def report_file(self, outcome):
        self.stdout.write(f"  {outcome.describe()}")

    def print_summary(self, result, addrport, no_serve):
        created = result.articles_with_status("created")
        existing = result.articles_with_status("existing")
        url = site_url(addrport)
        lines = [
            "",
            self.style.SUCCESS(f"Demo loaded: “{result.story}”"),
            f"  Articles:    {created} created, {existing} already there",
            f"  Claims:      {result.claims_created} created, "
            f"{result.claims_existing} already there",
            f"  Annotations: {result.annotations_created} created, "
            f"{result.annotations_existing} already there",
            "",
            "Accounts:",
        ]
        for account in result.accounts:
            if account.created:
                lines.append(f"  {account.role:<25} {account.username} / {DEMO_PASSWORD}")
            else:
                lines.append(
                    f"  {account.role:<25} {account.username} "
                    "(already existed; its password was left unchanged)"
                )
        lines += ["", f"Site:  {url}"]
        with contextlib.suppress(NoReverseMatch):  # until the accounts pages exist
            lines.append(f"Login: {url.rstrip('/')}{reverse('login')}")
        lines.append(f"Admin: {url}admin/")
        if no_serve:
            lines += ["", "Not serving (--no-serve). Start the server with: manage.py demo"]
        self.stdout.write("\n".join(lines))

    def prepare_static_without_debug(self):
        # Without DEBUG, WhiteNoise serves static files only from STATIC_ROOT.
        self.stdout.write(
            self.style.WARNING(
                "DEBUG is off: collecting static files into STATIC_ROOT so the pages are "
                "styled. The demo accounts have well-known passwords; never load the demo "
                "on a public site."
            )
        )
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.SECURE_SSL_REDIRECT:
            self.stdout.write(
                self.style.WARNING(
                    "SECURE_SSL_REDIRECT is on, so the development server's plain HTTP pages "
                    "redirect to HTTPS. Set DEBUG=true (or SECURE_SSL_REDIRECT=false) for the demo."
                )
            )


def reseed():
    """Run the migrations' data steps again (the starting vocabulary, the editors group):
    `flush` empties every table, the rows those steps made included."""
    loader = MigrationLoader(connection)
    # The steps only write rows; they get an editor for its connection, never entered (on
    # SQLite entering one inside a transaction is refused).
    schema_editor = connection.schema_editor(atomic=False)
    plan = []
    for leaf in loader.graph.leaf_nodes():
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    # Only our apps' steps: others' (django-tasks-db's) convert old rows, with their
    # own models of the time, and need no re-run on empty tables.
    ours = {"parallax", "sources", "annotations"}
    for key in (key for key in plan if key[0] in ours):
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython):
                operation.code(django_apps, schema_editor)


def site_url(addrport: str) -> str:
    """The URL to open for a runserver address ("8000", "0.0.0.0:8000", "[::1]:8000")."""
    host, _, port = addrport.rpartition(":")
    if not host:
        host = "127.0.0.1"
    if host in ("0.0.0.0", "[::]"):
        host = "localhost"
    return f"http://{host}:{port}/"
