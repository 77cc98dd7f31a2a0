"""The SQLite database file is private to the account that runs cxtrain."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from cxtrain.store.db import make_engine


def test_a_new_sqlite_database_and_its_wal_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "instance" / "cxtrain.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        files = sorted(database.parent.iterdir())
        assert [f.name for f in files] == ["cxtrain.sqlite3", "cxtrain.sqlite3-shm", "cxtrain.sqlite3-wal"]
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == dict.fromkeys((f.name for f in files), 0o600)
    engine.dispose()


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    database = tmp_path / "shared.sqlite3"
    database.touch(mode=0o640)
    database.chmod(0o640)
    make_engine(f"sqlite:///{database}").dispose()
    assert stat.S_IMODE(database.stat().st_mode) == 0o640
