"""The content generation: a number that moves, in the same transaction, with every write
that changes what a reader sees, whatever path the write takes.

Cached reader pages are keyed by it (parallax/page_cache.py), so a write never has to
find and delete the pages it changed: once it commits, every page is looked up under a
new key. Signals would miss writes (`bulk_create`, `QuerySet.update()`, raw SQL, the
importer's bulk statements), so the database moves the number itself, with triggers on
every table a reader page reads:

- PostgreSQL: a statement-level trigger on each table. It bumps at most once per
  transaction (a transaction-local setting remembers it; a rolled-back savepoint forgets
  it with the write), on a shard row no other writer holds (`FOR UPDATE SKIP LOCKED`
  over SHARDS rows). One shared row would make every writing transaction wait, from its
  first write to its commit, for the one before it, and could deadlock two writers that
  lock other rows in opposite orders; with shards, writers wait here only when more than
  SHARDS of them are writing at once. The generation is the sum over the shards: each
  commit adds at least one, and a later snapshot sees every commit an earlier one saw,
  so two different states never read as one number. A deferred trigger stamps the shard
  at commit, for Last-Modified.
- SQLite: a row trigger per table and event on the one shard row. SQLite lets one writer
  in at a time, so there is no contention to spread, and it has no statement triggers.

Triggers that name other tables would stop SQLite from rebuilding tables in a
migration, so there they are dropped before migrating and made again after, like the
search and count triggers (parallax/fulltext.py, annotations/counters.py); after every
migration the generation moves once, for whatever the migration changed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

TABLE = "parallax_contentgeneration"
SHARDS = 16
VENDORS = ("postgresql", "sqlite")

# Apps whose tables hold what reader pages show, every one of them unless named below.
CONTENT_APPS = ("sources", "annotations", "taggit")
# Tables of those apps that no reader page shows: the quotations' word pairs (only the
# trace lookup reads them) and the import jobs (editors' own pages, never cached).
NOT_SHOWN = frozenset(
    {"sources.QuotationShingle", "sources.ImportJob", "sources.ImportFile", "sources.ImportOutcome"}
)
# A reader page names an annotation's author, so a renamed or deleted account moves the
# generation; a login (last_login), a new password or a new account does not.
USER_COLUMNS = ("username",)

TRIGGER = "parallax_generation"

# Sum over the shards; NULL (no row) when the table was emptied (a test flush), until
# the next write or migration fills it again.
CURRENT_SQL = f"SELECT sum(number), sum(token), max(changed_at) FROM {TABLE}"
# PostgreSQL bumps once per transaction, which holds only if nobody reads the generation
# between two of its writes: read inside a transaction (a test's), it makes the next
# write bump again. A request outside one reads with CURRENT_SQL.
CURRENT_SQL_IN_TRANSACTION = (
    "SELECT sum(number), sum(token), max(changed_at), "
    f"set_config('parallax.generation_bumped', '', true) FROM {TABLE}"
)

_SQLITE_BUMP = (
    f"INSERT INTO {TABLE} (id, number, token, changed_at) "
    "VALUES (1, 1, abs(random() % 2147483648), strftime('%Y-%m-%d %H:%M:%f', 'now')) "
    "ON CONFLICT (id) DO UPDATE SET number = number + 1, token = excluded.token, "
    "changed_at = excluded.changed_at"
)

_POSTGRESQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION parallax_bump_generation() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    shard integer;
BEGIN
    SELECT id INTO shard FROM {TABLE} ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF shard IS NULL THEN
        -- Every shard is held by another writer (wait for one), or the table was emptied.
        INSERT INTO {TABLE} (id, number, token, changed_at)
            SELECT s, 0, 0, clock_timestamp() FROM generate_series(1, {SHARDS}) s
            ON CONFLICT (id) DO NOTHING;
        shard := 1 + floor(random() * {SHARDS});
    END IF;
    UPDATE {TABLE}
        SET number = number + 1, token = floor(random() * 2147483648),
            changed_at = clock_timestamp()
        WHERE id = shard;
END
$$;

CREATE OR REPLACE FUNCTION parallax_content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('parallax.generation_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM parallax_bump_generation();
        PERFORM set_config('parallax.generation_bumped', 'on', true);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION parallax_generation_committed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only changed_at changes here, so this update does not fire this trigger again.
    UPDATE {TABLE} SET changed_at = clock_timestamp() WHERE id = NEW.id;
    RETURN NULL;
END
$$;
"""


@dataclass(frozen=True)
class Generation:
    number: int
    token: int
    changed_at: datetime


