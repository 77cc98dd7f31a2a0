"""Read queries behind the team view and the trainer insight pages, aggregated in SQL.

Two shapes of question, two strategies:

- **A team** is small (tens, at most a few hundred members), so we fetch one row per
  member and module (the latest finished attempt, plus whether any attempt passed) with
  a window function; the caller turns the bounded set of ``state_json`` rows into meters.
- **A module** may have hundreds of thousands of choice events. Counting them per request
  would scan them all, so its counts come from the rollups of
  :mod:`cxtrain.store.insight_rollup` (refreshed on the way) plus a live count of what is
  newer than their marks, so the numbers are always exact and current.

The rollup's names (its tables, ``refresh_edges``, ``refresh_scores``, ``rebuild``,
``rebuild_edges``) are re-exported here, where callers have always found them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from .db import read_snapshot
from .insight_rollup import (
    EDGES,
    EPOCH,
    FOLD_EVERY,
    HISTOGRAM_BINS,
    SCORES,
    SETTLE,
    Rebuilt,
    as_utc,
    finished_query,
    insight_clock,
    insight_edges,
    insight_progress,
    insight_scores,
    metadata,
    rebuild,
    rebuild_edges,
    refresh_edges,
    refresh_scores,
    scores_clock,
    tail_query,
    watermark,
)
from .models import Attempt, User

__all__ = [
    "EDGES",
    "EPOCH",
    "FOLD_EVERY",
    "HISTOGRAM_BINS",
    "SCORES",
    "SETTLE",
    "MemberResult",
    "ModuleCounts",
    "Rebuilt",
    "VersionSummary",
    "as_utc",
    "edge_counts",
    "insight_clock",
    "insight_edges",
    "insight_progress",
    "insight_scores",
    "metadata",
    "module_counts",
    "module_ids_with_attempts",
    "rebuild",
    "rebuild_edges",
    "refresh_edges",
    "refresh_scores",
    "team_members",
    "team_results",
    "teams",
]


# --- Team view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberResult:
    """One member's standing on one module: the latest finished attempt and the best one."""

    user_id: int
    module_id: str
    module_version: str
    state_json: str
    passed: bool  # any finished attempt passed (the best attempt counts)
    best_score: float


def teams(db: Session, prefix: str = "", after: str = "", limit: int = 100) -> list[tuple[str, int]]:
    """Team names (starting with ``prefix``, after ``after``) with member counts, by name, one page.

    Paged because a company may have thousands of teams: with ix_users_team the database
    walks the index in order and stops after ``limit`` groups.
    """
    query = select(User.team, func.count()).where(User.team.is_not(None))
    if prefix:
        query = query.where(User.team >= prefix, User.team < prefix + "\U0010ffff")
    if after:
        query = query.where(User.team > after)
    rows = db.execute(query.group_by(User.team).order_by(User.team).limit(limit))
    return [(str(team), int(n)) for team, n in rows]


def team_members(db: Session, team: str) -> list[User]:
    return list(db.scalars(select(User).where(User.team == team).order_by(User.name, User.id)))


def team_results(db: Session, team: str) -> list[MemberResult]:
    """Per member and module of ``team``: the latest finished attempt, with pass and best score of all.

    One query; the window functions run over the team's finished attempts only (found
    through ix_users_team and ix_attempts_user_module), never over the whole table.
    """
    window = {"partition_by": (Attempt.user_id, Attempt.module_id)}
    ranked = (
        select(
            Attempt.user_id,
            Attempt.module_id,
            Attempt.module_version,
            Attempt.state_json,
            func.row_number().over(**window, order_by=(Attempt.finished_at.desc(), Attempt.id.desc())).label("rn"),
            func.max(case((Attempt.passed.is_(True), 1), else_=0)).over(**window).label("ever_passed"),
            func.max(Attempt.score).over(**window).label("best_score"),
        )
        .join(User, User.id == Attempt.user_id)
        .where(User.team == team, Attempt.finished_at.is_not(None))
        .subquery()
    )
    rows = db.execute(
        select(
            ranked.c.user_id,
            ranked.c.module_id,
            ranked.c.module_version,
            ranked.c.state_json,
            ranked.c.ever_passed,
            ranked.c.best_score,
        ).where(ranked.c.rn == 1)
    )
    return [MemberResult(int(u), str(m), str(v), str(s), bool(p), float(b or 0.0)) for u, m, v, s, p, b in rows]


