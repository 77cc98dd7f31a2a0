"""read_snapshot: reads by separate statements see one state of the database, while others commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, func, insert, select

from cxtrain.store.db import make_engine, make_sessionmaker, read_snapshot

rows = Table("snapshot_rows", MetaData(), Column("id", Integer, primary_key=True))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'snapshot.sqlite3'}"
        return
    import pgdb

    with pgdb.fresh_database() as fresh:
        yield fresh


@pytest.fixture
def engines(url: str) -> Iterator[tuple[Engine, Engine]]:
    """The engine under test, with the table, and a second one for someone else's commits."""
    engine = make_engine(url)
    rows.create(engine)
    other = make_engine(url)
    yield engine, other
    other.dispose()
    engine.dispose()


count = select(func.count()).select_from(rows)


def test_a_commit_by_someone_else_is_not_seen_inside_and_is_seen_after(engines: tuple[Engine, Engine]) -> None:
    engine, other = engines
    with make_sessionmaker(engine)() as db:
        db.execute(insert(rows))  # an open write transaction is committed before the snapshot starts
        with read_snapshot(db):
            first = db.scalar(count)
            with other.begin() as conn:
                conn.execute(insert(rows))
            assert db.scalar(count) == first == 1  # the second statement reads the same snapshot
        assert db.scalar(count) == 2  # the next transaction sees the other's commit


def test_without_it_a_second_statement_sees_the_commit(engines: tuple[Engine, Engine]) -> None:
    """The control: what read_snapshot prevents does happen without it (autocommit SELECTs on
    SQLite, READ COMMITTED on PostgreSQL)."""
    engine, other = engines
    with make_sessionmaker(engine)() as db:
        first = db.scalar(count)
        with other.begin() as conn:
            conn.execute(insert(rows))
        assert (first, db.scalar(count)) == (0, 1)
