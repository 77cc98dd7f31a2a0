"""Erasing a person (the GDPR's right to erasure): their identity and their game, not the insight counts.

What goes, in one transaction: the ``users`` row (email, name, job role, team, password hash,
time zone, so every session ends and the old email can make a new account), their API tokens,
the XP ledger and its aggregates (``learner_stats``, ``weekly_xp``), their badges (the hosted
Open Badges assertions answer 404 from then on), their practice queue and answers. Their XP and
membership leave their team's ``team_stats`` and ``weekly_team_xp`` first, through the same ORM
event that a change of team goes through, so team boards equal the sum over the members left.

What stays: their attempts and choice events, owned by nobody (``attempts.user_id`` NULL), with
the times cut to the day (UTC). The insight pages count exactly these rows per module, version,
node, choice and score bin and never per person, so the counts that trainers and managers rely
on, and a recount of them from scratch (``cxtrain insight rebuild``), stay the same. Keeping an
anonymised user row instead would keep a pseudonym that ties all of one person's attempts
together: under the GDPR (recital 26) that is still personal data, and insight has no use for it.

Cutting the times must not move a row across the marks of :mod:`.insight_rollup`: a finish not
yet folded into ``insight_scores`` (after its clock) stays after the clock, and a choice event
younger than ``SETTLE`` keeps its time, because the edges watermark relies on young events
looking young. The clock is locked for the length of the erase so that no fold runs in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, and_, case, delete, func, literal, select, text, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from . import accounts
from .db import serial_writes
from .insight_rollup import SETTLE, scores_clock
from .models import (
    ApiToken,
    Attempt,
    ChoiceEvent,
    LearnerStats,
    ModuleVersion,
    PracticeAnswer,
    PracticeItemRow,
    User,
    UserBadge,
    WeeklyXp,
    XpEntry,
)
from .xp_ledger import lock_learner

_STEP = timedelta(microseconds=1)


class day_start(FunctionElement[datetime]):
    """Midnight (UTC) of a timestamp column, in SQL: one UPDATE dates a long history, where an
    update per row held SQLite's write lock for seconds."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(day_start, "sqlite")
def _day_start_sqlite(element: day_start, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC; same shape back.
    return f"strftime('%Y-%m-%d 00:00:00.000000', {compiler.process(element.clauses, **kw)})"


@compiles(day_start, "postgresql")
def _day_start_postgresql(element: day_start, compiler: Any, **kw: Any) -> str:
    return f"(date_trunc('day', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


@dataclass(frozen=True, slots=True)
class Erased:
    """What one erase removed, and what it kept without an owner."""

    user_id: int
    attempts_kept: int
    events_kept: int
    xp_entries: int
    badges: int
    tokens: int
    practice_items: int


def preview(db: Session, user: User) -> dict[str, int]:
    """What erasing ``user`` would touch, for the confirmation page: attempts (kept without an
    owner), XP entries, badges and API tokens (deleted)."""

    def count(table: type, *where: object) -> int:
        return int(db.scalar(select(func.count()).select_from(table).where(*where)) or 0)  # type: ignore[arg-type]

    return {
        "attempts": count(Attempt, Attempt.user_id == user.id),
        "xp_entries": count(XpEntry, XpEntry.user_id == user.id),
        "badges": count(UserBadge, UserBadge.user_id == user.id),
        "tokens": count(ApiToken, ApiToken.user_id == user.id),
    }


def erase_user(db: Session, user: User, now: datetime | None = None) -> Erased:
    """Erase ``user`` as the module doc says, and commit; raises AccountError for the last open admin.

    Nothing is changed when it raises. Other requests of the learner (an award, a practice
    answer) wait on the learner lock and then find no learner; the insight pages' refreshes wait
    on the clock for the few milliseconds this takes.
    """
    settled = (now or datetime.now(UTC)) - SETTLE
    uid = user.id
    with serial_writes(db):
        try:
            if db.get_bind().dialect.name == "postgresql":
                # The mode of `insight rebuild`: refreshes and rebuilds wait, readers go on.
                db.execute(text("LOCK TABLE insight_clock IN SHARE ROW EXCLUSIVE MODE"))
            if accounts.is_last_admin(db, user):
                raise accounts.AccountError(accounts.last_admin(user))
            lock_learner(db, uid)  # on SQLite this first write takes the lock: the clock below stays current
            user.team = None  # the member and their XP leave the team aggregates (xp_ledger's ORM event)
            db.flush()
            clock = scores_clock(db)
            mine = select(Attempt.id).where(Attempt.user_id == uid)
            events = db.scalar(select(func.count()).select_from(ChoiceEvent).where(ChoiceEvent.attempt_id.in_(mine)))
            db.execute(
                update(ChoiceEvent)
                .where(ChoiceEvent.attempt_id.in_(mine), ChoiceEvent.created_at < settled)
                .values(created_at=day_start(ChoiceEvent.created_at))
                .execution_options(synchronize_session=False)
            )
            # The day of a finish, but never at or before the insight clock when the finish was after it.
            after_clock = and_(Attempt.finished_at > clock, day_start(Attempt.finished_at) <= clock)
            finished = case(
                (after_clock, literal(clock + _STEP, DateTime(timezone=True))), else_=day_start(Attempt.finished_at)
            )
            attempts = db.execute(
                update(Attempt)
                .where(Attempt.user_id == uid)
                .values(user_id=None, started_at=day_start(Attempt.started_at), finished_at=finished)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            # Answers before items (answers point at items); the rows above no longer point at the user.
            counts = {
                table.__name__: db.execute(delete(table).where(table.user_id == uid)).rowcount  # type: ignore[attr-defined]
                for table in (
                    PracticeAnswer,
                    PracticeItemRow,
                    UserBadge,
                    XpEntry,
                    WeeklyXp,
                    LearnerStats,
                    ApiToken,
                )
            }
            # A trainer's uploads are the organisation's modules: they stay, without an author.
            db.execute(update(ModuleVersion).where(ModuleVersion.author_id == uid).values(author_id=None))
            db.delete(user)
            db.commit()
        except BaseException:
            db.rollback()
            raise
    return Erased(
        user_id=uid,
        attempts_kept=int(attempts),
        events_kept=int(events or 0),
        xp_entries=int(counts["XpEntry"]),
        badges=int(counts["UserBadge"]),
        tokens=int(counts["ApiToken"]),
        practice_items=int(counts["PracticeItemRow"]),
    )
