"""The XP ledger and its aggregates: a learner's total and weekly XP, their team's totals.

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

from datetime import date, datetime

from sqlalchemy import Connection, event, func, inspect, select, update
from sqlalchemy.orm import Mapper, Session

from ..gamify import week_start
from .db import dialect_insert
from .models import LearnerStats, TeamStats, User, WeeklyTeamXp, WeeklyXp, XpEntry

FINISH = "finish"
PRACTICE = "practice"


def lock_learner(db: Session | Connection, user_id: int) -> None:
    """Serialise this transaction with any other award for the same learner (see the module doc)."""
    db.execute(
        dialect_insert(db, LearnerStats).values(user_id=user_id).on_conflict_do_nothing(index_elements=["user_id"])
    )
    db.execute(update(LearnerStats).where(LearnerStats.user_id == user_id).values(xp_total=LearnerStats.xp_total))


def _team(value: str | None) -> str | None:
    """A user's team for the team boards: an empty name is no team (as in gamify.team_board)."""
    return value or None


def _add_to_team(db: Session | Connection, team: str, members: int, xp: int) -> None:
    stmt = dialect_insert(db, TeamStats).values(team=team, members=members, xp_total=xp)
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
    stmt = dialect_insert(db, WeeklyTeamXp).values(team=team, week_start=week, xp=xp)
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
        stmt = dialect_insert(db, WeeklyXp).values(user_id=user_id, week_start=week, xp=amount, listed=bool(listed))
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
