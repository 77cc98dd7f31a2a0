"""Storage of a learner's game state: the XP ledger and its aggregates, badges, practice.

Writes that award something follow one pattern, so that racing requests (two tabs
finishing two attempts of the same module, a double-submitted practice answer) can
never pay twice:

1. :func:`lock_learner` first. It makes sure the ``learner_stats`` row exists and
   then updates it to itself: on PostgreSQL that takes the row lock, on SQLite the
   write lock of the database. Either way the rest of the transaction runs alone for
   this learner, so "what has been earned so far" cannot change underneath it.
2. Read, decide with the pure rules in :mod:`cxtrain.gamify`, write.
3. UNIQUE keys as the last line of defence: ``xp_ledger.attempt_id`` (a finish pays
   once) and ``user_badges (user_id, badge_id)`` inserted with ON CONFLICT DO NOTHING.

The ledger is append-only and the truth; ``learner_stats.xp_total`` and ``weekly_xp``
are aggregates kept in the same transaction so that leaderboards never sum the ledger.
So are the team aggregates ``team_stats`` (members and all-time XP per team) and
``weekly_team_xp`` (XP per team per week): an award adds to the learner's current team,
and a change of ``users.team`` (any ORM insert, update or delete of a user, through the
mapper events at the end of this module) moves the member and their XP between teams,
holding the learner lock so that no award slips in between. Team rows are always locked
in one order (all-time rows by team name, then weekly rows by week and team name).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, event, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session

from ..gamify import FinishedAttempt, PracticeItem, week_start
from ..gamify.records import as_utc
from ..gamify.streaks import local_day, local_midnight
from .models import (
    Attempt,
    LearnerStats,
    PracticeAnswer,
    PracticeItemRow,
    TeamStats,
    User,
    UserBadge,
    WeeklyTeamXp,
    WeeklyXp,
    XpEntry,
)

FINISH = "finish"
PRACTICE = "practice"


def _insert(db: Session | Connection, table: Any) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both SQLite and PostgreSQL do)."""
    dialect = (db.get_bind() if isinstance(db, Session) else db).dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def lock_learner(db: Session | Connection, user_id: int) -> None:
    """Serialise this transaction with any other award for the same learner (see the module doc)."""
    db.execute(_insert(db, LearnerStats).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"]))
    db.execute(update(LearnerStats).where(LearnerStats.user_id == user_id).values(xp_total=LearnerStats.xp_total))


def _team(value: str | None) -> str | None:
    """A user's team for the team boards: an empty name is no team (as in gamify.team_board)."""
    return value or None


def _add_to_team(db: Session | Connection, team: str, members: int, xp: int) -> None:
    stmt = _insert(db, TeamStats).values(team=team, members=members, xp_total=xp)
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["team"],
            set_={
                "members": TeamStats.members + stmt.excluded.members,
                "xp_total": TeamStats.xp_total + stmt.excluded.xp_total,
            },
        )
    )


def _add_to_team_week(db: Session | Connection, team: str, week: date, xp: int) -> None:
    stmt = _insert(db, WeeklyTeamXp).values(team=team, week_start=week, xp=xp)
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=["week_start", "team"], set_={"xp": WeeklyTeamXp.xp + stmt.excluded.xp}
        )
    )


def move_team(db: Session | Connection, user_id: int, old: str | None, new: str | None) -> None:
    """Move a learner, their all-time XP and their weekly XP from team ``old`` to ``new`` (either may be None).

    Holds the learner lock first, so the XP moved is exactly what later awards will add to ``new``.
    """
    old, new = _team(old), _team(new)
    if old == new:
        return
    lock_learner(db, user_id)
    total = int(db.scalar(select(LearnerStats.xp_total).where(LearnerStats.user_id == user_id)) or 0)
    weeks = [
        (week, int(xp))
        for week, xp in db.execute(
            select(WeeklyXp.week_start, WeeklyXp.xp)
            .where(WeeklyXp.user_id == user_id, WeeklyXp.xp != 0)
            .order_by(WeeklyXp.week_start)
        )
    ]
    sign = {old: -1, new: 1}
    teams = sorted(t for t in (old, new) if t is not None)
    for team in teams:
        _add_to_team(db, team, sign[team], sign[team] * total)
    for week, xp in weeks:
        for team in teams:
            _add_to_team_week(db, team, week, sign[team] * xp)


