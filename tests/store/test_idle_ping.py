"""PostgreSQL's pool tests a connection only after it sat idle, and replaces one the server dropped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from cxtrain.store import db as store_db

pytestmark = pytest.mark.postgres


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    engine = store_db.make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the dialect's real pings (each still runs against the server)."""
    seen: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):  # type: ignore[no-untyped-def]
        seen.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return seen


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("SELECT pg_backend_pid()"))


def test_a_connection_reused_at_once_is_not_pinged(engine: Engine, pings: list[int]) -> None:
    first = backend_pid(engine)
    for _ in range(20):
        assert backend_pid(engine) == first  # the same pooled connection each time
    assert pings == []


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(
    engine: Engine, pings: list[int], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dropped = backend_pid(engine)
    other = store_db.make_engine(postgres_url, pooled=False)
    with other.connect() as conn:  # a restart or a firewall, as the pool sees it
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    other.dispose()
    monkeypatch.setattr(store_db, "PING_AFTER_IDLE_SECONDS", 0.0)  # instead of waiting half a second
    replaced = backend_pid(engine)  # no error: the ping failed and the pool connected again
    assert replaced != dropped
    assert len(pings) == 1


def test_an_idle_live_connection_is_kept_after_its_ping(
    engine: Engine, pings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = backend_pid(engine)
    monkeypatch.setattr(store_db, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert backend_pid(engine) == first
    assert pings == [1]
