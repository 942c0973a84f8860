"""Stored counts that the database keeps up to date itself.

A tag page says "50,000 uses in 180 outlets", an outlet page lists its tags by use, and a
story page ranks its claims by how often they were annotated and its outlets by how many
claims they carry; counting them on each request reads every annotation of a tag or a
story (44,000 in a big one). So tables hold the counts of *live* (not deleted)
annotations:

- tag uses per outlet (`TagOutletUse`) and per story (`TagStoryUse`);
- claim uses per outlet (`ClaimOutletUse`), and rolled up from those rows: per claim
  (`ClaimCount`: its annotations and the outlets carrying it) and per story and outlet
  (`StoryOutletClaims`: the story's claims the outlet carries, and how many of them are
  published, what a reader sees).

Row triggers on the tables that decide a count (tag links, annotations, articles) change
them in the same transaction as the write, whatever path it takes: the editing views, a
tag or claim merge, the admin, a bulk_create, an `update()`, raw SQL. Each trigger adds
the rows a write takes away or brings (an annotation deleted or restored, moved to another
article or claim, a tag linked or unlinked, an article moved to another story or outlet)
as `uses + n`, so concurrent writers never lose a count; the count rows are locked only
until each one commits. The claim roll-ups follow their ClaimOutletUse row's triggers
(an outlet starts or stops carrying a claim when its row's uses leave or reach 0) and a
claim's own (published or taken back, moved to another story).

The same statements serve PostgreSQL (one plpgsql function per table) and SQLite (one
trigger per event). SQLite triggers that read other tables would stop a migration from
rebuilding those tables, so there they are dropped before migrating and made again after,
with every count recomputed (`recount`, also `manage.py recount` after a bulk load that
bypassed them).
"""

from collections.abc import Callable
from dataclasses import dataclass

TAGGED = "annotations_taggedannotation"
ANNOTATION = "annotations_annotation"
ARTICLE = "sources_article"
CLAIM = "annotations_claim"
CLAIM_OUTLET = "annotations_claimoutletuse"
CLAIM_COUNT = "annotations_claimcount"
STORY_OUTLET = "annotations_storyoutletclaims"
PUBLISHED = "'published'"


@dataclass(frozen=True)
class Source:
    """One table whose writes change a family's counts: `uses(row)` is SQL selecting the
    key columns of each live use that row `row` (NEW or OLD) makes; `watch` its columns
    that decide them, `changed` SQL true when an update changed them."""

    table: str
    watch: tuple[str, ...]
    changed: str
    uses: Callable[[str], str]


@dataclass(frozen=True)
class Family:
    """Count tables, each (table, its key columns), kept from the same sources; `trigger`
    names the family's triggers on each source table."""

    trigger: str
    counts: tuple[tuple[str, tuple[str, ...]], ...]
    sources: tuple[Source, ...]
    # Every use counted again from the annotations, as rows of the counts' key columns.
    all_uses: str


def _changed(*columns: str, nullable: tuple[str, ...] = ()) -> str:
    """SQL true when an update changed one of `columns` (`nullable` ones to or from NULL)."""
    tests = [f"OLD.{column} <> NEW.{column}" for column in columns]
    tests += [
        f"(OLD.{column} IS NULL) <> (NEW.{column} IS NULL) OR OLD.{column} <> NEW.{column}"
        for column in nullable
    ]
    return " OR ".join(tests)


