"""What every `cxtrain` command of the web layer starts from: the app and a database session."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy.orm import Session

from ..store import migrate


def cli_app() -> Flask:
    """The app a caller handed in (Flask's test runner passes a ScriptInfo), else one from the environment."""
    from flask.cli import ScriptInfo

    from . import create_app

    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    return info.load_app() if info is not None else create_app()


def migrated_app() -> Flask:
    """The app, with the database migrated: account commands are often the first thing run after
    an upgrade, and the users table may have gained a column."""
    app = cli_app()
    migrate.upgrade(app.config["DATABASE_URL"])
    return app


def cli_session(app: Flask) -> Session:
    return app.extensions["cxtrain.sessionmaker"]()
