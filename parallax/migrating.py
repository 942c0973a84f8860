"""Database objects Django's migrations do not know of (triggers, SQLite's full-text
tables), made again around every migration."""

from collections.abc import Callable


def around_migrations(app_config, name: str, before: Callable, after: Callable) -> None:
    """Call `before(connection)` before each migration of the app's database and
    `after(connection)` after it: SQLite rebuilds a table to alter it, losing its
    triggers, so they are dropped first and made again after. Call from
    AppConfig.ready()."""
    from django.db import connections
    from django.db.models.signals import post_migrate, pre_migrate

    def run_before(sender, using, **kwargs):
        before(connections[using])

    def run_after(sender, using, **kwargs):
        after(connections[using])

    uid = f"{name}-{app_config.label}"
    pre_migrate.connect(run_before, sender=app_config, dispatch_uid=f"{uid}-before", weak=False)
    post_migrate.connect(run_after, sender=app_config, dispatch_uid=f"{uid}-after", weak=False)