TAG_USES = Family(
    trigger="counts",
    counts=(
        ("annotations_tagoutletuse", ("tag_id", "outlet_id")),
        ("annotations_tagstoryuse", ("tag_id", "story_id")),
    ),
    sources=(
        Source(
            TAGGED,
            ("tag_id", "content_object_id"),
            _changed("tag_id", "content_object_id"),
            lambda row: (
                f"SELECT {row}.tag_id AS tag_id, ar.story_id AS story_id, "
                f"ar.outlet_id AS outlet_id FROM {ANNOTATION} a "
                f"JOIN {ARTICLE} ar ON ar.id = a.article_id "
                f"WHERE a.id = {row}.content_object_id AND a.deleted IS NULL"
            ),
        ),
        Source(
            ANNOTATION,
            ("deleted", "article_id"),
            _changed("article_id", nullable=("deleted",)),
            lambda row: (
                f"SELECT tg.tag_id AS tag_id, ar.story_id AS story_id, "
                f"ar.outlet_id AS outlet_id FROM {TAGGED} tg "
                f"JOIN {ARTICLE} ar ON ar.id = {row}.article_id "
                f"WHERE tg.content_object_id = {row}.id AND {row}.deleted IS NULL"
            ),
        ),
        Source(
            ARTICLE,
            ("story_id", "outlet_id"),
            _changed("story_id", "outlet_id"),
            lambda row: (
                f"SELECT tg.tag_id AS tag_id, {row}.story_id AS story_id, "
                f"{row}.outlet_id AS outlet_id FROM {ANNOTATION} a "
                f"JOIN {TAGGED} tg ON tg.content_object_id = a.id "
                f"WHERE a.article_id = {row}.id AND a.deleted IS NULL"
            ),
        ),
    ),
    all_uses=(
        f"SELECT tg.tag_id AS tag_id, ar.story_id AS story_id, ar.outlet_id AS outlet_id "
        f"FROM {TAGGED} tg JOIN {ANNOTATION} a ON a.id = tg.content_object_id "
        f"JOIN {ARTICLE} ar ON ar.id = a.article_id WHERE a.deleted IS NULL"
    ),
)

CLAIM_USES = Family(
    trigger="claim_counts",
    counts=((CLAIM_OUTLET, ("claim_id", "outlet_id")),),
    sources=(
        Source(
            ANNOTATION,
            ("claim_id", "deleted", "article_id"),
            _changed("article_id", nullable=("claim_id", "deleted")),
            lambda row: (
                f"SELECT {row}.claim_id AS claim_id, ar.outlet_id AS outlet_id "
                f"FROM {ARTICLE} ar WHERE ar.id = {row}.article_id "
                f"AND {row}.claim_id IS NOT NULL AND {row}.deleted IS NULL"
            ),
        ),
        Source(
            ARTICLE,
            ("outlet_id",),
            _changed("outlet_id"),
            lambda row: (
                f"SELECT a.claim_id AS claim_id, {row}.outlet_id AS outlet_id "
                f"FROM {ANNOTATION} a WHERE a.article_id = {row}.id "
                f"AND a.claim_id IS NOT NULL AND a.deleted IS NULL"
            ),
        ),
    ),
    all_uses=(
        f"SELECT a.claim_id AS claim_id, ar.outlet_id AS outlet_id FROM {ANNOTATION} a "
        f"JOIN {ARTICLE} ar ON ar.id = a.article_id "
        f"WHERE a.claim_id IS NOT NULL AND a.deleted IS NULL"
    ),
)

FAMILIES = (TAG_USES, CLAIM_USES)


def _add(family: Family, uses: str) -> list[str]:
    """Statements adding one for each use `uses` selects, to each count table. Grouped,
    so one statement touches a count row once (PostgreSQL refuses twice); `WHERE true`
    keeps SQLite from reading ON CONFLICT as a join's ON."""
    statements = []
    for table, keys in family.counts:
        columns = ", ".join(keys)
        picked = ", ".join(f"u.{key}" for key in keys)
        statements.append(
            f"INSERT INTO {table} ({columns}, uses) "
            f"SELECT {picked}, COUNT(*) FROM ({uses}) u WHERE true GROUP BY {picked} "
            f"ON CONFLICT ({columns}) DO UPDATE SET uses = {table}.uses + excluded.uses"
        )
    return statements


def _take(family: Family, uses: str) -> list[str]:
    """Statements taking away each use `uses` selects from each count table: updates of
    the rows there are, never an insert. A delete that empties a whole table (`flush`)
    may remove the tag, claim, outlet or story before their uses: a new count row would
    then point at a row that is gone."""
    statements = []
    for table, keys in family.counts:
        same = " AND ".join(f"u.{key} = {table}.{key}" for key in keys)
        statements.append(
            f"UPDATE {table} SET uses = uses - (SELECT COUNT(*) FROM ({uses}) u WHERE {same}) "
            f"WHERE EXISTS (SELECT 1 FROM ({uses}) u WHERE {same})"
        )
    return statements


