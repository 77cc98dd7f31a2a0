"""Attempts and their append-only choice events.

The unique (attempt_id, step) constraint is what makes a double click or a second
tab harmless: both requests may compute the same next step, but only the first
insert commits; the other gets :class:`StepTaken` and answers with the current state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..scenario import engine
from ..scenario.model import Module
from .db import serial_writes
from .models import ApiToken, Attempt, ChoiceEvent, User, utcnow


class StepTaken(Exception):
    """Another request recorded this step first."""


def start_attempt(db: Session, user_id: int, module: Module) -> Attempt:
    state = engine.start(module)
    attempt = Attempt(user_id=user_id, module_id=module.id, module_version=module.version, state_json=state.to_json())
    _finish_if_done(attempt, module, state)
    db.add(attempt)
    db.commit()
    return attempt


def get_attempt(db: Session, attempt_id: int, user_id: int) -> Attempt | None:
    """The attempt if it belongs to ``user_id``; someone else's is indistinguishable from none."""
    attempt = db.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user_id else None


class PlayRow(NamedTuple):
    """What a play step reads of its attempt: one core query, no ORM object (the hot path)."""

    id: int
    module_id: str
    module_version: str
    state_json: str

    @property
    def state(self) -> engine.AttemptState:
        return engine.AttemptState.from_json(self.state_json)


def play_row(db: Session, attempt_id: int, user_id: int) -> PlayRow | None:
    """The attempt's play columns if it belongs to ``user_id`` (someone else's reads as none)."""
    row = db.connection().execute(_PLAY_ROW, {"id": attempt_id, "user": user_id}).first()
    return PlayRow(*row) if row is not None else None


def play_row_for_token(db: Session, attempt_id: int, token_hash: str) -> tuple[PlayRow, int] | None:
    """The attempt's play columns and its owner's id, if ``token_hash`` is a token of that owner and
    the owner's account is open: authentication and the attempt read in one query (the API's hot
    path). None says only that this pair doesn't match; the caller finds out why the slow way."""
    row = db.connection().execute(_PLAY_ROW_FOR_TOKEN, {"id": attempt_id, "h": token_hash}).first()
    return (PlayRow(*row[:4]), row[4]) if row is not None else None


def state_of(attempt: Attempt) -> engine.AttemptState:
    return engine.AttemptState.from_json(attempt.state_json)


def record_choice(
    db: Session, attempt_id: int, state: engine.AttemptState, module: Module, node: str, choice: str
) -> engine.Outcome:
    """Apply one choice to ``state`` and persist it, committed before returning (survives kill -9).

    Raises engine.PlayError for a refused choice, StepTaken when another request won the race.
    The event insert and the state update are two core statements in one short transaction
    (no ORM flush): the insert goes first, so a lost race fails on UNIQUE(attempt_id, step)
    before anything else is written, and on SQLite the write lock is held only for these two.
    ORM objects of this attempt already in the session are stale afterwards: refresh them.
    """
    outcome = engine.choose(module, state, node, choice)
    step = len(outcome.state.path)
    values: dict[str, object] = {"state_json": outcome.state.to_json()}
    if outcome.state.finished:
        res = engine.result(module, outcome.state)
        values.update(finished_at=utcnow(), score=res.score, passed=res.passed)
    try:
        with serial_writes(db):
            conn = db.connection()  # the session's own transaction, without the ORM execution layer
            conn.execute(_INSERT_EVENT, {"attempt_id": attempt_id, "step": step, "node": node, "choice": choice})
            conn.execute(_UPDATE_ATTEMPT, {"attempt": attempt_id, **values})
            db.commit()
    except IntegrityError as exc:
        db.rollback()
        raise StepTaken from exc
    return outcome


# Built once (building a statement costs about as much as running it); the SET columns of the
# update are the keys passed with it.
_ATTEMPTS = Attempt.__table__
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
_INSERT_EVENT = insert(ChoiceEvent.__table__)
_UPDATE_ATTEMPT = update(_ATTEMPTS).where(_ATTEMPTS.c.id == bindparam("attempt"))


def _finish_if_done(attempt: Attempt, module: Module, state: engine.AttemptState) -> None:
    if state.finished:
        res = engine.result(module, state)
        attempt.finished_at = utcnow()
        attempt.score = res.score
        attempt.passed = res.passed


def rebuild_state(db: Session, attempt: Attempt, module: Module) -> engine.AttemptState:
    """The attempt's state recomputed from its events alone (the cache is only a cache)."""
    events = db.scalars(select(ChoiceEvent).where(ChoiceEvent.attempt_id == attempt.id).order_by(ChoiceEvent.step))
    return engine.replay(module, [(e.node, e.choice) for e in events])


def user_attempts(db: Session, user_id: int, module_id: str | None = None) -> list[Attempt]:
    query = select(Attempt).where(Attempt.user_id == user_id)
    if module_id is not None:
        query = query.where(Attempt.module_id == module_id)
    return list(db.scalars(query.order_by(Attempt.started_at.desc(), Attempt.id.desc())))


def best_attempts(attempts: list[Attempt]) -> dict[str, Attempt]:
    """Per module, the finished attempt that counts: passed first, then the highest score."""
    best: dict[str, Attempt] = {}
    key: Callable[[Attempt], tuple[bool, float]] = lambda a: (bool(a.passed), a.score or 0.0)  # noqa: E731
    for attempt in attempts:
        if attempt.finished_at is None:
            continue
        current = best.get(attempt.module_id)
        if current is None or key(attempt) > key(current):
            best[attempt.module_id] = attempt
    return best


def unfinished(attempts: list[Attempt]) -> dict[str, Attempt]:
    """Per module, the newest attempt still in progress (offered for resuming)."""
    out: dict[str, Attempt] = {}
    for attempt in attempts:  # newest first
        if attempt.finished_at is None:
            out.setdefault(attempt.module_id, attempt)
    return out
