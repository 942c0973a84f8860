"""Databases of their own, for the tests whose other processes (gunicorn workers, task
workers) cannot reach pytest-django's test database: a SQLite file, or a PostgreSQL
database made beside the suite's and dropped after the test, when the suite itself runs
on PostgreSQL (only then is a server known to be there, with credentials for it)."""

import contextlib
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

KINDS = ["sqlite-file", "postgresql"]


def suite_runs_on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def connection_params(dbname: str) -> dict:
    """psycopg.connect()'s arguments for database `dbname` on the suite's server."""
    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "localhost",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "dbname": dbname,
    }


def postgresql_database(name: str):
    """Creates database `name` on the suite's PostgreSQL server; returns its URL and a
    function that drops it."""
    params = connection_params("postgres") | {"autocommit": True}
    with psycopg.connect(**params) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop():
        with psycopg.connect(**params) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    credentials = params["user"] + (f":{params['password']}" if params["password"] else "")
    return f"postgres://{credentials}@{params['host']}:{params['port']}/{name}", drop


@contextlib.contextmanager
def database_of_its_own(kind: str, folder: Path, purpose: str):
    """The URL of a new, empty database of `kind` (one of KINDS); a PostgreSQL one is
    dropped on leaving, and skipped when the suite does not run on PostgreSQL."""
    if kind == "sqlite-file":
        yield f"sqlite:///{folder / 'db.sqlite3'}"
        return
    if not suite_runs_on_postgresql():
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    url, drop = postgresql_database(f"parallax_{purpose}_{uuid.uuid4().hex[:12]}")
    try:
        yield url
    finally:
        drop()
