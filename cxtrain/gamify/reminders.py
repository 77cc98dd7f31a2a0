"""Daily reminders: whether a learner has a reason to hear from us this morning, and which.

A reminder is worth sending only when it can change what happens today: practice questions
are waiting (the spaced repetition only works if they are answered near their due day), or a
streak of two days or more ends tonight unless the learner plays or practises today. A one-day
"streak" is no reason: nagging about it would turn every single visit into a daily obligation.

Reminders go out in the learner's local morning, never at night, and at most once per local
calendar day. The window is several hours wide so that an hourly cron job, or one that missed
a run, still reaches everybody once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from .practice import DAILY_LIMIT
from .records import as_utc
from .streaks import Streak, local_day, zone

MORNING_FROM = time(8, 0)
"""Local time from which a learner's reminder may be sent (they are likely up, not yet busy)."""

MORNING_UNTIL = time(12, 0)
"""Local time after which nothing is sent that day: a reminder at 4 pm reads as a reproach."""

STREAK_WORTH_KEEPING = 2
"""Shortest streak worth a reminder."""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a learner is reminded: ``due`` practice questions waiting today (at most the daily
    number offered), and ``streak``, the length of a streak that ends tonight (0 when none is)."""

    due: int = 0
    streak: int = 0

    def __bool__(self) -> bool:
        return self.due > 0 or self.streak > 0


def in_morning(now: datetime, tz: str | None) -> bool:
    """Whether ``now`` falls in the learner's local morning window (``MORNING_FROM`` included,
    ``MORNING_UNTIL`` not)."""
    local = as_utc(now).astimezone(zone(tz)).time()
    return MORNING_FROM <= local < MORNING_UNTIL


def reminded_today(reminded_on: date | None, now: datetime, tz: str | None) -> bool:
    """Whether the last reminder was sent on the learner's local today (or later: after a move to
    a zone further west, "today" there can be the day before the one recorded)."""
    return reminded_on is not None and reminded_on >= local_day(now, tz)


def streak_at_risk(run: Streak) -> int:
    """The length of a streak that ends tonight unless the learner is active today, else 0.

    A streak is alive until the end of the day after its last active day (see
    :func:`cxtrain.gamify.streak`); when today does not count yet, tonight is that end.
    """
    if run.active_today or run.current < STREAK_WORTH_KEEPING:
        return 0
    return run.current


def reason_for(due: int, run: Streak) -> Reason:
    """The reason to remind a learner with ``due`` practice questions due and streak ``run``
    (false when there is none)."""
    return Reason(due=max(0, min(due, DAILY_LIMIT)), streak=streak_at_risk(run))
