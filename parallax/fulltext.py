"""Full-text indexes that the database keeps up to date itself.

An app declares what to index (`FullTextIndex`: a table, the SQL giving a row's
text, the columns that change it) and installs it after every migration. The
database then derives the index on every write, whatever path the write takes
(the importer, a correction, the admin, a bulk_create, the shell):

- PostgreSQL: two columns on the row, `search_config` (the text search
  configuration of the row's language, `simple` where PostgreSQL has no stemmer)
  and `search_vector` (`to_tsvector(search_config, unaccent(text))`), filled by
  BEFORE INSERT and BEFORE UPDATE triggers, with a GIN index. They are not model
  fields: no page loads them by accident. (A generated column cannot take its
  configuration from a row, hence the triggers.) A bulk writer may fill them in its
  INSERT instead (`insert_rows`, the importer's passages): the insert trigger skips a
  row that comes with its vector, as only such an INSERT can bring one.
- SQLite: an FTS5 table `<table>_fts` (rowid = the row's id, accents removed by
  the unicode61 tokenizer), kept by AFTER INSERT/UPDATE/DELETE triggers.

Triggers that read other tables would stop SQLite from rebuilding those tables in
a migration, so on SQLite they are dropped before migrating and made again after
(`drop_triggers`, `install`); both are idempotent, and `install` indexes any row
written while they were away.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

# BCP 47 primary language subtags and PostgreSQL's text search configurations
# (those shipped since PostgreSQL 13; Ukrainian, Azerbaijani, Polish and others have
# no stemmer there and use `simple`).
LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
DEFAULT_CONFIG = "simple"


def configs_in_use(connection) -> list[str]:
    """The configurations rows have had (PostgreSQL; one small query), `simple` always."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfg::text FROM parallax_search_configs")
        return sorted({DEFAULT_CONFIG, *(row[0] for row in cursor.fetchall())})


@dataclass(frozen=True)
class FullTextIndex:
    """What to index. `text` and `language` are SQL expressions over the row, which
    they name `{row}` ("{row}.note"); `language` None means the `simple` configuration.
    `watch` are the row's columns whose change changes the text. `follows` lists
    (other table, its columns, SQL condition over `{row}` and that table's new row
    `NEW`): when those columns change there, the rows the condition picks are
    indexed again (PostgreSQL; on SQLite the language does not matter)."""

    table: str
    text: str
    watch: tuple[str, ...]
    language: str | None = None
    follows: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    # Raise it when `text`, `language` or `watch` change: every row is indexed again.
    version: int = 1

    @property
    def fts(self) -> str:
        return f"{self.table}_fts"

    def _language(self, row: str) -> str:
        return self.language.format(row=row) if self.language else "''"

    def _text(self, row: str, given: str = "") -> str:
        return f"coalesce({given or self.text.format(row=row)}, '')"

    def _vector_input(self, row: str, given: str = "") -> str:
        # PostgreSQL's parser takes "<...>" for an HTML tag (and skips a <script>'s
        # words) and "&...;" for an entity: an outlet's text is plain text, so "<" and
        # "&" are separators, as they are for SQLite's tokenizer. `given`: SQL for the
        # text itself, when the writer has it (insert_rows).
        return f"unaccent(translate({self._text(row, given)}, '<&', '  '))"


def install(connection, index: FullTextIndex) -> None:
    """Create what `index` needs on this database, if missing. Every row is indexed when
    the index's version changed (or is unknown: the index is new); on SQLite also the rows
    written while its triggers were away (a migration)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS parallax_search_indexes "
            "(name varchar(100) PRIMARY KEY, version integer NOT NULL)"
        )
        cursor.execute("SELECT version FROM parallax_search_indexes WHERE name = %s", [index.table])
        row = cursor.fetchone()
    stale = row is None or row[0] != index.version
    if connection.vendor == "postgresql":
        _install_postgresql(connection, index, stale)
    else:
        _install_sqlite(connection, index, stale)
    if stale:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM parallax_search_indexes WHERE name = %s", [index.table])
            cursor.execute(
                "INSERT INTO parallax_search_indexes (name, version) VALUES (%s, %s)",
                [index.table, index.version],
            )


def drop_triggers(connection, index: FullTextIndex) -> None:
    """SQLite: remove the triggers before a migration may rebuild the tables they read."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{index.fts}_{event}"')


