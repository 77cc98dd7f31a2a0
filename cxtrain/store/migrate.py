"""Alembic, configured in code so that an installed wheel needs no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

from .db import normalise_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs with escaped passwords contain it.
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def upgrade_and_report(url: str) -> list[str]:
    """Bring the database at ``url`` to the newest revision; what was applied, oldest first, as
    "REVISION: its message" (empty when it was up to date)."""
    from alembic.script import ScriptDirectory

    from .db import make_engine

    engine = make_engine(url, pooled=False)
    try:
        before = current(engine)
    finally:
        engine.dispose()
    upgrade(url)
    script = ScriptDirectory.from_config(alembic_config(url))
    applied = list(script.iterate_revisions("head", before or "base"))
    return [f"{rev.revision}: {rev.doc}" for rev in reversed(applied) if rev.revision != before]


def current(engine: Engine) -> str | None:
    """The applied revision, or None for an empty database."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
