"""A learner's history as records for the pure rules of cxtrain.gamify: finished attempts,
teammates' passes and practice answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..gamify import FinishedAttempt
from ..gamify.records import as_utc
from ..gamify.streaks import local_day, local_midnight
from .models import Attempt, PracticeAnswer, User, XpEntry


def finished_attempts(db: Session, user_ids: Sequence[int], roles: dict[str, str]) -> dict[int, list[FinishedAttempt]]:
    """Finished attempts per learner as gamify records; ``roles`` maps module ids to their role.

    The moment of a finish is its award's ``created_at`` (written right after the finish, by the
    service's clock, which tests control), falling back to the attempt's own ``finished_at``.
    """
    query = (
        select(Attempt, XpEntry.amount, XpEntry.created_at)
        .outerjoin(XpEntry, XpEntry.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(user_ids), Attempt.finished_at.is_not(None))
        .order_by(Attempt.finished_at)
    )
    out: dict[int, list[FinishedAttempt]] = {uid: [] for uid in user_ids}
    for attempt, amount, awarded_at in db.execute(query):
        out[attempt.user_id].append(
            FinishedAttempt(
                module_id=attempt.module_id,
                role=roles.get(attempt.module_id, ""),
                score=float(attempt.score or 0.0),
                passed=bool(attempt.passed),
                finished_at=as_utc(awarded_at or attempt.finished_at),
                xp_earned=int(amount or 0),
            )
        )
    return out


def teammate_ids(db: Session, user: User) -> list[int]:
    if not user.team:
        return []
    return list(db.scalars(select(User.id).where(User.team == user.team, User.id != user.id)))


def passed_by(db: Session, user_ids: Sequence[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {uid: set() for uid in user_ids}
    if not user_ids:
        return out
    query = select(Attempt.user_id, Attempt.module_id).where(Attempt.user_id.in_(user_ids), Attempt.passed.is_(True))
    for uid, module_id in db.execute(query.distinct()):
        out[uid].add(module_id)
    return out


def practice_times(db: Session, user_id: int) -> list[datetime]:
    query = select(PracticeAnswer.created_at).where(PracticeAnswer.user_id == user_id)
    return [as_utc(t) for t in db.scalars(query)]


def practice_correct(db: Session, user_id: int) -> int:
    query = select(func.count()).where(PracticeAnswer.user_id == user_id, PracticeAnswer.correct.is_(True))
    return int(db.scalar(query) or 0)


def practice_answers_today(db: Session, user_id: int, now: datetime, tz: str) -> int:
    """Practice questions answered since the learner's local midnight (the daily limit is per local day)."""
    since = local_midnight(local_day(now, tz), tz)
    query = select(func.count()).where(PracticeAnswer.user_id == user_id, PracticeAnswer.created_at >= since)
    return int(db.scalar(query) or 0)


def practice_xp_today(db: Session, user_id: int, now: datetime, tz: str) -> int:
    """Practice XP earned since the learner's local midnight (the daily cap is per local day)."""
    since = local_midnight(local_day(now, tz), tz)
    query = select(func.coalesce(func.sum(PracticeAnswer.xp), 0)).where(
        PracticeAnswer.user_id == user_id, PracticeAnswer.created_at >= since
    )
    return int(db.scalar(query) or 0)
