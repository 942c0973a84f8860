"""What the PostgreSQL benchmarks share: their own database, created when it is missing,
Django set up on it, and invented words to fill it with."""

import os
import random
from urllib.parse import unquote, urlsplit

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "gu", "ha", "ji", "ke"]


def start_django(default_url: str) -> None:
    """Set Django up on DATABASE_URL (else `default_url`), creating its database first."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parallax.test_settings")
    os.environ.setdefault("DATABASE_URL", default_url)
    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    """CREATE DATABASE for a postgres:// URL whose database does not exist yet."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = unquote(parts.path.lstrip("/"))
    admin = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or "") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            print(f"Creating the database {name}", flush=True)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def invented_words(rng: random.Random, size: int) -> list[str]:
    """`size` distinct words of two to four syllables that no stemmer folds together."""
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def copy_rows(cursor, model, names: list[str], rows) -> int:
    """Write `rows` (tuples of the fields `names` of `model`) with PostgreSQL's COPY; every
    other column gets its field's default, so a column another change adds later (a stored
    counter, say) is filled as Django would fill it. Returns the number of rows written.

    `cursor` is a Django cursor on PostgreSQL. Nullable fields without a default are left
    NULL; an auto primary key not named is left to its sequence."""
    from django.db import connection
    from django.db.models import AutoField, BigAutoField, SmallAutoField
    from django.utils import timezone

    fields = {field.name: field for field in model._meta.concrete_fields}
    extra_columns, extra_values = [], []
    for name, field in fields.items():
        if name in names or isinstance(field, AutoField | BigAutoField | SmallAutoField):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = timezone.now()
        elif field.has_default() or not field.null:
            value = field.get_db_prep_save(field.get_default(), connection)
        else:
            continue
        extra_columns.append(field.column)
        extra_values.append(value)
    columns = [fields[name].column for name in names] + extra_columns
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    extra = tuple(extra_values)
    written = 0
    with cursor.cursor.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row + extra)
            written += 1
    return written


def reset_sequence(cursor, model) -> None:
    """Move the primary key's sequence past the ids written by hand."""
    table = model._meta.db_table
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT coalesce(max(id), 1) FROM {table}))"
    )
