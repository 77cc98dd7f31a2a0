"""Leaderboards in SQL: the same board as :func:`cxtrain.gamify.rank`, without loading everyone.

``gamify.rank`` is the specification (tests compare the two on random data); it
takes every learner's entry, which is fine for a team of fifty and far too slow for
100,000 learners. Here the board is assembled from a handful of index range scans
over a maintained aggregate:

- all time: ``learner_stats`` through ``ix_learner_stats_listed_xp (listed, xp_total, user_id)``;
- this week: ``weekly_xp`` through ``ix_weekly_xp_week_listed_xp (week_start, listed, xp, user_id)``;
- teams: ``team_stats`` (members and all-time XP per team) and ``weekly_team_xp`` (XP per
  team and week), kept with every award and team change by :mod:`.xp_ledger`.

The pool is what ``gamify.rank`` ranks: listed learners with XP > 0, plus the viewer
(even hidden or at 0). Rows are ordered by XP descending, then user id; ranks are
competition ranks. Queries per board: the viewer's XP, the top rows, up to ``around``
rows either side of the viewer, the viewer's position and rank (two counts), and the
names of at most ``top + 2 * around`` learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .models import LearnerStats, TeamStats, User, WeeklyTeamXp, WeeklyXp


@dataclass(frozen=True, slots=True)
class Placed:
    """A learner at a position of the board (0-based, in the pool's order) with their competition rank."""

    position: int
    rank: int
    user_id: int
    xp: int


class _Source:
    """The columns of the aggregate a period reads, and the filter that selects its rows."""

    def __init__(self, period: Literal["week", "all"], week: date) -> None:
        if period == "week":
            self.uid, self.xp, self.listed = WeeklyXp.user_id, WeeklyXp.xp, WeeklyXp.listed
            self.where: list[Any] = [WeeklyXp.week_start == week]
        else:
            self.uid, self.xp, self.listed = LearnerStats.user_id, LearnerStats.xp_total, LearnerStats.listed
            self.where = []

    def others(self, viewer: int) -> list[Any]:
        """Listed learners with XP, other than the viewer (who is added by hand)."""
        return [*self.where, self.listed.is_(True), self.xp > 0, self.uid != viewer]


def _count(db: Session, src: _Source, viewer: int, *cond: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(src.uid.table).where(*src.others(viewer), *cond)) or 0)


def board(
    db: Session, viewer: int, period: Literal["week", "all"], week: date, top: int = 5, around: int = 2
) -> list[Placed]:
    """The rows the viewer sees: the top ``top`` and ``around`` either side of the viewer's own row."""
    src = _Source(period, week)
    mine = db.scalar(select(src.xp).where(*src.where, src.uid == viewer))
    vxp = int(mine or 0)
    # Rows that sort before the viewer: more XP, or as much XP and a smaller id.
    ahead = or_(src.xp > vxp, and_(src.xp == vxp, src.uid < viewer))
    position = _count(db, src, viewer, ahead)
    cols = select(src.uid, src.xp)
    tops = list(db.execute(cols.where(*src.others(viewer)).order_by(src.xp.desc(), src.uid).limit(top)))
    before = list(db.execute(cols.where(*src.others(viewer), ahead).order_by(src.xp, src.uid.desc()).limit(around)))[
        ::-1
    ]
    behind = list(db.execute(cols.where(*src.others(viewer), ~ahead).order_by(src.xp.desc(), src.uid).limit(around)))

    at: dict[int, tuple[int, int]] = {}
    merged = [*tops[:position], (viewer, vxp), *tops[position:]] if position < top else list(tops)
    for i, (uid, xp) in enumerate(merged[:top]):
        at[i] = (int(uid), int(xp))
    for i, (uid, xp) in enumerate(before):
        at[position - len(before) + i] = (int(uid), int(xp))
    at[position] = (viewer, vxp)
    for i, (uid, xp) in enumerate(behind):
        at[position + 1 + i] = (int(uid), int(xp))

    placed: list[Placed] = []
    for pos in sorted(at):
        uid, xp = at[pos]
        prev = placed[-1] if placed and placed[-1].position == pos - 1 else None
        if pos == 0:
            rank = 1
        elif prev is not None:
            # In a contiguous run, a row shares its predecessor's rank on equal XP, else its rank is its place.
            rank = prev.rank if prev.xp == xp else pos + 1
        else:
            rank = 1 + _count(db, src, viewer, src.xp > xp) + (1 if vxp > xp else 0)
        placed.append(Placed(pos, rank, uid, xp))
    return placed


def people(db: Session, user_ids: list[int]) -> dict[int, tuple[str, str | None, str]]:
    """(name, job role, visibility) of the learners shown on a board; never their email."""
    query = (
        select(User.id, User.name, User.job_role, LearnerStats.visibility)
        .outerjoin(LearnerStats, LearnerStats.user_id == User.id)
        .where(User.id.in_(user_ids))
    )
    return {uid: (name or "", job_role, vis or "anonymous") for uid, name, job_role, vis in db.execute(query)}


def team_totals(
    db: Session, period: Literal["week", "all"], week: date, min_members: int = 1
) -> list[tuple[str, int, int]]:
    """(team, members, XP summed over members) for every team of at least ``min_members``.

    Every member counts, hidden or not. Read from the maintained ``team_stats`` (and
    ``weekly_team_xp`` for the week), one row per team, never from the users.
    """
    if period == "week":
        xp = func.coalesce(WeeklyTeamXp.xp, 0)
        join = and_(WeeklyTeamXp.week_start == week, WeeklyTeamXp.team == TeamStats.team)
        query = select(TeamStats.team, TeamStats.members, xp).outerjoin(WeeklyTeamXp, join)
    else:
        query = select(TeamStats.team, TeamStats.members, TeamStats.xp_total)
    query = query.where(TeamStats.members >= max(1, min_members))
    return [(str(team), int(n), int(total)) for team, n, total in db.execute(query)]