def _quoted(names) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _install_postgresql(connection, index: FullTextIndex, stale: bool) -> None:
    table = index.table
    cases = "\n".join(
        f"        WHEN '{code}' THEN '{config}'" for code, config in LANGUAGE_CONFIGS.items()
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # unaccent() is only STABLE (its rules file could change), so a query's
        # websearch_to_tsquery(…, unaccent('words')) would be computed again for every row
        # it checks. Declared IMMUTABLE, with its dictionary named, it is computed once,
        # when the query is planned.
        cursor.execute(
            """
            CREATE OR REPLACE FUNCTION parallax_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
                SELECT unaccent('unaccent'::regdictionary, $1)
            $$
            """
        )
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION parallax_search_config(language text)
            RETURNS regconfig LANGUAGE sql IMMUTABLE AS $$
                SELECT (CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))
{cases}
                    ELSE '{DEFAULT_CONFIG}' END)::regconfig
            $$
            """
        )
        # What is there already is left alone: DDL on a table would fail inside a
        # transaction that has written to it (`migrate` run by the demo command, say).
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = %s AND column_name IN "
            "('search_config', 'search_vector')",
            [table],
        )
        if cursor.fetchone()[0] < 2:
            cursor.execute(
                f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS search_config regconfig, '
                "ADD COLUMN IF NOT EXISTS search_vector tsvector"
            )
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgname LIKE %s",
            [f"{table}_search%"],
        )
        triggers = dict(cursor.fetchall())
        # Before the insert trigger of its own, one trigger filled a row on INSERT OR
        # UPDATE: made again as the update trigger (the vectors stay as they are).
        if stale or " INSERT " in triggers.get(f"{table}_search", ""):
            # Another text, language or set of watched columns: made again, every row
            # indexed again below when stale.
            for name in (f"{table}_search", f"{table}_search_insert"):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                triggers.pop(name, None)
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [f"{table}_search_gin"])
        if cursor.fetchone() is None:
            cursor.execute(
                f'CREATE INDEX IF NOT EXISTS "{table}_search_gin" '
                f'ON "{table}" USING gin (search_vector)'
            )
        # The configurations in use: a search builds its query in each of them (and not in
        # the twenty-odd others), as constants the planner can estimate.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS parallax_search_configs (cfg regconfig PRIMARY KEY)"
        )
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION "{table}_search_fill"() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                NEW.search_config := parallax_search_config({index._language("NEW")});
                NEW.search_vector := to_tsvector(NEW.search_config, {index._vector_input("NEW")});
                INSERT INTO parallax_search_configs VALUES (NEW.search_config)
                ON CONFLICT DO NOTHING;
                RETURN NEW;
            END
            $$
            """
        )
        if f"{table}_search" not in triggers:
            cursor.execute(
                f'CREATE TRIGGER "{table}_search" BEFORE UPDATE OF '
                f'{_quoted(index.watch)} ON "{table}" FOR EACH ROW '
                f'EXECUTE FUNCTION "{table}_search_fill"()'
            )
        if f"{table}_search_insert" not in triggers:
            # A row inserted with its vector comes from insert_rows, which computed it
            # with this function's expressions; the function is not even called for it.
            cursor.execute(
                f'CREATE TRIGGER "{table}_search_insert" BEFORE INSERT ON "{table}" '
                "FOR EACH ROW WHEN (NEW.search_vector IS NULL) "
                f'EXECUTE FUNCTION "{table}_search_fill"()'
            )
        for other, columns, condition in index.follows:
            name = f"{table}_search_follows_{other}"
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    -- Naming a watched column in SET fires the row's own trigger.
                    UPDATE "{table}" SET "{index.watch[0]}" = "{index.watch[0]}"
                    WHERE {condition.format(row=f'"{table}"')};
                    RETURN NULL;
                END
                $$
                """
            )
            if name not in triggers:
                cursor.execute(
                    f'CREATE TRIGGER "{name}" AFTER UPDATE OF {_quoted(columns)} ON "{other}" '
                    f'FOR EACH ROW EXECUTE FUNCTION "{name}"()'
                )
        if not stale:
            # The trigger has indexed every row written since the index was made.
            return
        row = f'"{table}"'
        cursor.execute(
            f"UPDATE {row} SET search_config = parallax_search_config({index._language(row)}), "
            f"search_vector = to_tsvector(parallax_search_config({index._language(row)}), "
            f"{index._vector_input(row)})"
        )
        cursor.execute(
            f"INSERT INTO parallax_search_configs SELECT DISTINCT search_config FROM {row} "
            "ON CONFLICT DO NOTHING"
        )


def insert_rows(
    connection,
    index: FullTextIndex,
    columns: dict[str, tuple[str, list]],
    *,
    texts: list[str] | None = None,
) -> None:
    """PostgreSQL: INSERT rows into the index's table with their search columns computed in
    the statement, by the insert trigger's expressions, and the configurations they use
    noted, all in one statement. `columns` maps each column to its SQL type and its values,
    one a row (lists of one length, no NULL among integers); the rows take their ids in
    that order. `texts`, when the writer has them, are the rows' texts exactly as the
    index's `text` reads them (the importer's passages, cut from the text it writes in the
    same transaction): reading each back from the database took 40 µs a passage.

    The trigger runs its function once a row, a plan's worth of work each time: 0.2 ms a
    passage, three times what the same expressions cost here for a batch of rows at once.
    """
    row = "r"
    names = _quoted(columns)
    arrays = ", ".join(f"%s::{kind}[]" for kind, _ in columns.values())
    given = ""
    if texts is not None:
        names_in = f'{names}, "parallax_given_text"'
        arrays += ", %s::text[]"
        given = f'{row}."parallax_given_text"'
    else:
        names_in = names
    config = f"parallax_search_config({index._language(row)})"
    picked = ", ".join(f'{row}."{name}"' for name in columns)
    vector = f"to_tsvector(c.config, {index._vector_input(row, given)})"
    sql = (
        f'WITH inserted AS (INSERT INTO "{index.table}" ({names}, search_config, search_vector) '
        f"SELECT {picked}, c.config, {vector} "
        f"FROM unnest({arrays}) AS {row} ({names_in}) "
        # OFFSET 0 keeps the configuration a subquery, worked out once a row (inlined, it
        # would be worked out again inside to_tsvector).
        f"CROSS JOIN LATERAL (SELECT {config} AS config OFFSET 0) c RETURNING search_config) "
        "INSERT INTO parallax_search_configs SELECT DISTINCT search_config FROM inserted "
        "ON CONFLICT DO NOTHING"
    )
    params = [
        # Integers as PostgreSQL's array text: psycopg makes that one item at a time,
        # ten times slower (28 ms for 10,000 integers).
        "{" + ",".join(map(str, values)) + "}" if kind in INTEGER_TYPES else values
        for kind, values in columns.values()
    ]
    if texts is not None:
        params.append(texts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


INTEGER_TYPES = {"smallint", "integer", "bigint"}


def _install_sqlite(connection, index: FullTextIndex, stale: bool) -> None:
    table, fts = index.table, index.fts
    new_text = index._text("NEW")
    if stale:
        drop_triggers(connection, index)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{fts}"')
    with connection.cursor() as cursor:
        try:
            cursor.execute(
                f'CREATE VIRTUAL TABLE IF NOT EXISTS "{fts}" USING fts5('
                "body, tokenize = 'unicode61 remove_diacritics 2')"
            )
        except OperationalError as error:
            raise ImproperlyConfigured(
                f"Search on SQLite needs its FTS5 extension, which this SQLite lacks "
                f"({error}). Use a Python whose sqlite3 module has FTS5 (the python.org "
                "and pyenv builds do), or PostgreSQL (DATABASE_URL=postgres://…)."
            ) from error
        cursor.execute(
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_insert" AFTER INSERT ON "{table}" BEGIN '
            f'INSERT INTO "{fts}" (rowid, body) VALUES (NEW.id, {new_text}); END'
        )
        cursor.execute(
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_update" AFTER UPDATE OF {_quoted(index.watch)} '
            f'ON "{table}" BEGIN DELETE FROM "{fts}" WHERE rowid = OLD.id; '
            f'INSERT INTO "{fts}" (rowid, body) VALUES (NEW.id, {new_text}); END'
        )
        cursor.execute(
            f'CREATE TRIGGER IF NOT EXISTS "{fts}_delete" AFTER DELETE ON "{table}" BEGIN '
            f'DELETE FROM "{fts}" WHERE rowid = OLD.id; END'
        )
        # Rows written while the triggers were away (a migration), and entries of rows
        # deleted meanwhile.
        cursor.execute(f'DELETE FROM "{fts}" WHERE rowid NOT IN (SELECT id FROM "{table}")')
        row = f'"{table}"'
        cursor.execute(
            f'INSERT INTO "{fts}" (rowid, body) SELECT id, {index._text(row)} FROM {row} '
            f'WHERE id NOT IN (SELECT rowid FROM "{fts}")'
        )


def keep_up_to_date(app_config, *indexes: FullTextIndex) -> None:
    """Install the app's indexes after every migration (and drop SQLite's triggers
    before one): call from AppConfig.ready()."""
    from parallax.migrating import around_migrations

    def before(connection):
        for index in indexes:
            drop_triggers(connection, index)

    def after(connection):
        for index in indexes:
            install(connection, index)

    around_migrations(app_config, "fulltext", before, after)