# --- Module insight --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionSummary:
    version: str
    started: int
    finished: int
    passed: int


@dataclass(frozen=True, slots=True)
class ModuleCounts:
    """Everything the module insight page needs from the database, across versions."""

    versions: tuple[VersionSummary, ...]
    histogram: tuple[int, ...]  # finished attempts per score bin [0, 0.1), ..., [0.9, 1.0]
    edges: dict[tuple[str, str, str], int]  # (version, node, choice) -> times taken

    @property
    def started(self) -> int:
        return sum(v.started for v in self.versions)

    @property
    def finished(self) -> int:
        return sum(v.finished for v in self.versions)

    @property
    def passed(self) -> int:
        return sum(v.passed for v in self.versions)


def module_counts(db: Session, module_id: str, now: datetime | None = None) -> ModuleCounts:
    """Attempts, completions, passes, score histogram and edge traffic of one module.

    Finished attempts up to the clock come from the ``insight_scores`` rollup; those finished
    since, and the unfinished ones, are counted live through ix_attempts_module_finished. Both
    rollups are refreshed first; then the clocks, the rollups and the live counts are all read
    in one snapshot, so a refresh committing meanwhile cannot make an attempt count twice or not
    at all.
    """
    refresh_scores(db, now)
    refresh_edges(db, now)
    with read_snapshot(db):
        return _read_module_counts(db, module_id)


def _read_module_counts(db: Session, module_id: str) -> ModuleCounts:
    upto = scores_clock(db)
    totals: dict[str, list[int]] = {}  # version -> [started, finished, passed]
    bins = [0] * HISTOGRAM_BINS

    def add(version: object, bucket: object, passed: object, n: object) -> None:
        row = totals.setdefault(str(version), [0, 0, 0])
        row[0] += int(n)  # type: ignore[call-overload]
        if bucket is None:  # unfinished
            return
        row[1] += int(n)  # type: ignore[call-overload]
        row[2] += int(n) if passed else 0  # type: ignore[call-overload]
        bins[min(max(int(bucket), 0), HISTOGRAM_BINS - 1)] += int(n)  # type: ignore[call-overload]

    s = insight_scores.c
    for version, bucket, passed, n in db.execute(
        select(s.module_version, s.bucket, s.passed, s.count).where(s.module_id == module_id)
    ):
        add(version, bucket, passed, n)
    for version, bucket, passed, n in db.execute(finished_query(upto, None).where(Attempt.module_id == module_id)):
        add(version, bucket, passed, n)
    for version, n in db.execute(
        select(Attempt.module_version, func.count())
        .where(Attempt.module_id == module_id, Attempt.finished_at.is_(None))
        .group_by(Attempt.module_version)
    ):
        add(version, None, None, n)
    versions = tuple(VersionSummary(v, *row) for v, row in sorted(totals.items()))
    return ModuleCounts(versions, tuple(bins), _read_edge_counts(db, module_id))


def edge_counts(db: Session, module_id: str, now: datetime | None = None) -> dict[tuple[str, str, str], int]:
    """(version, node, choice) -> how often it was chosen: the rollup plus the live tail past its watermark."""
    refresh_edges(db, now)
    with read_snapshot(db):
        return _read_edge_counts(db, module_id)


def _read_edge_counts(db: Session, module_id: str) -> dict[tuple[str, str, str], int]:
    counts: dict[tuple[str, str, str], int] = {}
    for v, n, c, k in db.execute(
        select(
            insight_edges.c.module_version, insight_edges.c.node, insight_edges.c.choice, insight_edges.c.count
        ).where(insight_edges.c.module_id == module_id)
    ):
        counts[(v, n, c)] = int(k)
    for v, n, c, k in db.execute(tail_query(watermark(db), None).where(Attempt.module_id == module_id)):
        counts[(v, n, c)] = counts.get((v, n, c), 0) + int(k)
    return counts


def module_ids_with_attempts(db: Session, module_ids: Sequence[str]) -> dict[str, int]:
    """Attempts started per module, for the trainer's list of modules."""
    rows = db.execute(
        select(Attempt.module_id, func.count())
        .where(Attempt.module_id.in_(list(module_ids)))
        .group_by(Attempt.module_id)
    )
    return {str(m): int(n) for m, n in rows}