# The claim roll-ups. A ClaimOutletUse row going from `before` to `after` uses changes its
# claim's annotations by after - before, and, when it crosses 0, the outlets carrying the
# claim and the claims its outlet carries in the claim's story by one. Increases upsert,
# decreases only update (see _take).


def _carried(before: str, after: str) -> str:
    return f"(CASE WHEN {after} > 0 THEN 1 ELSE 0 END - CASE WHEN {before} > 0 THEN 1 ELSE 0 END)"


def _roll_up(row: str, before: str, after: str, *, upsert: bool) -> list[str]:
    """Statements applying one ClaimOutletUse row's change, from `before` to `after` uses
    (SQL), to ClaimCount and StoryOutletClaims; `row` is NEW or OLD."""
    carried = _carried(before, after)
    published = f"CASE WHEN c.status = {PUBLISHED} THEN {carried} ELSE 0 END"
    if upsert:
        return [
            f"INSERT INTO {CLAIM_COUNT} (claim_id, annotations, outlets) "
            f"SELECT {row}.claim_id, {after} - {before}, {carried} WHERE true "
            f"ON CONFLICT (claim_id) DO UPDATE SET "
            f"annotations = {CLAIM_COUNT}.annotations + excluded.annotations, "
            f"outlets = {CLAIM_COUNT}.outlets + excluded.outlets",
            f"INSERT INTO {STORY_OUTLET} (story_id, outlet_id, claims, published) "
            f"SELECT c.story_id, {row}.outlet_id, {carried}, {published} FROM {CLAIM} c "
            f"WHERE c.id = {row}.claim_id AND {carried} <> 0 "
            f"ON CONFLICT (story_id, outlet_id) DO UPDATE SET "
            f"claims = {STORY_OUTLET}.claims + excluded.claims, "
            f"published = {STORY_OUTLET}.published + excluded.published",
        ]
    return [
        f"UPDATE {CLAIM_COUNT} SET annotations = annotations + ({after} - {before}), "
        f"outlets = outlets + {carried} WHERE claim_id = {row}.claim_id",
        f"UPDATE {STORY_OUTLET} SET claims = claims + {carried}, published = published + "
        f"(SELECT {published} FROM {CLAIM} c WHERE c.id = {row}.claim_id) "
        f"WHERE {carried} <> 0 AND outlet_id = {row}.outlet_id "
        f"AND story_id = (SELECT c.story_id FROM {CLAIM} c WHERE c.id = {row}.claim_id)",
    ]


def _roll_up_cases() -> list[tuple[str, str, str, list[str]]]:
    """The claim roll-ups' cases, each (name, event, condition, statements): SQLite makes
    a trigger of each (it has no IF), PostgreSQL one function choosing among them."""
    return [
        ("insert", "INSERT", "", _roll_up("NEW", "0", "NEW.uses", upsert=True)),
        ("delete", "DELETE", "", _roll_up("OLD", "OLD.uses", "0", upsert=False)),
        (
            "update",
            "UPDATE",
            "NEW.uses > OLD.uses",
            _roll_up("NEW", "OLD.uses", "NEW.uses", upsert=True),
        ),
        (
            "update_down",
            "UPDATE",
            "NEW.uses < OLD.uses",
            _roll_up("NEW", "OLD.uses", "NEW.uses", upsert=False),
        ),
    ]


def _claim_moves(row: str, sign: str, *, upsert: bool) -> str:
    """A statement adding (`sign` "+") or taking away ("-") claim `row`'s outlets to or
    from its story's StoryOutletClaims: when it is published or taken back, or moves to
    another story."""
    published = f"CASE WHEN {row}.status = {PUBLISHED} THEN 1 ELSE 0 END"
    carrying = f"SELECT outlet_id FROM {CLAIM_OUTLET} WHERE claim_id = {row}.id AND uses > 0"
    if upsert:
        return (
            f"INSERT INTO {STORY_OUTLET} (story_id, outlet_id, claims, published) "
            f"SELECT {row}.story_id, outlet_id, 1, {published} FROM ({carrying}) o WHERE true "
            f"ON CONFLICT (story_id, outlet_id) DO UPDATE SET "
            f"claims = {STORY_OUTLET}.claims + excluded.claims, "
            f"published = {STORY_OUTLET}.published + excluded.published"
        )
    return (
        f"UPDATE {STORY_OUTLET} SET claims = claims {sign} 1, "
        f"published = published {sign} {published} "
        f"WHERE story_id = {row}.story_id AND outlet_id IN ({carrying})"
    )


