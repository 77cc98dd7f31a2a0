"""A scratch PostgreSQL database for a benchmark run, created empty and dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from cxtrain.store import normalise_url


def admin_dsn(url: str) -> str:
    """``url`` as a plain libpq DSN for psycopg (no SQLAlchemy driver name)."""
    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    return make_url(normalise_url(url)).set(database=name).render_as_string(hide_password=False)


@contextmanager
def scratch_database(server_url: str, name: str, *, keep: bool = False) -> Iterator[str]:
    """Create database ``name`` (dropping a leftover of an earlier run) on the server of
    ``server_url`` and yield its URL; drop it at the end unless ``keep``."""
    import psycopg

    with psycopg.connect(admin_dsn(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        if not keep:
            with psycopg.connect(admin_dsn(server_url), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
