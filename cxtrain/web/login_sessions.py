"""Logging a browser in and out, with the session kept on the server (cxtrain.store.web_sessions).

Flask-Login keeps the account in the signed cookie; this adds the id of a server-side session
beside it, so that logout ends that session for any copy of the cookie, and a session idle for
SESSION_IDLE_DAYS or older than SESSION_MAX_DAYS ends too.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user

from ..store import web_sessions
from ..store.models import User
from .database import db
from .rewards import now

SESSION_KEY = "_cx_sid"


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return timedelta(days=config["SESSION_IDLE_DAYS"]), timedelta(days=config["SESSION_MAX_DAYS"])


def log_in(user: User, end_other_sessions: bool = False) -> bool:
    """Log ``user`` in on this browser with a new server-side session (False for a closed account).
    ``end_other_sessions`` after a new password: every other browser of theirs is logged out."""
    if not login_user(user):
        return False
    at = now()
    idle, max_age = _limits()
    session_db = db()
    token = web_sessions.start(session_db, user.id, at)
    if end_other_sessions:
        web_sessions.end_others(session_db, user.id, keep=token)
    else:
        web_sessions.end_stale(session_db, user.id, at, idle, max_age)
    session_db.commit()
    session[SESSION_KEY] = token
    return True


def log_out() -> None:
    """End this browser's session on the server, then in the cookie."""
    token = session.pop(SESSION_KEY, None)
    if token:
        web_sessions.end(db(), token)
        db().commit()
    logout_user()


def is_live(user: User) -> bool:
    """Whether the request's session of ``user`` is still on (see web_sessions.is_live)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return False
    idle, max_age = _limits()
    return web_sessions.is_live(db(), user.id, token, now(), idle, max_age)
