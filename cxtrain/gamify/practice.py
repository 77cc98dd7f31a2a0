"""Daily practice: the decisions a learner got wrong come back, out of context, spaced out.

A practice item is one decision node where the learner's choice was not the best
one (as :func:`cxtrain.scenario.grading.best_choices_along` judges, the same rule
the ending page uses to show missed choices). It is asked again on its own: the
node's text and the choices that were on offer, without the story around it.

Spacing follows the classic expanding schedule, about 1, 3, 7 and 14 days: a correct
answer moves the item to the next gap, a wrong one starts it again at one day. After
a correct answer at the last gap the item is learned and leaves the queue. Due times
fall at the start of the learner's local day, so "tomorrow" means tomorrow morning,
not exactly 24 hours after the last answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from cxtrain.scenario import engine
from cxtrain.scenario.grading import best_choices_along
from cxtrain.scenario.model import Module

from .records import as_utc
from .streaks import local_day, local_midnight

INTERVALS: tuple[int, ...] = (1, 3, 7, 14)
"""Days to wait before asking again, by how many times in a row the item was answered right."""

DAILY_LIMIT = 5
"""Questions offered a day: a few minutes, enough to keep the habit, not a chore."""


@dataclass(frozen=True, slots=True)
class PracticeItem:
    """One decision to practise.

    ``best`` is the choice id that counts as correct, ``chosen`` the one the learner
    took in the module, ``options`` the choice ids that were on offer at that point
    (conditions can hide some, so the question must show the same ones).
    ``interval_index`` indexes :data:`INTERVALS` for the gap now being waited out.
    """

    module_id: str
    node_id: str
    best: str
    chosen: str
    options: tuple[str, ...]
    due_at: datetime
    interval_index: int = 0
    learned: bool = False
    correct_count: int = 0
    wrong_count: int = 0

    @property
    def key(self) -> tuple[str, str]:
        return (self.module_id, self.node_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "module_id": self.module_id,
            "node_id": self.node_id,
            "best": self.best,
            "chosen": self.chosen,
            "options": list(self.options),
            "due_at": as_utc(self.due_at).isoformat(),
            "interval_index": self.interval_index,
            "learned": self.learned,
            "correct_count": self.correct_count,
            "wrong_count": self.wrong_count,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PracticeItem:
        """The inverse of :meth:`as_dict`, for the XBlock's JSON user state."""
        return cls(
            module_id=str(data["module_id"]),
            node_id=str(data["node_id"]),
            best=str(data["best"]),
            chosen=str(data["chosen"]),
            options=tuple(data.get("options", ())),
            due_at=as_utc(datetime.fromisoformat(data["due_at"])),
            interval_index=int(data.get("interval_index", 0)),
            learned=bool(data.get("learned", False)),
            correct_count=int(data.get("correct_count", 0)),
            wrong_count=int(data.get("wrong_count", 0)),
        )


@dataclass(frozen=True, slots=True)
class MissedDecision:
    node_id: str
    chosen: str
    best: str
    options: tuple[str, ...]


def due_after(now: datetime, days: int, tz: str | None) -> datetime:
    """The start of the learner's local day ``days`` days after ``now``, as UTC."""
    return local_midnight(local_day(now, tz) + timedelta(days=days), tz)


def missed_decisions(module: Module, path: Sequence[tuple[str, str]]) -> list[MissedDecision]:
    """The decisions along ``path`` where a better choice was on offer.

    ``path`` is the attempt's ``(node, choice)`` steps. The misses are those of
    :func:`cxtrain.playview.missed_choices`; we add the choices that were visible
    at each, by replaying the path up to that step.
    """
    missed = best_choices_along(module, list(path))
    out: list[MissedDecision] = []
    for miss in missed:
        step = int(miss["step"])  # type: ignore[call-overload]
        state = engine.replay(module, list(path[: step - 1]))
        options = tuple(c.id for c in engine.visible_choices(module, state))
        out.append(MissedDecision(str(miss["node"]), str(miss["chosen"]), str(miss["best"]), options))
    return out


