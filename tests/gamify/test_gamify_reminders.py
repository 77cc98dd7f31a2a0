"""The pure reminder rules: the morning window, once a day, and what counts as a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cxtrain.gamify import Streak
from cxtrain.gamify.reminders import Reason, in_morning, reason_for, reminded_today, streak_at_risk


@pytest.mark.parametrize(
    ("utc", "tz", "expected"),
    [
        ("2025-03-03T07:59", "UTC", False),
        ("2025-03-03T08:00", "UTC", True),
        ("2025-03-03T11:59", "UTC", True),
        ("2025-03-03T12:00", "UTC", False),
        ("2025-03-03T23:30", "Asia/Tokyo", True),  # 08:30 on the 4th in Tokyo
        ("2025-03-03T23:30", "America/New_York", False),  # 18:30 in New York
        ("2025-07-01T12:30", "America/New_York", True),  # 08:30 EDT: summer time is followed
        ("2025-03-03T08:30", "Not/A_Zone", True),  # an unknown zone reads as UTC, never an error
    ],
)
def test_the_morning_window_is_local(utc: str, tz: str, expected: bool) -> None:
    assert in_morning(datetime.fromisoformat(utc).replace(tzinfo=UTC), tz) is expected


def test_reminded_today_is_by_the_learners_calendar() -> None:
    tokyo_morning = datetime(2025, 3, 3, 23, 30, tzinfo=UTC)  # the 4th in Tokyo, the 3rd in UTC
    assert reminded_today(date(2025, 3, 4), tokyo_morning, "Asia/Tokyo")
    assert not reminded_today(date(2025, 3, 3), tokyo_morning, "Asia/Tokyo")
    assert not reminded_today(None, tokyo_morning, "Asia/Tokyo")
    # Moved from Tokyo to New York: there it is still the 3rd, and the 4th's reminder counts.
    assert reminded_today(date(2025, 3, 4), tokyo_morning, "America/New_York")


def test_only_a_streak_of_two_days_that_today_has_not_extended_is_at_risk() -> None:
    assert streak_at_risk(Streak(current=3, longest=5, active_today=False)) == 3
    assert streak_at_risk(Streak(current=3, longest=5, active_today=True)) == 0
    assert streak_at_risk(Streak(current=1, longest=5, active_today=False)) == 0
    assert streak_at_risk(Streak(current=0, longest=5, active_today=False)) == 0


def test_reasons() -> None:
    quiet = Streak(0, 0, False)
    assert not reason_for(0, quiet)
    assert reason_for(2, quiet) == Reason(due=2)
    assert reason_for(40, quiet) == Reason(due=5)  # what one day's practice offers
    assert reason_for(0, Streak(4, 4, False)) == Reason(streak=4)
    assert bool(reason_for(1, Streak(4, 4, False)))
