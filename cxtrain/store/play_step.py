"""The play step's reads and writes: the service's hot path, in as few round trips as the database allows.

A step reads its attempt with one query (joined with the token's owner on the API's path) and
writes an append-only event plus the attempt's new state. The unique (attempt_id, step)
constraint is what makes a double click or a second tab harmless: both requests may compute the
same next step, but only the first insert commits; the other gets :class:`StepTaken` and answers
with the current state.

On PostgreSQL the read runs in autocommit and the write is one statement (the insert as a
data-modifying CTE feeding the update), which PostgreSQL runs atomically on its own: two round
trips for the whole step instead of five (BEGIN, SELECT, INSERT, UPDATE, COMMIT). SQLite has no
round trips to save and no DML in WITH, so it runs the two writes in one short transaction,
queued behind the other writers of the file (:func:`serial_writes`).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..scenario import engine
from ..scenario.model import Module
from .db import serial_writes
from .models import ApiToken, Attempt, ChoiceEvent, User, utcnow


class StepTaken(Exception):
    """Another request recorded this step first."""


class PlayRow(NamedTuple):
    """What a play step reads of its attempt: one core query, no ORM object."""

    id: int
    module_id: str
    module_version: str
    state_json: str

    @property
    def state(self) -> engine.AttemptState:
        return engine.AttemptState.from_json(self.state_json)


def connection(db: Session) -> Connection:
    """The connection a step runs on: on PostgreSQL in autocommit, each of its two statements
    being atomic on its own. Anything the session had open (a page's read of the logged-in
    account) is committed first, because the isolation level is set when a transaction starts."""
    if db.get_bind().dialect.name != "postgresql":
        return db.connection()
    if db.in_transaction():
        db.commit()
    return db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def read_for_user(conn: Connection, attempt_id: int, user_id: int) -> PlayRow | None:
    """The attempt's play columns if it belongs to ``user_id`` (someone else's reads as none)."""
    row = conn.execute(_PLAY_ROW, {"id": attempt_id, "user": user_id}).first()
    return PlayRow(*row) if row is not None else None


def read_for_token(conn: Connection, attempt_id: int, token_hash: str) -> tuple[PlayRow, int] | None:
    """The attempt's play columns and its owner's id, if ``token_hash`` is a token of that owner and
    the owner's account is open: authentication and the attempt read in one query (the API's hot
    path). None says only that this pair doesn't match; the caller finds out why the slow way."""
    row = conn.execute(_PLAY_ROW_FOR_TOKEN, {"id": attempt_id, "h": token_hash}).first()
    return (PlayRow(*row[:4]), row[4]) if row is not None else None


def record_choice(
    db: Session, conn: Connection, row: PlayRow, module: Module, node: str, choice: str
) -> engine.Outcome:
    """Apply one choice to the attempt read as ``row`` and persist it, committed before returning
    (it survives kill -9). ``conn`` is :func:`connection` of ``db``.

    Raises engine.PlayError for a refused choice, StepTaken when another request won the race.
    The event goes in first (or, on PostgreSQL, in the same statement), so a lost race fails on
    UNIQUE(attempt_id, step) before anything else is written. ORM objects of this attempt already
    in the session are stale afterwards: refresh them.
    """
    outcome = engine.choose(module, row.state, node, choice)
    now = utcnow()
    step = len(outcome.state.path)
    event = {"ev_attempt": row.id, "ev_step": step, "ev_node": node, "ev_choice": choice, "ev_at": now}
    values: dict[str, object] = {"state_json": outcome.state.to_json()}
    if outcome.state.finished:
        res = engine.result(module, outcome.state)
        values.update(finished_at=now, score=res.score, passed=res.passed)
    try:
        if conn.dialect.name == "postgresql":
            conn.execute(_EVENT_AND_STATE[outcome.state.finished], {**event, **values})
            db.commit()
        else:
            with serial_writes(db):
                conn.execute(_INSERT_EVENT, event)
                conn.execute(_UPDATE_ATTEMPT, {"attempt": row.id, **values})
                db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise StepTaken from exc
    return outcome


# Built once (building a statement costs about as much as running it).
_ATTEMPTS, _EVENTS = Attempt.__table__, ChoiceEvent.__table__
_PLAY_ROW = select(_ATTEMPTS.c.id, _ATTEMPTS.c.module_id, _ATTEMPTS.c.module_version, _ATTEMPTS.c.state_json).where(
    _ATTEMPTS.c.id == bindparam("id"), _ATTEMPTS.c.user_id == bindparam("user")
)
_TOKENS, _USERS = ApiToken.__table__, User.__table__
_PLAY_ROW_FOR_TOKEN = (
    select(*_PLAY_ROW.selected_columns, _ATTEMPTS.c.user_id)
    .join(_TOKENS, _TOKENS.c.user_id == _ATTEMPTS.c.user_id)
    .join(_USERS, _USERS.c.id == _ATTEMPTS.c.user_id)
    .where(_ATTEMPTS.c.id == bindparam("id"), _TOKENS.c.token_hash == bindparam("h"), _USERS.c.active.is_(True))
)
_INSERT_EVENT = insert(_EVENTS).values(
    attempt_id=bindparam("ev_attempt"),
    step=bindparam("ev_step"),
    node=bindparam("ev_node"),
    choice=bindparam("ev_choice"),
    created_at=bindparam("ev_at"),  # explicit: a column default would not be applied inside the WITH
)
_UPDATE_ATTEMPT = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("attempt"))
_NEW_EVENT = _INSERT_EVENT.returning(_EVENTS.c.attempt_id).cte("new_event")
_STATE_COLUMNS = ("state_json",)
_FINISH_COLUMNS = ("state_json", "finished_at", "score", "passed")
# WITH new_event AS (INSERT ... RETURNING attempt_id) UPDATE attempts SET ... FROM new_event
# WHERE attempts.id = new_event.attempt_id: the update happens only if the insert did.
_EVENT_AND_STATE = {
    finished: update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == _NEW_EVENT.c.attempt_id)
    .values({name: bindparam(name) for name in columns})
    for finished, columns in ((False, _STATE_COLUMNS), (True, _FINISH_COLUMNS))
}
