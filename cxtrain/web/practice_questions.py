"""Daily practice in the service: today's questions for a learner, and checking an answer.

Questions come from the decisions a learner missed (queued by :func:`.rewards.award_finish`);
an answer reschedules its item and pays a little XP, under the same learner lock as a finish.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import gamify
from ..gamify.records import as_utc
from ..render import markdown
from ..scenario.model import Module
from ..store import badge_awards, learner_records, practice_queue, xp_ledger
from ..store.models import User
from .rewards import Rewards, check_badges, curve, modules, now, streak_of


class PracticeError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def offered_modules(db: Session) -> dict[str, Module]:
    """The modules on offer now, by id: what practice questions are checked against."""
    return {module_id: entry.module for module_id, entry in modules().current(db).items()}


def _question(row: Any, offered: Mapping[str, Module]) -> dict[str, Any] | None:
    module = offered.get(row.module_id)
    if module is None:
        return None
    question = gamify.practice_question(module, practice_queue.to_item(row))
    if question is not None:
        question["id"] = row.id
        question["due_at"] = as_utc(row.due_at)
        question["html"] = markdown(question["text"])  # a node's text is Markdown, as on the play page
    return question


def todays_practice(db: Session, user: User) -> tuple[list[dict[str, Any]], int]:
    """The questions ``user`` may answer now, and how many they answered today (in their time
    zone): the day's share less those already answered, so that a reload does not offer five
    more (see :func:`questions_from`)."""
    at = now()
    answered = learner_records.practice_answers_today(db, user.id, at, user.timezone)
    if answered >= gamify.DAILY_LIMIT:
        return [], answered
    rows = practice_queue.due_rows(db, user.id, at)
    return questions_from(rows, at, offered_modules(db), limit=gamify.DAILY_LIMIT - answered), answered


def questions_from(
    rows: Sequence[Any], at: datetime, offered: Mapping[str, Module], limit: int = gamify.DAILY_LIMIT
) -> list[dict[str, Any]]:
    """Up to ``limit`` questions from a learner's due practice ``rows``, most overdue first. An
    item whose module changed under it is skipped and leaves its place to the next one, so the
    learner gets the day's full share; the reminder email counts with this too."""
    by_key = {(r.module_id, r.node_id): r for r in rows}
    out: list[dict[str, Any]] = []
    for item in gamify.due_items([practice_queue.to_item(r) for r in rows], at, limit=len(rows)):
        if len(out) >= limit:
            break
        question = _question(by_key[item.key], offered)
        if question is not None:
            out.append(question)
    return out


def answer(db: Session, user: User, item_id: int, choice: str) -> dict[str, Any]:
    """Check one practice answer, reschedule the item, pay a little XP, keep the streak; raises PracticeError."""
    at = now()
    xp_ledger.lock_learner(db, user.id)  # a double submit waits here, then finds the item no longer due
    row = next((r for r in practice_queue.practice_rows(db, user.id) if r.id == item_id), None)
    if row is None:
        db.rollback()
        raise PracticeError(404, "unknown-item", f"There is no practice item {item_id}.")
    module = modules().get(db, row.module_id)
    item = practice_queue.to_item(row)
    if module is None or gamify.practice_question(module, item) is None:
        db.rollback()
        raise PracticeError(404, "item-gone", "This question's module changed; it has left your practice.")
    if item.learned or as_utc(item.due_at) > at:
        db.rollback()
        raise PracticeError(409, "not-due", "This question is not due yet.")
    if choice not in item.options:
        db.rollback()
        raise PracticeError(400, "unknown-choice", f"'{choice}' is not one of this question's choices.")
    if learner_records.practice_answers_today(db, user.id, at, user.timezone) >= gamify.DAILY_LIMIT:
        db.rollback()
        raise PracticeError(
            409, "daily-limit", f"That makes {gamify.DAILY_LIMIT} questions today; the next ones come tomorrow."
        )
    correct = gamify.is_correct(item, choice)
    xp = gamify.practice_xp(correct, learner_records.practice_xp_today(db, user.id, at, user.timezone))
    before = xp_ledger.xp_total(db, user.id)
    new = gamify.schedule_after(item, correct, at, user.timezone)
    practice_queue.update_item(db, row, new)
    practice_queue.record_answer(db, user.id, row, choice, correct, xp, at)
    if xp:
        xp_ledger.add_xp(db, user.id, xp, xp_ledger.PRACTICE, at, module_id=row.module_id)
    db.flush()
    new_ids = check_badges(db, user, at, None)
    db.commit()
    fresh = [b for b in badge_awards.awarded(db, user.id) if b.badge_id in new_ids]
    rewards = Rewards(xp, gamify.level_up(before, before + xp, curve()), fresh)
    feedback = gamify.answer_feedback(module, item, choice)
    return {
        **feedback,
        **rewards.as_dict(),
        "feedback": feedback["best_feedback"],
        "best_feedback_html": markdown(feedback["best_feedback"]),  # Markdown, as on the play page
        "your_feedback_html": markdown(feedback["your_feedback"]),
        "streak": streak_of(db, user, at).current,
        "next_due": None if new.learned else as_utc(new.due_at),
    }