CLAIM_CHANGED = _changed("status", "story_id")


def _trigger_name(family: Family, table: str, event: str = "") -> str:
    return f"{table}_{family.trigger}{'_' + event if event else ''}"


def _roll_up_names() -> list[tuple[str, str]]:
    """(trigger name, table) of the claim roll-ups' triggers (PostgreSQL's)."""
    return [(f"{CLAIM_OUTLET}_roll_up", CLAIM_OUTLET), (f"{CLAIM}_roll_up", CLAIM)]


def count_tables() -> list[str]:
    """Every table of stored counts, the roll-ups included."""
    return sorted(set().union(*(_count_tables(family) for family in FAMILIES)))


def _count_tables(family: Family) -> set[str]:
    tables = {table for table, _ in family.counts}
    if family is CLAIM_USES:
        tables |= {CLAIM_COUNT, STORY_OUTLET}
    return tables


def install(connection) -> None:
    """Create the triggers if missing; counts everything again when they were missing
    (always on SQLite, where a migration runs without them). Nothing for a family whose
    count tables are missing (migrated back before them)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    existing = set(connection.introspection.table_names())
    for family in FAMILIES:
        if not _count_tables(family) <= existing:
            continue
        if connection.vendor == "postgresql":
            fresh = _install_postgresql(connection, family)
        else:
            fresh = _install_sqlite(connection, family)
        if fresh:
            recount(connection, family)


def drop_triggers(connection) -> None:
    """SQLite: remove the triggers before a migration may rebuild the tables they read."""
    if connection.vendor == "sqlite":
        for family in FAMILIES:
            remove(connection, family)


def remove(connection, family: Family = TAG_USES) -> None:
    """Remove a family's triggers (its count tables are going away)."""
    with connection.cursor() as cursor:
        names = [(_trigger_name(family, s.table), s.table) for s in family.sources]
        if family is CLAIM_USES:
            names += _roll_up_names()
        for name, table in names:
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}_update" ON "{table}"')
                cursor.execute(f'DROP FUNCTION IF EXISTS "{name}"()')
            elif connection.vendor == "sqlite":
                for event in ("insert", "delete", "update", "update_down"):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}_{event}"')


def recount(connection, family: Family | None = None) -> None:
    """Every count (of `family`, else of all) computed again from the annotations: after
    a bulk load made without the triggers, or to check them. The claim roll-ups follow
    the new ClaimOutletUse rows through their triggers."""
    with connection.cursor() as cursor:
        for each in [family] if family else FAMILIES:
            if each is CLAIM_USES:
                cursor.execute(f"DELETE FROM {CLAIM_COUNT}")
                cursor.execute(f"DELETE FROM {STORY_OUTLET}")
            for table, keys in each.counts:
                columns = ", ".join(keys)
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(
                    f"INSERT INTO {table} ({columns}, uses) "
                    f"SELECT {columns}, COUNT(*) FROM ({each.all_uses}) u GROUP BY {columns}"
                )


def _plpgsql(cursor, name: str, body: str) -> None:
    cursor.execute(
        f"""
        CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            {body}
            RETURN NULL;
        END
        $$
        """
    )


def _create_postgresql_triggers(cursor, name: str, table: str, watch, changed: str) -> None:
    """The row triggers calling function `name` on `table`: on insert and delete, and on an
    update of `watch` that `changed` says changed something (Django's save() names every
    column). Made once: DDL on a table would fail inside a transaction that has written to
    it (`migrate` run by the demo command, say)."""
    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}_update" ON "{table}"')
    cursor.execute(
        f'CREATE TRIGGER "{name}" AFTER INSERT OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{name}"()'
    )
    cursor.execute(
        f'CREATE TRIGGER "{name}_update" AFTER UPDATE OF {", ".join(watch)} ON "{table}" '
        f'FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION "{name}"()'
    )


