"""A throwaway PostgreSQL database for the tests that prove the PostgreSQL path.

The server is named by CXTRAIN_TEST_POSTGRES_URL (.ci/run sets it to the local server).
Without it the tests skip, unless CXTRAIN_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from outside import missing
from sqlalchemy.engine import make_url

from cxtrain.store import normalise_url


def server_url_or_skip() -> str:
    base = os.environ.get("CXTRAIN_TEST_POSTGRES_URL")
    if base:
        return base
    missing("CXTRAIN_TEST_POSTGRES_URL is not set", "CXTRAIN_REQUIRE_POSTGRES")


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database on the test server; yield its SQLAlchemy URL; drop it after."""
    import psycopg

    url = make_url(normalise_url(server_url_or_skip()))
    name = f"cxtrain_test_{secrets.token_hex(4)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        psycopg.connect(admin).close()
    except psycopg.OperationalError:  # the named database may not exist: use the maintenance one
        admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def postgres_app(app_config: dict[str, object], url: str) -> Iterator[object]:
    """The app on the PostgreSQL database ``url``, migrated; its tables are emptied afterwards, so the
    next test starts clean (the database itself is dropped at the end of the session)."""
    from cxtrain.store import migrate
    from cxtrain.store.models import Base
    from cxtrain.web import create_app

    migrate.upgrade(url)
    app = create_app({**app_config, "DATABASE_URL": url})
    try:
        yield app
    finally:
        engine = app.extensions["cxtrain.engine"]
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()
