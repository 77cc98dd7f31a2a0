"""Storage side of the daily reminder emails: who wants them, what they would be reminded of,
and the once-a-day mark.

Sending is at most once per learner and local day, even with cron starting a run every few
minutes, two runs overlapping, or a run started again after a crash. The mark
``users.reminded_on`` is *claimed* before the email goes out, by one conditional UPDATE in its
own short transaction (:func:`claim`): on PostgreSQL a second run's UPDATE of the same row
waits for the first one's row lock and, once that commits, finds the condition false and
changes nothing; on SQLite there is one writer at a time and the same condition decides. The
run that changed the row sends; the other skips. A crash between the claim and the send loses
that day's reminder rather than ever sending two: a missed nudge costs less than a duplicate.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from ..gamify.records import as_utc
from .models import Attempt, PracticeAnswer, User, XpEntry


def wants_reminders(user: User, default: bool) -> bool:
    """The learner's own choice, or the administrator's default while they never made one."""
    return default if user.reminders is None else bool(user.reminders)


def choose(user: User, on: bool, default: bool) -> None:
    """Record the learner's choice from the profile form, only when it changes what they get:
    an account that saved its profile without touching the setting keeps following the default."""
    if on != wants_reminders(user, default):
        user.reminders = on


def _opted_in(default: bool) -> ColumnElement[bool]:
    chosen = User.reminders.is_(True)
    return or_(chosen, User.reminders.is_(None)) if default else chosen


def subscribers(db: Session, default: bool) -> list[User]:
    """Open accounts that want reminders, in id order (a stable order for the run's output)."""
    query = select(User).where(User.active.is_(True), _opted_in(default)).order_by(User.id)
    return list(db.scalars(query))


def not_wanted(db: Session, default: bool) -> dict[str, int]:
    """How many accounts get no reminders at all, and why (for the run's summary)."""
    closed = db.scalar(select(func.count()).select_from(User).where(User.active.is_(False)))
    off = db.scalar(select(func.count()).select_from(User).where(User.active.is_(True), ~_opted_in(default)))
    return {"account closed": int(closed or 0), "reminders off": int(off or 0)}


def activity_times(db: Session, user_ids: Collection[int]) -> dict[int, list[datetime]]:
    """Per learner, every moment that keeps their streak alive: finished modules (at their award,
    as the profile counts them) and practice answers. Read for many learners at once (a run looks
    at every learner whose morning it is): two statements, whatever the number."""
    finishes = (
        select(Attempt.user_id, func.coalesce(XpEntry.created_at, Attempt.finished_at))
        .select_from(Attempt)
        .outerjoin(XpEntry, XpEntry.attempt_id == Attempt.id)
        .where(Attempt.user_id.in_(user_ids), Attempt.finished_at.is_not(None))
    )
    answers = select(PracticeAnswer.user_id, PracticeAnswer.created_at).where(PracticeAnswer.user_id.in_(user_ids))
    out: dict[int, list[datetime]] = {uid: [] for uid in user_ids}
    for query in (finishes, answers):
        for uid, moment in db.execute(query):
            out[uid].append(as_utc(moment))
    return out


def claim(db: Session, user_id: int, today: date, default: bool) -> bool:
    """Mark the learner as reminded on ``today`` (their local date) and commit; False when another
    run already did, or the account was closed or opted out since it was picked.

    Call it with no transaction open (commit or roll back first): on SQLite a transaction that
    read before it writes cannot wait for the lock, it fails at once.
    """
    stmt = (
        update(User)
        .where(
            User.id == user_id,
            User.active.is_(True),
            _opted_in(default),
            or_(User.reminded_on.is_(None), User.reminded_on < today),
        )
        .values(reminded_on=today)
        .execution_options(synchronize_session=False)
    )
    won = db.execute(stmt).rowcount == 1
    db.commit()
    return won


def release(db: Session, user_id: int, today: date, previous: date | None) -> None:
    """Undo a claim whose email could not be sent for a passing reason, so a later run tries again."""
    stmt = (
        update(User)
        .where(User.id == user_id, User.reminded_on == today)
        .values(reminded_on=previous)
        .execution_options(synchronize_session=False)
    )
    db.execute(stmt)
    db.commit()


def switch_off(db: Session, user_id: int) -> bool:
    """Turn reminders off for the learner (the unsubscribe link); False when there is no such account."""
    stmt = update(User).where(User.id == user_id).values(reminders=False).execution_options(synchronize_session=False)
    found = db.execute(stmt).rowcount == 1
    db.commit()
    return found
