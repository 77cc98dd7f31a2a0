"""Migration 0010 (users.language) goes up and down on a database that already holds accounts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from cxtrain.store import migrate
from cxtrain.store.db import make_engine


def _columns(url: str) -> set[str]:
    engine = make_engine(url, pooled=False)
    try:
        return {c["name"] for c in inspect(engine).get_columns("users")}
    finally:
        engine.dispose()


def test_language_column_up_and_down_keeps_the_accounts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'languages.sqlite3'}"
    migrate.upgrade(url, "0009")
    engine = make_engine(url, pooled=False)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, name, password_hash, role, created_at) "
                "VALUES ('a@example.org', 'A', 'x', 'learner', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    assert "language" not in _columns(url)

    migrate.upgrade(url)
    assert "language" in _columns(url)
    engine = make_engine(url, pooled=False)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT email, language FROM users")).all() == [("a@example.org", None)]
        conn.execute(text("UPDATE users SET language = 'fr'"))
    engine.dispose()

    command.downgrade(migrate.alembic_config(url), "0009")
    assert "language" not in _columns(url)
    engine = make_engine(url, pooled=False)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email FROM users")).scalars().all() == ["a@example.org"]
    engine.dispose()
    migrate.upgrade(url)  # and up again
    assert "language" in _columns(url)
