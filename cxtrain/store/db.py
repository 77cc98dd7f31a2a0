"""Engines and sessions: SQLite (WAL, busy timeout) by default, PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

try:
    import fcntl
except ImportError:  # Windows: threads still queue; processes fall back to SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

SQLITE_BUSY_TIMEOUT_MS = 10_000


class WriteQueue:
    """Writers to one SQLite file, queued in order instead of polling.

    SQLite lets one writer commit at a time; the others poll in its busy handler, which
    sleeps 1, 2, 5, 10... ms between tries, so under load some writes wait hundreds of
    milliseconds while the lock is free most of the time. Here the threads of a process
    queue on a lock, and the processes (gunicorn workers) on an exclusive ``flock`` of a
    file beside the database, which the kernel hands over the moment it is released.
    Only the short write transactions of the hot path take it; any other writer still
    meets SQLite's own lock and busy timeout, so correctness never depends on this queue.
    """

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        on_disk = bool(database) and database != ":memory:" and not str(database).startswith("file:")
        self._path = f"{database}-writelock" if on_disk and fcntl is not None else None
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        # Opened per process: a descriptor inherited across fork() would share its flock
        # with the parent, and the two processes would not exclude each other.
        if self._fd is None or self._pid != os.getpid():
            assert self._path is not None
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
            weakref.finalize(self, os.close, self._fd)
        return self._fd

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            if self._path is None:
                yield
                return
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


# Per SQLite engine, its write queue (PostgreSQL needs none: its row locks queue writers).
_sqlite_write_queues: weakref.WeakKeyDictionary[Engine, WriteQueue] = weakref.WeakKeyDictionary()


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


def create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only, if it does not exist yet: it holds
    password hashes and emails. SQLite gives its -wal and -shm files the database's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):  # an existing database keeps the mode its admin gave it
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for ``url``; ``pooled=False`` for one-shot jobs such as migrations."""
    url = normalise_url(url)
    extra: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            create_private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **extra)
        event.listen(engine, "connect", _sqlite_pragmas)
        _sqlite_write_queues[engine] = WriteQueue(parsed.database)
        return engine
    if not pooled:
        return create_engine(url, **extra)
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_when_idle(engine)
    return engine


# A pooled connection used this recently is handed out without a ping (HikariCP's default
# "alive bypass window" is the same half second).
PING_AFTER_IDLE_SECONDS = 0.5


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before handing it out only if it sat idle for a while.

    SQLAlchemy's pool_pre_ping tests every checkout, one more round trip on each request: a
    sixth of the play step's. A connection that served a request a moment ago is almost surely
    alive; one that sat idle may have been cut by a restart, a failover or a firewall, and is
    replaced before anyone meets it. If the server goes away under load, the first statement to
    fail marks every connection of the pool as stale (SQLAlchemy's disconnect handling), so at
    most the requests in flight then see the error, as they would with a ping on each checkout.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool's documented signal: discard this connection and check out a fresh one.
            raise DisconnectionError(f"an idle pooled connection no longer answers: {exc}") from exc


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def serial_writes(db: Session) -> Iterator[None]:
    """Around a short write transaction (its statements and commit): on SQLite, wait in the
    engine's :class:`WriteQueue`; a no-op on PostgreSQL."""
    queue = _sqlite_write_queues.get(db.get_bind())  # type: ignore[call-overload]
    if queue is None:
        yield
        return
    with queue.hold():
        yield


@contextmanager
def read_snapshot(db: Session) -> Iterator[None]:
    """Run the reads inside against one snapshot of the database, so that numbers read by separate
    statements agree even while others commit (PostgreSQL: a REPEATABLE READ transaction; SQLite:
    an explicit read transaction, which WAL keeps on one snapshot). Any open transaction is
    committed first, because a snapshot must start with its first read. Nothing may be written
    inside; the snapshot ends with a commit, which (unlike a rollback) leaves the session's
    objects loaded."""
    db.commit()
    if db.get_bind().dialect.name == "postgresql":
        db.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        # pysqlite only begins transactions before writes; without BEGIN each SELECT is its own snapshot.
        db.connection().exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        db.commit()


def dialect_insert(db: Session | Connection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL do)."""
    dialect = (db.get_bind() if isinstance(db, Session) else db).dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
