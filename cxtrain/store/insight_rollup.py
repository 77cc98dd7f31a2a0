"""The insight rollups: per-module counts kept up to date so that no page counts raw rows.

Two rollups, each a cache of an append-only source, each with a mark of how far it got:

- ``insight_edges`` counts choice events per (module, version, node, choice) up to the
  event id in ``insight_progress`` (the watermark). ``choice_events`` only grows, so a
  refresh adds the events past the watermark; events newer than it are counted live from
  a primary-key range by the readers (:mod:`cxtrain.store.insight`).
- ``insight_scores`` counts finished attempts per (module, version, score bin, passed) up
  to the moment in ``insight_clock``; a finished attempt never changes, unfinished and
  newer ones are counted live.

Readers call :func:`refresh_edges` and :func:`refresh_scores` on their way; both move their
mark by compare-and-set, so racing workers never count twice. When the sources lost rows
(users deleted, a backup restored, rows edited by hand), :func:`rebuild` recounts both rollups
from scratch in one transaction (``cxtrain insight rebuild``).

The tables live in their own MetaData: they are a cache this module owns (migrations 0003
and 0004 create them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    text,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..gamify.records import as_utc
from .db import serial_writes
from .models import Attempt, ChoiceEvent

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


def _bin(score: object) -> object:
    # CASE instead of floor()/CAST: SQLite lacks floor() in older builds and PostgreSQL's
    # CAST rounds, so the two would disagree at the bin edges.
    whens = [(score >= i / HISTOGRAM_BINS, i) for i in range(HISTOGRAM_BINS - 1, 0, -1)]  # type: ignore[operator]
    return case(*whens, else_=0)


# --- Finished attempts: insight_scores up to insight_clock ------------------------------


def finished_query(after: datetime | None, upto: datetime | None):  # type: ignore[no-untyped-def]
    """Finished attempts per (module version, score bin, passed) with finished_at in (after, upto]."""
    bucket = _bin(func.coalesce(Attempt.score, 0.0)).label("bucket")
    passed = func.coalesce(Attempt.passed, False).label("passed")
    query = (
        select(Attempt.module_version, bucket, passed, func.count())
        .where(Attempt.finished_at.is_not(None))
        .group_by(Attempt.module_version, bucket, passed)
    )
    if after is not None:
        query = query.where(Attempt.finished_at > after)
    return query if upto is None else query.where(Attempt.finished_at <= upto)


def scores_clock(db: Session) -> datetime:
    """How far ``insight_scores`` counts: attempts finished after this are counted live."""
    value = db.scalar(select(insight_clock.c.upto).where(insight_clock.c.name == SCORES))
    return as_utc(value) if value is not None else EPOCH


def refresh_scores(db: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> datetime:
    """Fold attempts finished between the clock and ``now - settle`` into ``insight_scores``; returns the clock.

    Same compare-and-set as :func:`refresh_edges`. A finished attempt never changes, so a
    count once folded stays right; settling leaves time for a finish whose clock ran behind.
    The clock returned is the one stored after this call, also when another worker (or a
    rebuild) won the race: a reader adding the live part past a stale clock would count the
    winner's attempts twice.
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
            return scores_clock(db)
        query = finished_query(old, new).add_columns(Attempt.module_id).group_by(Attempt.module_id)
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
        return scores_clock(db)


# --- Choice events: insight_edges up to the insight_progress watermark ------------------


def watermark(db: Session) -> int:
    """The last choice event counted in ``insight_edges``; later ones are counted live."""
    value = db.scalar(select(insight_progress.c.last_event_id).where(insight_progress.c.name == EDGES))
    return int(value or 0)


def tail_query(after: int, upto: int | None):  # type: ignore[no-untyped-def]
    """Edge counts per (module version, node, choice) of the events in (after, upto], by primary key range."""
    query = (
        select(Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice, func.count())
        .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
        .where(ChoiceEvent.id > after)
        .group_by(Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice)
    )
    if upto is not None:
        query = query.where(ChoiceEvent.id <= upto)
    return query


def _settled_upto(db: Session, after: int, cutoff: datetime) -> int:
    """The highest event id past ``after`` below which every event is older than ``cutoff`` (else ``after``)."""
    newest = db.scalar(select(func.max(ChoiceEvent.id)).where(ChoiceEvent.id > after))
    if newest is None:
        return after
    young = db.scalar(select(func.min(ChoiceEvent.id)).where(ChoiceEvent.id > after, ChoiceEvent.created_at >= cutoff))
    return max(after, int(young) - 1 if young is not None else int(newest))