def current(connection) -> Generation | None:
    """The generation this connection sees now (one query); None before the first write
    after the table was emptied."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            cursor.execute(CURRENT_SQL_IN_TRANSACTION)
        else:
            cursor.execute(CURRENT_SQL)
        number, token, changed_at = cursor.fetchone()[:3]
    if number is None:
        return None
    if isinstance(changed_at, str):  # SQLite names no type for an aggregate's result
        changed_at = parse_datetime(changed_at)
    if changed_at.tzinfo is None:  # stored in UTC, as Django stores every datetime
        changed_at = changed_at.replace(tzinfo=UTC)
    return Generation(int(number), int(token), changed_at)


def bump(connection) -> None:
    """Move the generation by hand: after writes made while the triggers were away."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT parallax_bump_generation()")
        elif connection.vendor == "sqlite":
            cursor.execute(_SQLITE_BUMP)


def content_tables() -> list[str]:
    """Every table whose writes move the generation (the user table aside)."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in CONTENT_APPS
        and model._meta.label not in NOT_SHOWN
        and model._meta.managed
        and not model._meta.proxy
    }
    return sorted(tables)


def _user_table() -> str:
    return get_user_model()._meta.db_table


def _sqlite_name(table: str, event: str) -> str:
    return f"{TRIGGER}_{table}_{event}"


def triggered_tables(connection) -> set[str]:
    """Tables that carry the generation's triggers now (all of their events, on SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND NOT t.tgisinternal AND pg_table_is_visible(c.oid)",
                [TRIGGER],
            )
            return {name for (name,) in cursor.fetchall()}
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{TRIGGER}_%"],
            )
            names = cursor.fetchall()
            tables = {table for table, _ in names}
            return {
                table
                for table in tables
                if all(
                    (table, _sqlite_name(table, event)) in names for event in _sqlite_events(table)
                )
            }
    return set()


def _sqlite_events(table: str) -> tuple[str, ...]:
    return ("update", "delete") if table == _user_table() else ("insert", "update", "delete")


def install(connection) -> None:
    """Create what is missing (functions, triggers, shard rows), then move the generation
    once: the writes just made by a migration may have had no trigger to move it."""
    if connection.vendor not in VENDORS:
        return
    existing = set(connection.introspection.table_names())
    if TABLE not in existing:
        return
    wanted = [table for table in [*content_tables(), _user_table()] if table in existing]
    # Only the missing ones: on PostgreSQL, DDL on a table fails inside a transaction
    # that has written to it (`migrate` run by the demo command, say).
    missing = [table for table in wanted if table not in triggered_tables(connection)]
    if connection.vendor == "postgresql":
        _install_postgresql(connection, missing)
    else:
        _install_sqlite(connection, missing)
    bump(connection)


def _install_postgresql(connection, tables: list[str]) -> None:
    user_table = _user_table()
    columns = ", ".join(f'"{column}"' for column in USER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(_POSTGRESQL_FUNCTIONS)
        cursor.execute(
            f"INSERT INTO {TABLE} (id, number, token, changed_at) "
            f"SELECT s, 0, 0, clock_timestamp() FROM generate_series(1, {SHARDS}) s "
            "ON CONFLICT (id) DO NOTHING"
        )
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = 'parallax_generation_committed' "
            "AND tgrelid = %s::regclass",
            [TABLE],
        )
        if cursor.fetchone() is None:
            cursor.execute(
                "CREATE CONSTRAINT TRIGGER parallax_generation_committed "
                f"AFTER UPDATE OF number ON {TABLE} DEFERRABLE INITIALLY DEFERRED "
                "FOR EACH ROW EXECUTE FUNCTION parallax_generation_committed()"
            )
        for table in tables:
            events = (
                f"UPDATE OF {columns} OR DELETE"
                if table == user_table
                else "INSERT OR UPDATE OR DELETE OR TRUNCATE"
            )
            cursor.execute(
                f'CREATE OR REPLACE TRIGGER {TRIGGER} AFTER {events} ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION parallax_content_changed()"
            )


def _install_sqlite(connection, tables: list[str]) -> None:
    user_table = _user_table()
    with connection.cursor() as cursor:
        for table in tables:
            for event in _sqlite_events(table):
                if table == user_table and event == "update":
                    changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in USER_COLUMNS)
                    columns = ", ".join(f'"{column}"' for column in USER_COLUMNS)
                    when = f'UPDATE OF {columns} ON "{table}" WHEN {changed}'
                else:
                    when = f'{event.upper()} ON "{table}"'
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{_sqlite_name(table, event)}" '
                    f"AFTER {when} BEGIN {_SQLITE_BUMP}; END"
                )


def drop_triggers(connection) -> None:
    """SQLite: remove the triggers before a migration may rebuild the tables they name."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{TRIGGER}_%"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def remove(connection) -> None:
    """Everything `install` made, for a migration going back."""
    if connection.vendor == "sqlite":
        drop_triggers(connection)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in triggered_tables(connection):
                cursor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
            cursor.execute(
                "DROP FUNCTION IF EXISTS parallax_content_changed(), "
                "parallax_bump_generation(), parallax_generation_committed() CASCADE"
            )


def keep_up_to_date(app_config) -> None:
    """Install the triggers after every migration (and drop SQLite's before one): call
    from AppConfig.ready()."""
    from parallax.migrating import around_migrations

    around_migrations(app_config, "generation", drop_triggers, install)
