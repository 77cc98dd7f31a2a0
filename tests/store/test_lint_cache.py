"""Stored lint findings: read back per version and context, first writer wins, old contexts
pruned; on a real SQLite file and on PostgreSQL; migration 0011 down and up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select

from cxtrain.scenario import Finding
from cxtrain.store import lint_cache, migrate
from cxtrain.store.db import make_engine, make_sessionmaker
from cxtrain.store.models import LintCacheEntry, utcnow

WARNING = Finding("first.yaml", 12, 7, "warning", "missing-feedback", "The choice 'c0' in 'n1' has no feedback: “é”.")
ERROR = Finding("first.yaml", 3, 1, "error", "unknown-role", "The role 'x' is not in roles.yaml.")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'lint.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        session.execute(LintCacheEntry.__table__.delete())  # the PostgreSQL database is per test module
        session.commit()
        yield session
    engine.dispose()


def test_findings_come_back_under_their_version_and_context_only(db) -> None:
    lint_cache.store(db, "ctx-a", {"v1": [ERROR, WARNING], "v2": []})
    found = lint_cache.stored(db, "ctx-a", {"v1": "library/first.yaml", "v2": "second.yaml", "v3": "third.yaml"})
    assert found == {
        "v1": [
            Finding("library/first.yaml", 3, 1, "error", "unknown-role", ERROR.message),
            Finding("library/first.yaml", 12, 7, "warning", "missing-feedback", WARNING.message),
        ],
        "v2": [],
    }
    assert [f.severity for f in found["v1"]] == ["error", "warning"]  # the fields that do not compare, too
    assert found["v1"][1].message == WARNING.message
    assert lint_cache.stored(db, "ctx-b", {"v1": "first.yaml"}) == {}


def test_a_second_store_of_the_same_key_keeps_the_first(db) -> None:
    lint_cache.store(db, "ctx", {"v1": [WARNING]})
    lint_cache.store(db, "ctx", {"v1": [ERROR], "v2": [ERROR]})  # another worker, at the same moment
    found = lint_cache.stored(db, "ctx", {"v1": "a.yaml", "v2": "b.yaml"})
    assert [f.code for f in found["v1"]] == ["missing-feedback"]
    assert [f.code for f in found["v2"]] == ["unknown-role"]


def test_more_versions_than_one_query_takes(db) -> None:
    versions = {f"v{i:04d}": [WARNING] if i % 2 else [] for i in range(1234)}
    lint_cache.store(db, "ctx", versions)
    found = lint_cache.stored(db, "ctx", {v: "m.yaml" for v in [*versions, "absent"]})
    assert set(found) == set(versions)
    assert sum(len(f) for f in found.values()) == 617


def test_prune_forgets_old_entries_of_other_contexts_only(db) -> None:
    lint_cache.store(db, "old", {"v1": [WARNING]})
    lint_cache.store(db, "current", {"v1": [ERROR]})
    assert lint_cache.prune(db, "current", timedelta(days=30)) == 0  # too recent: a rolling upgrade
    assert lint_cache.prune(db, "current", timedelta(days=30), now=utcnow() + timedelta(days=31)) == 1
    assert db.execute(select(LintCacheEntry.context)).scalars().all() == ["current"]


def test_migration_0011_down_and_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url, pooled=False)
    with make_sessionmaker(engine)() as session:
        lint_cache.store(session, "ctx", {"v1": [WARNING]})
    engine.dispose()
    command.downgrade(migrate.alembic_config(url), "0010")
    engine = make_engine(url, pooled=False)
    assert not inspect(engine).has_table("lint_results")
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url, pooled=False)
    with make_sessionmaker(engine)() as session:
        assert lint_cache.stored(session, "ctx", {"v1": "m.yaml"}) == {}  # a cache: it starts empty
    engine.dispose()
