"""Browser logins kept on the server (see models.WebSession): started at login, checked on every
request that carries one, ended by logout, by idleness or by age."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..gamify.records import as_utc
from .models import WebSession

# A session's last_seen_at is written at most this often: not a write on every page.
TOUCH_EVERY = timedelta(hours=1)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(db: Session, user_id: int, now: datetime) -> str:
    """A new session of ``user_id``; the random id for its cookie (the caller commits)."""
    token = secrets.token_urlsafe(32)
    db.add(WebSession(id=_key(token), user_id=user_id, created_at=now, last_seen_at=now))
    return token


def is_live(db: Session, user_id: int, token: str, now: datetime, idle: timedelta, max_age: timedelta) -> bool:
    """Whether the session ``token`` of ``user_id`` is still on: not ended, used within ``idle``,
    started within ``max_age``. Notes the use (at most every TOUCH_EVERY, committed)."""
    row = db.get(WebSession, _key(token))
    if row is None or row.user_id != user_id:
        return False
    last_seen, created = as_utc(row.last_seen_at), as_utc(row.created_at)
    if now - last_seen > idle or now - created > max_age:
        return False
    if now - last_seen > TOUCH_EVERY:
        db.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
        db.commit()
    return True


def end(db: Session, token: str) -> None:
    """End one session (logout); the caller commits."""
    db.execute(delete(WebSession).where(WebSession.id == _key(token)))


def end_others(db: Session, user_id: int, keep: str | None) -> None:
    """End every session of ``user_id`` but ``keep`` (after a new password); the caller commits."""
    others = delete(WebSession).where(WebSession.user_id == user_id)
    if keep is not None:
        others = others.where(WebSession.id != _key(keep))
    db.execute(others)


def end_stale(db: Session, user_id: int | None, now: datetime, idle: timedelta, max_age: timedelta) -> int:
    """Delete the sessions that can no longer be used: ``user_id``'s (at each login), or everyone's
    (None, at each start of the service), so that no login outlives its use in the table. How
    many; the caller commits."""
    stale = delete(WebSession).where((WebSession.last_seen_at < now - idle) | (WebSession.created_at < now - max_age))
    if user_id is not None:
        stale = stale.where(WebSession.user_id == user_id)
    return db.execute(stale).rowcount  # type: ignore[attr-defined]
