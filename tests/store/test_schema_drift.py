"""The migrations and the models describe the same schema.

Alembic's autogenerate compares a database built by the migrations alone with the models (and
the insight rollup tables, which are plain Core tables): a column, index or table added on one
side only shows up here instead of in production.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from cxtrain.store import migrate
from cxtrain.store.db import make_engine
from cxtrain.store.insight_rollup import metadata as rollup_metadata
from cxtrain.store.models import Base


def _schema() -> MetaData:
    merged = MetaData()
    for source in (Base.metadata, rollup_metadata):
        for table in source.tables.values():
            table.to_metadata(merged)
    return merged


def _differences(url: str) -> list[object]:
    migrate.upgrade(url)
    engine = make_engine(url, pooled=False)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), _schema())
    finally:
        engine.dispose()


def test_migrations_build_what_the_models_describe_on_sqlite(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'drift.sqlite3'}") == []


@pytest.mark.postgres
def test_migrations_build_what_the_models_describe_on_postgres(postgres_url: str) -> None:
    assert _differences(postgres_url) == []
