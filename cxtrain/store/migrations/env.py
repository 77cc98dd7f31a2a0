"""Alembic environment: the URL comes from the Config built in cxtrain.store.migrate."""

from __future__ import annotations

from alembic import context

from cxtrain.store.db import make_engine
from cxtrain.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "", pooled=False)
    with engine.connect() as connection:
        # render_as_batch lets later migrations alter SQLite tables (which lack ALTER COLUMN).
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