def stats(db: Session, user_id: int) -> LearnerStats | None:
    return db.get(LearnerStats, user_id)


def xp_total(db: Session, user_id: int) -> int:
    value = db.scalar(select(LearnerStats.xp_total).where(LearnerStats.user_id == user_id))
    return int(value or 0)


def visibility(db: Session, user_id: int, default: str) -> str:
    value = db.scalar(select(LearnerStats.visibility).where(LearnerStats.user_id == user_id))
    return value or default


def set_visibility(db: Session, user_id: int, value: str) -> None:
    """Change how the learner appears on boards; ``listed`` is copied to every weekly row so the
    weekly index stays usable without a join."""
    lock_learner(db, user_id)
    listed = value != "hidden"
    db.execute(update(LearnerStats).where(LearnerStats.user_id == user_id).values(visibility=value, listed=listed))
    db.execute(update(WeeklyXp).where(WeeklyXp.user_id == user_id).values(listed=listed))


def set_listed(db: Session, user_id: int, listed: bool) -> None:
    """Take a learner off the boards (a closed account) or back on as their visibility says,
    without touching the visibility they chose."""
    lock_learner(db, user_id)
    if listed:
        listed = visibility(db, user_id, "") != "hidden"
    db.execute(update(LearnerStats).where(LearnerStats.user_id == user_id).values(listed=listed))
    db.execute(update(WeeklyXp).where(WeeklyXp.user_id == user_id).values(listed=listed))


def add_xp(
    db: Session,
    user_id: int,
    amount: int,
    reason: str,
    now: datetime,
    module_id: str | None = None,
    attempt_id: int | None = None,
) -> XpEntry:
    """Append to the ledger and bump both aggregates; the caller holds :func:`lock_learner`.

    A finish is recorded even when it earns 0 XP: the row marks the attempt as awarded.
    """
    entry = XpEntry(
        user_id=user_id, amount=amount, reason=reason, module_id=module_id, attempt_id=attempt_id, created_at=now
    )
    db.add(entry)
    db.flush()  # the UNIQUE(attempt_id) check happens here, before any aggregate moves
    if amount:
        db.execute(
            update(LearnerStats).where(LearnerStats.user_id == user_id).values(xp_total=LearnerStats.xp_total + amount)
        )
        listed = db.scalar(select(LearnerStats.listed).where(LearnerStats.user_id == user_id))
        week = week_start(now).date()
        stmt = _insert(db, WeeklyXp).values(user_id=user_id, week_start=week, xp=amount, listed=bool(listed))
        db.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id", "week_start"], set_={"xp": WeeklyXp.xp + stmt.excluded.xp}
            )
        )
        # Read after the learner lock: a team change holds it too, so this is the team the XP belongs to.
        team = _team(db.scalar(select(User.team).where(User.id == user_id)))
        if team is not None:
            _add_to_team(db, team, 0, amount)
            _add_to_team_week(db, team, week, amount)
    return entry


def finish_entry(db: Session, attempt_id: int) -> XpEntry | None:
    return db.scalar(select(XpEntry).where(XpEntry.attempt_id == attempt_id))


def earned_on_module(db: Session, user_id: int, module_id: str) -> int:
    query = select(func.coalesce(func.sum(XpEntry.amount), 0)).where(
        XpEntry.user_id == user_id, XpEntry.module_id == module_id, XpEntry.reason == FINISH
    )
    return int(db.scalar(query) or 0)


def xp_before(db: Session, user_id: int, entry_id: int) -> int:
    """The learner's total just before a ledger entry (ids grow with time): the level-up baseline."""
    query = select(func.coalesce(func.sum(XpEntry.amount), 0)).where(XpEntry.user_id == user_id, XpEntry.id < entry_id)
    return int(db.scalar(query) or 0)


def practice_xp_total(db: Session, user_id: int) -> int:
    query = select(func.coalesce(func.sum(XpEntry.amount), 0)).where(
        XpEntry.user_id == user_id, XpEntry.reason == PRACTICE
    )
    return int(db.scalar(query) or 0)


# --- Records for the rules


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


