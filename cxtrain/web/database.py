"""One SQLAlchemy session per request (or per app context in commands), closed at teardown."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from ..store.db import make_engine, make_sessionmaker


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["cxtrain.engine"] = engine
    app.extensions["cxtrain.sessionmaker"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close)


def db() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["cxtrain.sessionmaker"]()
    return g.db_session


def _close(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
