"""Queries behind the team view and the trainer insight pages, aggregated in SQL.

Two shapes of question, two strategies:

- **A team** is small (tens, at most a few hundred members), so we fetch one row per
  member and module (the latest finished attempt, plus whether any attempt passed) with
  a window function; the caller turns the bounded set of ``state_json`` rows into meters.
- **A module** may have hundreds of thousands of choice events. Counting them per request
  would scan them all, so per (module, version, node, choice) counts are kept in the
  ``insight_edges`` rollup. ``choice_events`` is append-only, so the rollup only ever
  adds the events past a watermark; events newer than the watermark (the last few
  seconds, or everything since the last refresh) are counted live from a primary-key
  range, so the numbers are always exact and current. Finished attempts are kept the same
  way per (module, version, score bin, passed) in ``insight_scores``, up to a moment in
  ``insight_clock`` (a finished attempt never changes; unfinished ones are counted live).

The rollup lives in its own MetaData: it is a cache this module owns, rebuilt by
:func:`rebuild_edges` (for instance after users were deleted, whose events cascade away).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .models import Attempt, ChoiceEvent, User

metadata = MetaData()

insight_edges = Table(
    "insight_edges",
    metadata,
    Column("module_id", String(100), primary_key=True),
    Column("module_version", String(64), primary_key=True),
    Column("node", String(100), primary_key=True),
    Column("choice", String(100), primary_key=True),
    Column("count", Integer, nullable=False),
)

insight_progress = Table(
    "insight_progress",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("last_event_id", Integer, nullable=False),
)

insight_scores = Table(
    "insight_scores",
    metadata,
    Column("module_id", String(100), primary_key=True),
    Column("module_version", String(64), primary_key=True),
    Column("bucket", Integer, primary_key=True),
    Column("passed", Boolean, primary_key=True),
    Column("count", Integer, nullable=False),
)

insight_clock = Table(
    "insight_clock",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("upto", DateTime(timezone=True), nullable=False),
)

EDGES = "edges"
SCORES = "scores"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Events younger than this are not folded into the rollup yet: a transaction that took an
# id earlier may still be about to commit, and the watermark must never jump over it.
SETTLE = timedelta(seconds=30)
HISTOGRAM_BINS = 10
FOLD_EVERY = timedelta(seconds=60)


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


def _bin(score: object) -> object:
    # CASE instead of floor()/CAST: SQLite lacks floor() in older builds and PostgreSQL's
    # CAST rounds, so the two would disagree at the bin edges.
    whens = [(score >= i / HISTOGRAM_BINS, i) for i in range(HISTOGRAM_BINS - 1, 0, -1)]  # type: ignore[operator]
    return case(*whens, else_=0)


def module_counts(db: Session, module_id: str, now: datetime | None = None) -> ModuleCounts:
    """Attempts, completions, passes, score histogram and edge traffic of one module.

    Finished attempts up to the clock come from the ``insight_scores`` rollup; those finished
    since, and the unfinished ones, are counted live through ix_attempts_module_finished.
    """
    upto = refresh_scores(db, now)
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
    for version, bucket, passed, n in db.execute(_finished_query(upto, None).where(Attempt.module_id == module_id)):
        add(version, bucket, passed, n)
    for version, n in db.execute(
        select(Attempt.module_version, func.count())
        .where(Attempt.module_id == module_id, Attempt.finished_at.is_(None))
        .group_by(Attempt.module_version)
    ):
        add(version, None, None, n)
    versions = tuple(VersionSummary(v, *row) for v, row in sorted(totals.items()))
    return ModuleCounts(versions, tuple(bins), edge_counts(db, module_id, now))


def _finished_query(after: datetime, upto: datetime | None):  # type: ignore[no-untyped-def]
    """Finished attempts per (module, version, score bin, passed) with finished_at in (after, upto]."""
    bucket = _bin(func.coalesce(Attempt.score, 0.0)).label("bucket")
    passed = func.coalesce(Attempt.passed, False).label("passed")
    query = (
        select(Attempt.module_version, bucket, passed, func.count())
        .where(Attempt.finished_at > after)
        .group_by(Attempt.module_version, bucket, passed)
    )
    return query if upto is None else query.where(Attempt.finished_at <= upto)


def refresh_scores(db: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> datetime:
    """Fold attempts finished between the clock and ``now - settle`` into ``insight_scores``; returns the clock.

    Same compare-and-set as :func:`refresh_edges`. A finished attempt never changes, so a
    count once folded stays right; settling leaves time for a finish whose clock ran behind.
    """
    row = db.execute(select(insight_clock.c.upto).where(insight_clock.c.name == SCORES)).first()
    old = as_utc(row[0]) if row else EPOCH
    new = (now or datetime.now(UTC)) - settle
    if new - old < FOLD_EVERY:  # the live part covers a minute cheaply; skip a write per request
        db.rollback()
        return old
    try:
        if row is None:
            db.execute(insert(insight_clock).values(name=SCORES, upto=new))
        elif (
            db.execute(
                update(insight_clock)
                .where(insight_clock.c.name == SCORES, insight_clock.c.upto == row[0])
                .values(upto=new)
            ).rowcount  # type: ignore[attr-defined]
            != 1
        ):
            db.rollback()
            return old
        query = _finished_query(old, new).add_columns(Attempt.module_id).group_by(Attempt.module_id)
        s = insight_scores.c
        for version, bucket, passed, n, module_id in db.execute(query):
            key = and_(s.module_id == module_id, s.module_version == version, s.bucket == bucket, s.passed == passed)
            if not db.execute(update(insight_scores).where(key).values(count=s.count + int(n))).rowcount:  # type: ignore[attr-defined]
                db.execute(
                    insert(insight_scores).values(
                        module_id=module_id, module_version=version, bucket=bucket, passed=bool(passed), count=int(n)
                    )
                )
        db.commit()
        return new
    except DBAPIError:
        db.rollback()
        return old


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes even for timezone-aware columns; they are UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def edge_counts(db: Session, module_id: str, now: datetime | None = None) -> dict[tuple[str, str, str], int]:
    """(version, node, choice) -> how often it was chosen: the rollup plus the live tail past its watermark."""
    refresh_edges(db, now)
    counts: dict[tuple[str, str, str], int] = {}
    for v, n, c, k in db.execute(
        select(
            insight_edges.c.module_version, insight_edges.c.node, insight_edges.c.choice, insight_edges.c.count
        ).where(insight_edges.c.module_id == module_id)
    ):
        counts[(v, n, c)] = int(k)
    watermark = _watermark(db)
    for v, n, c, k in db.execute(_tail_query(watermark, None).where(Attempt.module_id == module_id)):
        counts[(v, n, c)] = counts.get((v, n, c), 0) + int(k)
    return counts


def _watermark(db: Session) -> int:
    value = db.scalar(select(insight_progress.c.last_event_id).where(insight_progress.c.name == EDGES))
    return int(value or 0)


def _tail_query(after: int, upto: int | None):  # type: ignore[no-untyped-def]
    """Edge counts of the events in (after, upto], found through the primary key range."""
    query = (
        select(Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice, func.count())
        .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
        .where(ChoiceEvent.id > after)
        .group_by(Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice)
    )
    if upto is not None:
        query = query.where(ChoiceEvent.id <= upto)
    return query


def refresh_edges(db: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> int:
    """Fold settled events past the watermark into ``insight_edges``; returns how many events were folded.

    Safe under concurrency: the watermark moves by compare-and-set in the same transaction
    as the counts, so when two workers refresh at once one of them rolls back and the other's
    counts stand (the loser's requests still see exact numbers through the live tail).
    """
    cutoff = (now or datetime.now(UTC)) - settle
    old = _watermark(db)
    newest = db.scalar(select(func.max(ChoiceEvent.id)).where(ChoiceEvent.id > old))
    if newest is None:
        db.rollback()
        return 0
    young = db.scalar(select(func.min(ChoiceEvent.id)).where(ChoiceEvent.id > old, ChoiceEvent.created_at >= cutoff))
    upto = int(young) - 1 if young is not None else int(newest)
    if upto <= old:
        db.rollback()
        return 0
    try:
        if db.scalar(select(func.count()).select_from(insight_progress).where(insight_progress.c.name == EDGES)):
            moved = db.execute(
                update(insight_progress)
                .where(insight_progress.c.name == EDGES, insight_progress.c.last_event_id == old)
                .values(last_event_id=upto)
            ).rowcount  # type: ignore[attr-defined]
        else:
            db.execute(insert(insight_progress).values(name=EDGES, last_event_id=upto))
            moved = 1
        if moved != 1:
            db.rollback()
            return 0
        folded = 0
        rows = db.execute(
            select(Attempt.module_id, Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice, func.count())
            .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
            .where(ChoiceEvent.id > old, ChoiceEvent.id <= upto)
            .group_by(Attempt.module_id, Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice)
        ).all()
        for module_id, version, node, choice, n in rows:
            key = and_(
                insight_edges.c.module_id == module_id,
                insight_edges.c.module_version == version,
                insight_edges.c.node == node,
                insight_edges.c.choice == choice,
            )
            changed = db.execute(update(insight_edges).where(key).values(count=insight_edges.c.count + int(n))).rowcount  # type: ignore[attr-defined]
            if not changed:
                db.execute(
                    insert(insight_edges).values(
                        module_id=module_id, module_version=version, node=node, choice=choice, count=int(n)
                    )
                )
            folded += int(n)
        db.commit()
        return folded
    except DBAPIError:
        # Another worker won the race (a unique violation on the first insert, or SQLite's
        # busy snapshot); its refresh covers the same events.
        db.rollback()
        return 0


def rebuild_edges(db: Session) -> None:
    """Forget the rollups; the next visit recounts every event and attempt (after deletions)."""
    db.execute(delete(insight_edges))
    db.execute(delete(insight_progress).where(insight_progress.c.name == EDGES))
    db.execute(delete(insight_scores))
    db.execute(delete(insight_clock).where(insight_clock.c.name == SCORES))
    db.commit()


def module_ids_with_attempts(db: Session, module_ids: Sequence[str]) -> dict[str, int]:
    """Attempts started per module, for the trainer's list of modules."""
    rows = db.execute(
        select(Attempt.module_id, func.count())
        .where(Attempt.module_id.in_(list(module_ids)))
        .group_by(Attempt.module_id)
    )
    return {str(m): int(n) for m, n in rows}