def _install_postgresql(connection, family: Family) -> bool:
    names = [_trigger_name(family, source.table) for source in family.sources]
    if family is CLAIM_USES:
        names += [name for name, _ in _roll_up_names()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname = ANY(%s)",
            [names],
        )
        fresh = cursor.fetchone()[0] < len(names)
        for source in family.sources:
            name = _trigger_name(family, source.table)
            removed = ";\n".join(_take(family, source.uses("OLD")))
            added = ";\n".join(_add(family, source.uses("NEW")))
            _plpgsql(
                cursor,
                name,
                f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {removed}; END IF;\n"
                f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {added}; END IF;",
            )
            if fresh:
                _create_postgresql_triggers(
                    cursor, name, source.table, source.watch, source.changed
                )
        if family is CLAIM_USES:
            (rows, _), (claims, _) = _roll_up_names()
            _plpgsql(
                cursor,
                rows,
                " ".join(
                    f"{'ELSIF' if n else 'IF'} TG_OP = '{event}'"
                    f"{' AND ' + when if when else ''} THEN {'; '.join(statements)};"
                    for n, (_, event, when, statements) in enumerate(_roll_up_cases())
                )
                + " END IF;",
            )
            _plpgsql(
                cursor,
                claims,
                f"{_claim_moves('OLD', '-', upsert=False)};\n"
                f"{_claim_moves('NEW', '+', upsert=True)};",
            )
            if fresh:
                _create_postgresql_triggers(
                    cursor, rows, CLAIM_OUTLET, ("uses",), "OLD.uses <> NEW.uses"
                )
                # Only updates: a new claim carries nothing yet, a deleted one nothing more
                # (its annotations let go of it first, through their own triggers).
                cursor.execute(f'DROP TRIGGER IF EXISTS "{claims}" ON "{CLAIM}"')
                cursor.execute(f'DROP TRIGGER IF EXISTS "{claims}_update" ON "{CLAIM}"')
                cursor.execute(
                    f'CREATE TRIGGER "{claims}_update" AFTER UPDATE OF status, story_id '
                    f'ON "{CLAIM}" FOR EACH ROW WHEN ({CLAIM_CHANGED}) '
                    f'EXECUTE FUNCTION "{claims}"()'
                )
    return fresh


def _install_sqlite(connection, family: Family) -> bool:
    with connection.cursor() as cursor:
        for source in family.sources:
            name = _trigger_name(family, source.table)
            removed = "; ".join(_take(family, source.uses("OLD")))
            added = "; ".join(_add(family, source.uses("NEW")))
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{name}_insert" '
                f'AFTER INSERT ON "{source.table}" BEGIN {added}; END'
            )
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{name}_delete" '
                f'AFTER DELETE ON "{source.table}" BEGIN {removed}; END'
            )
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{name}_update" '
                f'AFTER UPDATE OF {", ".join(source.watch)} ON "{source.table}" '
                f"WHEN {source.changed} BEGIN {removed}; {added}; END"
            )
        if family is CLAIM_USES:
            (rows, _), (claims, _) = _roll_up_names()
            for case, event, when, statements in _roll_up_cases():
                cursor.execute(
                    f'CREATE TRIGGER IF NOT EXISTS "{rows}_{case}" '
                    f"AFTER {event}{' OF uses' if event == 'UPDATE' else ''} "
                    f'ON "{CLAIM_OUTLET}" {"WHEN " + when if when else ""} '
                    f"BEGIN {'; '.join(statements)}; END"
                )
            cursor.execute(
                f'CREATE TRIGGER IF NOT EXISTS "{claims}_update" AFTER UPDATE OF status, story_id '
                f'ON "{CLAIM}" WHEN {CLAIM_CHANGED} BEGIN '
                f"{_claim_moves('OLD', '-', upsert=False)}; "
                f"{_claim_moves('NEW', '+', upsert=True)}; END"
            )
    return True


def keep_up_to_date(app_config) -> None:
    """Install the triggers after every migration (and drop SQLite's before one): call
    from AppConfig.ready()."""
    from parallax.migrating import around_migrations

    around_migrations(app_config, "counters", drop_triggers, install)
