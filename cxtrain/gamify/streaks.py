"""Streaks: consecutive calendar days, in the learner's own time zone, with some activity.

A day counts when the learner finished a module or answered a practice question
during it. Days are the learner's local calendar days, because "did I practise
today?" is a question about their day, not about UTC. The streak stays current
until the end of the day after the last activity: at breakfast, yesterday's streak
is still alive and can be extended today.

A streak is private to its learner and a broken one is shown kindly: ``longest``
is kept for ever, and nothing here is meant for other people's eyes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .records import as_utc


@dataclass(frozen=True, slots=True)
class Streak:
    """``current``: days in the streak still alive (0 if broken); ``longest``: best ever;
    ``active_today``: whether today already counts; ``last_day``: last local day with activity."""

    current: int
    longest: int
    active_today: bool
    last_day: date | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "current": self.current,
            "longest": self.longest,
            "active_today": self.active_today,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }


def zone(name: str | None) -> tzinfo:
    """The learner's time zone; UTC when the name is empty, unknown or malformed.

    A wrong setting must never break a page, and UTC is the least surprising guess.
    """
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC


def local_day(moment: datetime, tz: str | tzinfo | None) -> date:
    """The calendar day ``moment`` falls on in the time zone ``tz``."""
    where = tz if isinstance(tz, tzinfo) else zone(tz)
    return as_utc(moment).astimezone(where).date()


def streak(activity_times: Iterable[datetime], tz: str | None, now: datetime) -> Streak:
    """The learner's streak at ``now`` given the moments they were active.

    Activity after ``now`` is ignored (a clock skew between servers must not grant
    a day that has not happened yet).
    """
    where = zone(tz)
    today = local_day(now, where)
    days = sorted({local_day(t, where) for t in activity_times if as_utc(t) <= as_utc(now)})
    if not days:
        return Streak(0, 0, False, None)
    longest = run = 1
    for previous, day in pairwise(days):
        run = run + 1 if day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
    # ``run`` is now the length of the run ending on the last active day.
    last = days[-1]
    alive = last >= today - timedelta(days=1)
    return Streak(current=run if alive else 0, longest=longest, active_today=last == today, last_day=last)


def local_midnight(day: date, tz: str | tzinfo | None) -> datetime:
    """The UTC instant at which ``day`` begins in ``tz`` (for 'due tomorrow' and day boundaries)."""
    where = tz if isinstance(tz, tzinfo) else zone(tz)
    return datetime(day.year, day.month, day.day, tzinfo=where).astimezone(UTC)