def items_from_attempt(
    module_id: str,
    missed: Iterable[MissedDecision],
    existing: Iterable[PracticeItem],
    now: datetime,
    tz: str | None = None,
) -> list[PracticeItem]:
    """The learner's practice queue after an attempt: each miss joins it, due tomorrow.

    A decision already in the queue is reset to the first gap (it was just got wrong
    again in context) rather than duplicated; a learned one comes back the same way.
    Decisions with only one option cannot be practised and are skipped.
    """
    queue = {item.key: item for item in existing}
    for miss in missed:
        if len(miss.options) < 2:
            continue
        key = (module_id, miss.node_id)
        due = due_after(now, INTERVALS[0], tz)
        old = queue.get(key)
        if old is None:
            queue[key] = PracticeItem(module_id, miss.node_id, miss.best, miss.chosen, miss.options, due)
        else:
            queue[key] = replace(
                old,
                best=miss.best,
                chosen=miss.chosen,
                options=miss.options,
                due_at=due,
                interval_index=0,
                learned=False,
                wrong_count=old.wrong_count + 1,
            )
    return list(queue.values())


def schedule_after(item: PracticeItem, correct: bool, now: datetime, tz: str | None = None) -> PracticeItem:
    """The item after an answer at ``now``: further out when right, back to one day when wrong."""
    if not correct:
        return replace(
            item,
            interval_index=0,
            due_at=due_after(now, INTERVALS[0], tz),
            learned=False,
            wrong_count=item.wrong_count + 1,
        )
    nxt = item.interval_index + 1
    if nxt >= len(INTERVALS):
        return replace(item, learned=True, correct_count=item.correct_count + 1, due_at=as_utc(now))
    return replace(
        item,
        interval_index=nxt,
        due_at=due_after(now, INTERVALS[nxt], tz),
        correct_count=item.correct_count + 1,
    )


def due_items(items: Iterable[PracticeItem], now: datetime, limit: int = DAILY_LIMIT) -> list[PracticeItem]:
    """Items due at ``now``, most overdue first, at most ``limit`` of them."""
    moment = as_utc(now)
    due = [i for i in items if not i.learned and as_utc(i.due_at) <= moment]
    due.sort(key=lambda i: (as_utc(i.due_at), i.interval_index, i.module_id, i.node_id))
    return due[: max(0, limit)]


def is_correct(item: PracticeItem, choice_id: str) -> bool:
    return choice_id == item.best


def practice_question(module: Module, item: PracticeItem) -> dict[str, Any] | None:
    """The question shown to the learner, or None if the module changed under the item.

    Out of context on purpose: the node's own text and its customer link, the
    choices that were on offer, nothing about the path that led there. Which choice
    is best is not in the question; :func:`answer_feedback` gives it after answering.
    """
    node = module.nodes.get(item.node_id)
    if node is None or node.is_ending:
        return None
    choices = [c for c in node.choices if c.id in item.options]
    if item.best not in {c.id for c in choices} or len(choices) < 2:
        return None
    return {
        "module": item.module_id,
        "module_title": module.title,
        "language": module.language,
        "node": node.id,
        "title": node.title,
        "text": node.text,
        "customer_link": node.customer_link,
        "choices": [{"id": c.id, "text": c.text} for c in choices],
    }


def answer_feedback(module: Module, item: PracticeItem, choice_id: str) -> dict[str, Any]:
    """What to show after an answer: right or not, the best choice and its feedback."""
    node = module.nodes.get(item.node_id)
    best = node.choice(item.best) if node else None
    picked = node.choice(choice_id) if node else None
    return {
        "correct": is_correct(item, choice_id),
        "language": module.language,
        "best": item.best,
        "best_text": best.text if best else "",
        "best_feedback": best.feedback if best else "",
        "your_feedback": picked.feedback if picked else "",
    }