def practice_xp_today(db: Session, user_id: int, now: datetime, tz: str) -> int:
    """Practice XP earned since the learner's local midnight (the daily cap is per local day)."""
    since = local_midnight(local_day(now, tz), tz)
    query = select(func.coalesce(func.sum(PracticeAnswer.xp), 0)).where(
        PracticeAnswer.user_id == user_id, PracticeAnswer.created_at >= since
    )
    return int(db.scalar(query) or 0)


# --- Badges


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
        stmt = _insert(db, UserBadge).values(
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


# --- Practice queue


def to_item(row: PracticeItemRow) -> PracticeItem:
    return PracticeItem(
        module_id=row.module_id,
        node_id=row.node_id,
        best=row.best,
        chosen=row.chosen,
        options=tuple(json.loads(row.options_json)),
        due_at=as_utc(row.due_at),
        interval_index=row.interval_index,
        learned=row.learned,
        correct_count=row.correct_count,
        wrong_count=row.wrong_count,
    )


def _copy(item: PracticeItem, row: PracticeItemRow) -> None:
    row.best, row.chosen = item.best, item.chosen
    row.options_json = json.dumps(list(item.options))
    row.due_at = as_utc(item.due_at)
    row.interval_index, row.learned = item.interval_index, item.learned
    row.correct_count, row.wrong_count = item.correct_count, item.wrong_count


def practice_rows(db: Session, user_id: int, module_id: str | None = None) -> list[PracticeItemRow]:
    query = select(PracticeItemRow).where(PracticeItemRow.user_id == user_id)
    if module_id is not None:
        query = query.where(PracticeItemRow.module_id == module_id)
    return list(db.scalars(query.order_by(PracticeItemRow.due_at, PracticeItemRow.id)))


def due_rows(db: Session, user_id: int, now: datetime) -> list[PracticeItemRow]:
    query = select(PracticeItemRow).where(
        PracticeItemRow.user_id == user_id, PracticeItemRow.learned.is_(False), PracticeItemRow.due_at <= as_utc(now)
    )
    return list(db.scalars(query.order_by(PracticeItemRow.due_at, PracticeItemRow.id)))


def next_due(db: Session, user_id: int) -> datetime | None:
    query = select(func.min(PracticeItemRow.due_at)).where(
        PracticeItemRow.user_id == user_id, PracticeItemRow.learned.is_(False)
    )
    value = db.scalar(query)
    return as_utc(value) if value else None


def save_queue(db: Session, user_id: int, items: Iterable[PracticeItem]) -> None:
    """Upsert the items of one learner (the queue after :func:`cxtrain.gamify.items_from_attempt`)."""
    rows = {(r.module_id, r.node_id): r for r in practice_rows(db, user_id)}
    for item in items:
        row = rows.get(item.key)
        if row is None:
            row = PracticeItemRow(user_id=user_id, module_id=item.module_id, node_id=item.node_id)
            db.add(row)
        _copy(item, row)


def update_item(db: Session, row: PracticeItemRow, item: PracticeItem) -> None:
    _copy(item, row)


def record_answer(
    db: Session, user_id: int, row: PracticeItemRow, choice: str, correct: bool, xp: int, now: datetime
) -> None:
    db.add(PracticeAnswer(user_id=user_id, item_id=row.id, choice=choice, correct=correct, xp=xp, created_at=now))


# --- Team aggregates follow users.team through the ORM


@event.listens_for(User, "after_insert")
def _user_inserted(_mapper: Mapper[User], conn: Connection, user: User) -> None:
    team = _team(user.team)
    if team is not None:
        _add_to_team(conn, team, 1, 0)  # a new account has no XP yet


@event.listens_for(User, "before_update")
def _user_updating(_mapper: Mapper[User], conn: Connection, user: User) -> None:
    if not inspect(user).attrs.team.history.added:
        return
    old = conn.scalar(select(User.team).where(User.id == user.id))  # the stored value, loaded or not
    move_team(conn, user.id, old, user.team)


@event.listens_for(User, "before_delete")
def _user_deleting(_mapper: Mapper[User], conn: Connection, user: User) -> None:
    old = conn.scalar(select(User.team).where(User.id == user.id))
    move_team(conn, user.id, old, None)
