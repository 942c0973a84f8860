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
