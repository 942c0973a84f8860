"""Stored tag-use counts that the database keeps up to date itself.

A tag page says "50,000 uses in 180 outlets" and an outlet page lists its tags by use;
counting them on each request reads every tagged annotation. So two tables hold the
counts of *live* (not deleted) annotations carrying each tag: per outlet
(`TagOutletUse`) and per story (`TagStoryUse`). Row triggers on the three tables that
decide a count (tag links, annotations, articles) change them in the same transaction as
the write, whatever path it takes: the editing views, a tag merge, the admin, a
bulk_create, an `update()`, raw SQL. Each trigger adds the rows a write takes away or
brings (an annotation deleted or restored, moved to another article, a tag linked or
unlinked, an article moved to another story or outlet) as `uses + n`, so concurrent
writers never lose a count; the count rows are locked only until each one commits.

The same statements serve PostgreSQL (one plpgsql function per table) and SQLite (one
trigger per event). SQLite triggers that read other tables would stop a migration from
rebuilding those tables, so there they are dropped before migrating and made again after,
with every count recomputed (`recount`, also `manage.py recount` after a bulk load that
bypassed them).
"""

from dataclasses import dataclass

TAGGED = "annotations_taggedannotation"
ANNOTATION = "annotations_annotation"
ARTICLE = "sources_article"

# (count table, the article's column it counts by)
COUNTERS = (("annotations_tagoutletuse", "outlet_id"), ("annotations_tagstoryuse", "story_id"))


@dataclass(frozen=True)
class Source:
    """One table whose writes change the counts: `uses(row)` is SQL selecting the
    (tag_id, story_id, outlet_id) of each live tag use that row `row` (NEW or OLD) makes;
    `watch` its columns that decide them, `changed` SQL true when an update changed them."""

    table: str
    watch: tuple[str, ...]
    changed: str

    def uses(self, row: str) -> str:
        if self.table == TAGGED:
            return (
                f"SELECT {row}.tag_id AS tag_id, ar.story_id AS story_id, "
                f"ar.outlet_id AS outlet_id FROM {ANNOTATION} a "
                f"JOIN {ARTICLE} ar ON ar.id = a.article_id "
                f"WHERE a.id = {row}.content_object_id AND a.deleted IS NULL"
            )
        if self.table == ANNOTATION:
            return (
                f"SELECT tg.tag_id AS tag_id, ar.story_id AS story_id, "
                f"ar.outlet_id AS outlet_id FROM {TAGGED} tg "
                f"JOIN {ARTICLE} ar ON ar.id = {row}.article_id "
                f"WHERE tg.content_object_id = {row}.id AND {row}.deleted IS NULL"
            )
        return (
            f"SELECT tg.tag_id AS tag_id, {row}.story_id AS story_id, "
            f"{row}.outlet_id AS outlet_id FROM {ANNOTATION} a "
            f"JOIN {TAGGED} tg ON tg.content_object_id = a.id "
            f"WHERE a.article_id = {row}.id AND a.deleted IS NULL"
        )


SOURCES = (
    Source(
        TAGGED,
        ("tag_id", "content_object_id"),
        "OLD.tag_id <> NEW.tag_id OR OLD.content_object_id <> NEW.content_object_id",
    ),
    Source(
        ANNOTATION,
        ("deleted", "article_id"),
        "(OLD.deleted IS NULL) <> (NEW.deleted IS NULL) OR OLD.article_id <> NEW.article_id",
    ),
    Source(
        ARTICLE,
        ("story_id", "outlet_id"),
        "OLD.story_id <> NEW.story_id OR OLD.outlet_id <> NEW.outlet_id",
    ),
)


def _add(uses: str) -> list[str]:
    """Statements adding one for each use `uses` selects, to both count tables. Grouped,
    so one statement touches a count row once (PostgreSQL refuses twice); `WHERE true`
    keeps SQLite from reading ON CONFLICT as a join's ON."""
    return [
        f"INSERT INTO {table} (tag_id, {key}, uses) "
        f"SELECT u.tag_id, u.{key}, COUNT(*) FROM ({uses}) u WHERE true "
        f"GROUP BY u.tag_id, u.{key} "
        f"ON CONFLICT (tag_id, {key}) DO UPDATE SET uses = {table}.uses + excluded.uses"
        for table, key in COUNTERS
    ]


