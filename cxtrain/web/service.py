"""The play service: one place where a request becomes an engine call and a stored event.

Pages and the JSON API both call these functions, so the rules (pinning, recording,
409 on a raced step, what the learner sees) are written once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from .. import playview
from ..scenario import engine
from ..scenario.model import Module
from ..store import attempts as store
from ..store import play_step, xp_ledger
from ..store.models import Attempt, User
from . import rewards
from .catalog import Catalog, Entry


class NotFound(LookupError):
    """No such object for this user (someone else's attempt is reported the same way)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Conflict(Exception):
    """The choice lost to another (double click, second tab) or the attempt is over; carries the current view."""

    def __init__(self, code: str, message: str, view: dict[str, Any]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.view = view


def catalog() -> Catalog:
    return current_app.extensions["cxtrain.catalog"]


def entry(db: Session, module_id: str) -> Entry:
    found = catalog().current(db).get(module_id)
    if found is None:
        raise NotFound("unknown-module", f"There is no module '{module_id}'.")
    return found


def start(db: Session, user: User, module_id: str) -> tuple[Attempt, Module]:
    found = _pinned_entry(db, module_id)
    return store.start_attempt(db, user.id, found.module), found.module


def _pinned_entry(db: Session, module_id: str) -> Entry:
    """The module an attempt is about to start on, its text kept if it comes from a folder (which
    commits the first time a worker sees that version)."""
    found = entry(db, module_id)
    if found.source == "library":
        catalog().pin(db, found.module)
    return found


def start_from_page(db: Session, user: User, module_id: str, offered: int | None) -> tuple[Attempt, bool]:
    """Start an attempt from the module page, or return the one started since that page was shown:
    (the attempt, whether it is new).

    ``offered`` is the attempt in progress the page offered to resume (None: it offered none).
    If the learner's newest attempt in progress is another one, the page was out of date: a
    double click on Start, or a page brought back by the browser's Back button after play had
    begun. Starting yet another attempt there would leave that one stranded in progress, so it
    is returned instead. Attempts started through the API are always new (a client says what it
    wants)."""
    found = _pinned_entry(db, module_id)  # before the lock: pinning may commit, which would release it
    xp_ledger.lock_learner(db, user.id)  # two clicks arriving together: the second sees the first's attempt
    current = store.newest_unfinished(db, user.id, module_id)
    if current is not None and current.id != offered:
        db.commit()
        return current, False
    return store.start_attempt(db, user.id, found.module), True


def load(db: Session, user: User, attempt_id: int) -> tuple[Attempt, Module]:
    attempt = store.get_attempt(db, attempt_id, user.id)
    if attempt is None:
        raise NotFound("unknown-attempt", f"There is no attempt {attempt_id}.")
    return attempt, pinned(db, attempt.module_id, attempt.module_version)


def pinned(db: Session, module_id: str, version: str) -> Module:
    module = catalog().pinned(db, module_id, version)
    if module is None:  # cannot happen unless rows were deleted by hand
        raise NotFound("unknown-module", f"The module version this attempt started on is gone ({module_id}).")
    return module


def choose(db: Session, user: User, attempt_id: int, node: str, choice: str) -> dict[str, Any]:
    """Record one choice and return the view after it; raises engine.ChoiceUnavailable, Conflict, NotFound."""
    conn = play_step.connection(db)
    row = play_step.read_for_user(conn, attempt_id, user.id)
    if row is None:
        raise NotFound("unknown-attempt", f"There is no attempt {attempt_id}.")
    return choose_on(db, conn, lambda: user, row, node, choice)


def choose_on(
    db: Session, conn: Connection, user: Callable[[], User], row: play_step.PlayRow, node: str, choice: str
) -> dict[str, Any]:
    """Record one choice on the attempt ``row`` (already checked to be ``user``'s, read on ``conn``,
    the step's :func:`play_step.connection`) and return the view after it.

    The hot path of the service: the attempt was read with one core query and the choice is
    written with one statement on PostgreSQL, two on SQLite; the user and an ORM attempt are
    loaded only when the answer needs more (an ending's rewards, or a conflict's current view)."""
    module = pinned(db, row.module_id, row.module_version)
    try:
        outcome = play_step.record_choice(db, conn, row, module, node, choice)
    except (engine.StaleNode, engine.AttemptFinished) as exc:
        raise Conflict(exc.code, exc.message, _current_view(db, user(), row.id)) from exc
    except play_step.StepTaken as exc:
        raise Conflict(
            "stale-node",
            "This step was already recorded (a double click or another tab).",
            _current_view(db, user(), row.id),
        ) from exc
    if outcome.state.finished:
        attempt, _ = load(db, user(), row.id)
        return view(db, user(), attempt, module, outcome)
    return _payload(row.id, module, outcome.state, outcome)


def _current_view(db: Session, user: User, attempt_id: int) -> dict[str, Any]:
    return view(db, user, *load(db, user, attempt_id))


def view(
    db: Session, user: User, attempt: Attempt, module: Module, outcome: engine.Outcome | None = None
) -> dict[str, Any]:
    """attempt_payload plus the attempt id; for an ending also its rewards (xp, level_up, badges)
    and the steps where a better choice existed."""
    state = outcome.state if outcome is not None else store.state_of(attempt)
    payload = _payload(attempt.id, module, state, outcome)
    if state.finished:
        # Awarding is idempotent and read back from storage, so the JSON answer to the finishing
        # choice and any later reload of the ending show the same XP, level-up and badges.
        payload.update(rewards.finish_rewards(db, user, attempt, module).as_dict())
        payload["missed"] = playview.missed_choices(module, state)
        payload["steps"] = steps_text(module, state)
    return payload


def _payload(
    attempt_id: int, module: Module, state: engine.AttemptState, outcome: engine.Outcome | None
) -> dict[str, Any]:
    payload = playview.attempt_payload(module, state, outcome)
    payload["id"] = attempt_id
    payload["title"] = module.title
    payload["xp"] = 0
    return payload


def last_outcome(module: Module, state: engine.AttemptState) -> engine.Outcome | None:
    """The outcome of the most recent choice, recomputed (for a page loaded after a redirect)."""
    if not state.path:
        return None
    before = engine.replay(module, state.path[:-1])
    last = state.path[-1]
    return engine.choose(module, before, last.node, last.choice)


def steps_text(module: Module, state: engine.AttemptState) -> list[dict[str, str]]:
    """The path taken, in words: each node's title and the text of the choice made there."""
    out = []
    for step in state.path:
        node = module.nodes[step.node]
        picked = node.choice(step.choice)
        out.append(
            {
                "node": step.node,
                "choice": step.choice,
                "node_title": node.title or step.node,
                "choice_text": picked.text if picked else step.choice,
            }
        )
    return out
