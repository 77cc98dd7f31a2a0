"""``/healthz``: whether this worker can serve, for load balancers and orchestrators.

A worker is healthy when it reaches the database and the database's schema is the one this
release was built for. The second check matters during a rolling upgrade: a host running the
new release against a database not yet upgraded (or an old host after it was) answers 503 and
gets no traffic, instead of failing learners' requests one by one.

The answer says only ok or what is wrong in general terms, without versions or addresses,
because anyone can call it; the details go to the log.
"""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..store import migrate
from .extensions import limiter

bp = Blueprint("health", __name__)


@cache
def expected_revision() -> str | None:
    """The newest migration this release ships (read once: the files do not change at run time)."""
    return ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    engine: Engine = current_app.extensions["cxtrain.engine"]
    try:
        applied = migrate.current(engine)
    except SQLAlchemyError as exc:
        current_app.logger.warning("health check: the database is unreachable: %s", exc)
        return _answer(503, "unavailable", "The database cannot be reached.")
    wanted = expected_revision()
    if applied != wanted:
        current_app.logger.warning(
            "health check: the database schema is at %s, this release needs %s (run `cxtrain db upgrade`)",
            applied,
            wanted,
        )
        return _answer(503, "unavailable", "The database schema does not match this release.")
    return _answer(200, "ok")


def _answer(status: int, state: str, reason: str | None = None) -> Response:
    response = jsonify({"status": state, **({"reason": reason} if reason else {})})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
