"""Badges held by learners: awarding them once each, and reading them back (with their Open Badges
assertion ids)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import dialect_insert
from .models import User, UserBadge


def awarded(db: Session, user_id: int) -> list[UserBadge]:
    query = select(UserBadge).where(UserBadge.user_id == user_id).order_by(UserBadge.awarded_at, UserBadge.id)
    return list(db.scalars(query))


def awarded_among(db: Session, user_ids: Sequence[int], badge_ids: Sequence[str]) -> dict[int, set[str]]:
    """Which of ``badge_ids`` each of ``user_ids`` holds, in one query (a team's badges)."""
    out: dict[int, set[str]] = {uid: set() for uid in user_ids}
    if not user_ids or not badge_ids:
        return out
    query = select(UserBadge.user_id, UserBadge.badge_id).where(
        UserBadge.user_id.in_(list(user_ids)), UserBadge.badge_id.in_(list(badge_ids))
    )
    for uid, badge_id in db.execute(query):
        out[uid].add(badge_id)
    return out


def award_badges(
    db: Session, user_id: int, badge_ids: Iterable[str], now: datetime, attempt_id: int | None = None
) -> list[str]:
    """Insert-or-ignore each badge; returns the ids actually inserted by this call."""
    inserted = []
    for badge_id in badge_ids:
        stmt = dialect_insert(db, UserBadge).values(
            user_id=user_id,
            badge_id=badge_id,
            awarded_at=now,
            attempt_id=attempt_id,
            # 128 random bits: the hosted assertion URL must not be guessable or enumerable.
            assertion_id=secrets.token_urlsafe(16),
            salt=secrets.token_hex(16),
        )
        result = db.execute(stmt.on_conflict_do_nothing(index_elements=["user_id", "badge_id"]))
        if result.rowcount:
            inserted.append(badge_id)
    return inserted


def badges_of_attempt(db: Session, attempt_id: int) -> list[UserBadge]:
    query = select(UserBadge).where(UserBadge.attempt_id == attempt_id).order_by(UserBadge.id)
    return list(db.scalars(query))


def assertion(db: Session, assertion_id: str) -> tuple[UserBadge, User] | None:
    row = db.execute(
        select(UserBadge, User).join(User, User.id == UserBadge.user_id).where(UserBadge.assertion_id == assertion_id)
    ).first()
    return (row[0], row[1]) if row else None
