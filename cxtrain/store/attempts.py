"""Attempts and their append-only choice events: starting, reading, rebuilding, choosing the
one that counts. Recording a choice is the play step's, in :mod:`.play_step`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..scenario import engine
from ..scenario.model import Module
from .models import Attempt, ChoiceEvent, utcnow


def start_attempt(db: Session, user_id: int, module: Module) -> Attempt:
    state = engine.start(module)
    attempt = Attempt(user_id=user_id, module_id=module.id, module_version=module.version, state_json=state.to_json())
    _finish_if_done(attempt, module, state)
    db.add(attempt)
    db.commit()
    return attempt


def newest_unfinished(db: Session, user_id: int, module_id: str) -> Attempt | None:
    """The learner's newest attempt at ``module_id`` still in progress (what a page offers to resume)."""
    return db.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.module_id == module_id, Attempt.finished_at.is_(None))
        .order_by(Attempt.id.desc())
        .limit(1)
    ).first()


def get_attempt(db: Session, attempt_id: int, user_id: int) -> Attempt | None:
    """The attempt if it belongs to ``user_id``; someone else's is indistinguishable from none."""
    attempt = db.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user_id else None


def state_of(attempt: Attempt) -> engine.AttemptState:
    return engine.AttemptState.from_json(attempt.state_json)


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
