"""Engines and sessions: SQLite (WAL, busy timeout) by default, PostgreSQL via psycopg 3."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 10_000
# Per SQLite engine, a lock that the threads of one process take around a short write transaction.
_sqlite_write_locks: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def normalise_url(url: str) -> str:
    """Accept the ``postgres://``/``postgresql://`` URLs hosts hand out and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def default_url(instance_path: str | Path) -> str:
    return f"sqlite:///{Path(instance_path) / 'cxtrain.sqlite3'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while one writer commits, and several gunicorn workers
    # share the file; busy_timeout makes a writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for ``url``; ``pooled=False`` for one-shot jobs such as migrations."""
    url = normalise_url(url)
    extra: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **extra)
        event.listen(engine, "connect", _sqlite_pragmas)
        _sqlite_write_locks[engine] = threading.Lock()
        return engine
    if not pooled:
        return create_engine(url, **extra)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def serial_writes(db: Session) -> Iterator[None]:
    """Around a short write transaction (its statements and commit): on SQLite, threads of one
    process queue here, in order, instead of polling the file lock in SQLite's busy handler
    (which sleeps 1, 2, 5, 10... ms between tries and makes the slowest writes very slow); the
    other processes still wait on the busy timeout. A no-op on PostgreSQL, whose row locks queue."""
    lock = _sqlite_write_locks.get(db.get_bind())  # type: ignore[call-overload]
    if lock is None:
        yield
        return
    with lock:
        yield
