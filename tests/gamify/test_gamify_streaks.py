"""Streaks: local calendar days, midnight, time zones and DST, with an explicit clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from gamify_helpers import at
from hypothesis import given
from hypothesis import strategies as st

from cxtrain.gamify import local_day, streak, zone


def local(text: str, tz: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def test_no_activity_no_streak():
    s = streak([], "Europe/Paris", at("2024-05-06 12:00"))
    assert (s.current, s.longest, s.active_today, s.last_day) == (0, 0, False, None)


def test_today_and_yesterday_keep_the_streak_alive():
    now = at("2024-05-06 12:00")
    today = streak([at("2024-05-06 08:00"), at("2024-05-05 08:00")], "UTC", now)
    assert (today.current, today.longest, today.active_today) == (2, 2, True)
    # at breakfast, yesterday's streak is still current and can be extended today
    yesterday = streak([at("2024-05-05 08:00"), at("2024-05-04 08:00")], "UTC", now)
    assert (yesterday.current, yesterday.active_today) == (2, False)


def test_a_missed_day_breaks_the_streak_but_keeps_the_longest():
    days = [at(f"2024-05-0{d} 08:00") for d in (1, 2, 3)]
    s = streak(days, "UTC", at("2024-05-05 00:00"))
    assert (s.current, s.longest, s.last_day) == (0, 3, date(2024, 5, 3))


def test_across_midnight_two_activities_an_hour_apart_are_two_days():
    tz = "Europe/Berlin"
    times = [local("2024-05-05 23:30", tz), local("2024-05-06 00:30", tz)]
    assert streak(times, tz, local("2024-05-06 09:00", tz)).current == 2
    # ...and two activities on either side of UTC midnight but the same Berlin day are one day
    same_day = [local("2024-05-06 01:30", tz), local("2024-05-06 22:30", tz)]
    assert streak(same_day, tz, local("2024-05-06 23:00", tz)).current == 1


def test_a_gap_in_utc_can_be_consecutive_days_in_auckland_and_los_angeles():
    # A gap of 36 hours: 12:00 UTC on 5 May and 00:30 UTC on 7 May.
    gap = [at("2024-05-05 12:00"), at("2024-05-07 00:30")]
    now = at("2024-05-07 01:00")
    # Auckland: 6 May 00:00 and 7 May 12:30 -> consecutive days
    assert streak(gap, "Pacific/Auckland", now).current == 2
    # Los Angeles: 5 May 05:00 and 6 May 17:30 -> consecutive days as well
    assert streak(gap, "America/Los_Angeles", now).current == 2
    # UTC: 5 May and 7 May -> broken (6 May missing)
    assert streak(gap, "UTC", now).current == 1


def test_same_instants_split_differently_auckland_vs_los_angeles():
    # 11:00 UTC on 6 May is 23:00 that day in Auckland and 04:00 in Los Angeles;
    # 13:00 UTC is 01:00 on 7 May in Auckland but still 6 May (06:00) in Los Angeles.
    times = [at("2024-05-06 11:00"), at("2024-05-06 13:00")]
    now = at("2024-05-06 14:00")
    assert streak(times, "Pacific/Auckland", now).current == 2
    assert streak(times, "America/Los_Angeles", now).current == 1


def test_daylight_saving_changes_do_not_break_a_daily_habit():
    for tz, first in (("America/New_York", date(2024, 3, 8)), ("Europe/London", date(2024, 10, 25))):
        # 00:30 local each day for six days across the change (a 23- and a 25-hour day)
        times = [
            datetime.combine(first + timedelta(days=i), datetime.min.time(), ZoneInfo(tz)).replace(minute=30)
            for i in range(6)
        ]
        now = times[-1] + timedelta(hours=20)
        s = streak(times, tz, now)
        assert (s.current, s.longest, s.active_today) == (6, 6, True), tz


def test_the_day_after_a_spring_forward_starts_on_time():
    tz = "America/New_York"
    # 10 March 2024 has 23 hours there; 23:30 local on the 10th is 03:30 UTC on the 11th.
    assert local_day(at("2024-03-11 03:30"), tz) == date(2024, 3, 10)
    assert local_day(at("2024-03-11 04:30"), tz) == date(2024, 3, 11)


def test_unknown_or_missing_zones_fall_back_to_utc():
    for name in ("Mars/Olympus_Mons", "", None, "../../etc/passwd", "UTC+3"):
        assert zone(name).utcoffset(datetime(2024, 1, 1)) == timedelta(0)
    assert streak([at("2024-05-06 23:30")], "Not/AZone", at("2024-05-07 00:10")).active_today is False


def test_naive_times_are_read_as_utc_and_future_activity_is_ignored():
    naive = datetime(2024, 5, 6, 8, 0)
    assert streak([naive], "UTC", at("2024-05-06 09:00")).active_today is True
    assert streak([at("2024-05-07 08:00")], "UTC", at("2024-05-06 09:00")).longest == 0


@given(
    st.sets(st.integers(min_value=0, max_value=60), max_size=40),
    st.sampled_from(["UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "Europe/London"]),
    st.integers(min_value=0, max_value=23),
)
def test_streak_matches_a_direct_count_of_local_days(day_offsets, tz, hour):
    start = date(2024, 1, 1)
    where = ZoneInfo(tz)
    times = [
        datetime.combine(start + timedelta(days=d), datetime.min.time(), where).replace(hour=hour) for d in day_offsets
    ]
    now = datetime.combine(start + timedelta(days=60), datetime.min.time(), where).replace(hour=23, minute=59)
    s = streak(times, tz, now)
    assert s.current <= s.longest
    today = 60
    run, d = 0, today if today in day_offsets else today - 1
    while d in day_offsets:
        run, d = run + 1, d - 1
    assert s.current == run
    assert s.active_today == (today in day_offsets)
    longest, current_run = 0, 0
    for d in range(61):
        current_run = current_run + 1 if d in day_offsets else 0
        longest = max(longest, current_run)
    assert s.longest == longest
    assert s.current == streak([t.astimezone(UTC) for t in times], tz, now).current