def _take(uses: str) -> list[str]:
    """Statements taking away each use `uses` selects from both count tables: updates of
    the rows there are, never an insert. A delete that empties a whole table (`flush`)
    may remove the tag, outlet or story before their uses: a new count row would then
    point at a row that is gone."""
    return [
        f"UPDATE {table} SET uses = uses - (SELECT COUNT(*) FROM ({uses}) u "
        f"WHERE u.tag_id = {table}.tag_id AND u.{key} = {table}.{key}) "
        f"WHERE EXISTS (SELECT 1 FROM ({uses}) u "
        f"WHERE u.tag_id = {table}.tag_id AND u.{key} = {table}.{key})"
        for table, key in COUNTERS
    ]


def _trigger_name(source: Source, event: str = "") -> str:
    return f"{source.table}_counts{'_' + event if event else ''}"


def install(connection) -> None:
    """Create the triggers if missing; counts everything again when they were missing
    (always on SQLite, where a migration runs without them). Nothing while the count
    tables are missing (migrated back before them)."""
    if not {table for table, _ in COUNTERS} <= set(connection.introspection.table_names()):
        return
    if connection.vendor == "postgresql":
        fresh = _install_postgresql(connection)
    elif connection.vendor == "sqlite":
        fresh = _install_sqlite(connection)
    else:
        return
    if fresh:
        recount(connection)


def drop_triggers(connection) -> None:
    """SQLite: remove the triggers before a migration may rebuild the tables they read."""
    if connection.vendor == "sqlite":
        remove(connection)


def remove(connection) -> None:
    """Remove the triggers (the count tables are going away)."""
    with connection.cursor() as cursor:
        for source in SOURCES:
            if connection.vendor == "postgresql":
                name = _trigger_name(source)
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{source.table}"')
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}_update" ON "{source.table}"')
                cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
            elif connection.vendor == "sqlite":
                for event in ("insert", "delete", "update"):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{_trigger_name(source, event)}"')


def recount(connection) -> None:
    """Every count computed again from the annotations: after a bulk load made without
    the triggers, or to check them."""
    with connection.cursor() as cursor:
        for table, key in COUNTERS:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                f"INSERT INTO {table} (tag_id, {key}, uses) "
                f"SELECT tg.tag_id, ar.{key}, COUNT(*) FROM {TAGGED} tg "
                f"JOIN {ANNOTATION} a ON a.id = tg.content_object_id "
                f"JOIN {ARTICLE} ar ON ar.id = a.article_id "
                f"WHERE a.deleted IS NULL GROUP BY tg.tag_id, ar.{key}"
            )


def _install_postgresql(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
            [[_trigger_name(source) for source in SOURCES]],
        )
        fresh = cursor.fetchone()[0] < len(SOURCES)
        for source in SOURCES:
            name = _trigger_name(source)
            removed = ";\n".join(_take(source.uses("OLD")))
            added = ";\n".join(_add(source.uses("NEW")))
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        {removed};
                    END IF;
                    IF TG_OP IN ('UPDATE', 'INSERT') THEN
                        {added};
                    END IF;
                    RETURN NULL;
                END
                $$
                """
            )
            # Created once: DDL on a table would fail inside a transaction that has
            # written to it (`migrate` run by the demo command, say).
            if fresh:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{source.table}"')
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}_update" ON "{source.table}"')
                cursor.execute(
                    f'CREATE TRIGGER "{name}" AFTER INSERT OR DELETE ON "{source.table}" '
                    f'FOR EACH ROW EXECUTE FUNCTION "{name}"()'
                )
                # Django's save() names every column: only a real change counts again.
                cursor.execute(
                    f'CREATE TRIGGER "{name}_update" AFTER UPDATE OF '
                    f'{", ".join(source.watch)} ON "{source.table}" FOR EACH ROW '
                    f'WHEN ({source.changed}) EXECUTE FUNCTION "{name}"()'
                )
    return fresh


def _install_sqlite(connection) -> bool:
    with connection.cursor() as cursor:
        for source in SOURCES:
            removed = "; ".join(_take(source.uses("OLD")))
            added = "; ".join(_add(source.uses("NEW")))
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{_trigger_name(source, "insert")}" '
                f'AFTER INSERT ON "{source.table}" BEGIN {added}; END'
            )
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{_trigger_name(source, "delete")}" '
                f'AFTER DELETE ON "{source.table}" BEGIN {removed}; END'
            )
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{_trigger_name(source, "update")}" '
                f'AFTER UPDATE OF {", ".join(source.watch)} ON "{source.table}" '
                f"WHEN {source.changed} BEGIN {removed}; {added}; END"
            )
    return True


def keep_up_to_date(app_config) -> None:
    """Install the triggers after every migration (and drop SQLite's before one): call
    from AppConfig.ready()."""
    from parallax.migrating import around_migrations

    around_migrations(app_config, "counters", drop_triggers, install)