def refresh_edges(db: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> int:
    """Fold settled events past the watermark into ``insight_edges``; returns how many events were folded.

    Safe under concurrency: the watermark moves by compare-and-set in the same transaction
    as the counts, so when two workers refresh at once one of them rolls back and the other's
    counts stand (the loser's requests still see exact numbers through the live tail).
    """
    cutoff = (now or datetime.now(UTC)) - settle
    old = watermark(db)
    upto = _settled_upto(db, old, cutoff)
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


# --- Starting over -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """What :func:`rebuild` counted."""

    events: int  # choice events now in insight_edges
    edge_rows: int
    last_event_id: int  # the new watermark
    live_events: int  # events past it, too young to fold: counted live until a later refresh
    attempts: int  # finished attempts now in insight_scores
    score_rows: int
    upto: datetime  # the new clock of insight_scores


def _set_mark(db: Session, table: Table, column: str, name: str, value: object) -> None:
    if not db.execute(update(table).where(table.c.name == name).values({column: value})).rowcount:  # type: ignore[attr-defined]
        db.execute(insert(table).values({"name": name, column: value}))


def _refill(db: Session, table: Table, keys: tuple[str, ...], rows: Iterable[Sequence[object]]) -> tuple[int, int]:
    """Fill the emptied ``table`` with the counts of ``rows`` (key values..., count); returns (total, rows).

    Summed here rather than by INSERT ... SELECT: a group of the aggregate may split where the
    primary key does not (a NULL and a false ``passed``), and the rollups have few rows.
    """
    counts: dict[tuple[object, ...], int] = {}
    for *key, n in rows:
        counts[tuple(key)] = counts.get(tuple(key), 0) + int(n)  # type: ignore[call-overload]
    if counts:
        db.execute(insert(table), [{**dict(zip(keys, key, strict=True)), "count": n} for key, n in counts.items()])
    return sum(counts.values()), len(counts)


def rebuild(db: Session, now: datetime | None = None, settle: timedelta = SETTLE) -> Rebuilt:
    """Recount both rollups from ``choice_events`` and ``attempts`` in one transaction, and commit.

    Safe while the service runs. Readers never wait: they see the old counts until the commit.
    On PostgreSQL the four rollup tables are locked in SHARE ROW EXCLUSIVE mode, which lets
    reads through and holds off only the refreshes made by insight pages; those then lose
    their compare-and-set against the new marks, roll back and count the rest live, so nothing
    is counted twice. Players never touch these tables and do not wait at all. On SQLite the
    first statement takes the database's write lock (WAL readers go on), and the rebuild
    holds the engine's write queue, so play steps queue behind it rather than running into
    the busy timeout; other writes (starting an attempt, awards) wait up to that timeout (10 s),
    which a rebuild stays well under (300,000 events took 0.7 s on a laptop).
    Events and finishes younger than ``settle`` are left to the live part and a later
    refresh, as in :func:`refresh_edges`.
    """
    cutoff = (now or datetime.now(UTC)) - settle
    with serial_writes(db):
        try:
            if db.get_bind().dialect.name == "postgresql":
                # Each mark before its counts, the order in which refreshes write them: a refresh
                # holding a mark finishes before we take it, and none can wait on us holding one.
                tables = "insight_progress, insight_edges, insight_clock, insight_scores"
                db.execute(text(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE"))
            # On SQLite the first write takes the lock, and with it one state for every read below.
            db.execute(delete(insight_edges))
            db.execute(delete(insight_scores))
            upto = _settled_upto(db, 0, cutoff)
            edges = db.execute(
                select(Attempt.module_id, Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice, func.count())
                .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
                .where(ChoiceEvent.id <= upto)
                .group_by(Attempt.module_id, Attempt.module_version, ChoiceEvent.node, ChoiceEvent.choice)
            )
            events, edge_rows = _refill(db, insight_edges, ("module_id", "module_version", "node", "choice"), edges)
            _set_mark(db, insight_progress, "last_event_id", EDGES, upto)
            scores = db.execute(finished_query(None, cutoff).add_columns(Attempt.module_id).group_by(Attempt.module_id))
            keyed = ((m, v, int(b), bool(p), n) for v, b, p, n, m in scores)
            attempts, score_rows = _refill(
                db, insight_scores, ("module_id", "module_version", "bucket", "passed"), keyed
            )
            _set_mark(db, insight_clock, "upto", SCORES, cutoff)
            live = int(db.scalar(select(func.count()).select_from(ChoiceEvent).where(ChoiceEvent.id > upto)) or 0)
            db.commit()
        except BaseException:
            db.rollback()
            raise
    return Rebuilt(events, edge_rows, upto, live, attempts, score_rows, cutoff)


def rebuild_edges(db: Session) -> None:
    """Forget the rollups; the next visit recounts every event and attempt (after deletions).

    :func:`rebuild` recounts at once instead, and never leaves the pages without a rollup.
    """
    db.execute(delete(insight_edges))
    db.execute(delete(insight_progress).where(insight_progress.c.name == EDGES))
    db.execute(delete(insight_scores))
    db.execute(delete(insight_clock).where(insight_clock.c.name == SCORES))
    db.commit()
