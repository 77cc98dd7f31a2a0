"""Daily practice: misses become items, spaced 1, 3, 7, 14 days; wrong answers start over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from gamify_helpers import at
from hypothesis import given
from hypothesis import strategies as st

from cxtrain.gamify import (
    INTERVALS,
    PracticeItem,
    answer_feedback,
    due_items,
    is_correct,
    items_from_attempt,
    missed_decisions,
    practice_question,
    schedule_after,
)
from cxtrain.gamify.practice import MissedDecision


def item(due: str = "2024-05-07 00:00", index: int = 0, node: str = "a", module: str = "t") -> PracticeItem:
    return PracticeItem(module, node, "help", "wait", ("help", "wait"), at(due), index)


def test_missed_decisions_come_from_the_grading_rule_with_the_options_on_offer(fork):
    # 'wait' misses at a; at b 'tell' (+10 employee) is best once 'thank' is hidden
    missed = missed_decisions(fork, [("a", "wait"), ("b", "hide")])
    assert missed == [
        MissedDecision("a", "wait", "help", ("help", "wait")),
        MissedDecision("b", "hide", "tell", ("tell", "hide")),
    ]
    # after 'help', 'thank' is on offer at b, and the options say so
    assert missed_decisions(fork, [("a", "help"), ("b", "hide")])[0].options == ("tell", "hide", "thank")
    assert missed_decisions(fork, [("a", "help"), ("b", "tell")]) == []


def test_a_miss_is_due_at_the_start_of_the_next_local_day(fork):
    now = at("2024-05-06 21:00")  # 23:00 in Paris, 07:00 on the 7th in Auckland
    missed = missed_decisions(fork, [("a", "wait"), ("b", "tell")])
    paris = items_from_attempt("t", missed, [], now, "Europe/Paris")
    assert [(i.node_id, i.due_at) for i in paris] == [("a", datetime(2024, 5, 7, tzinfo=ZoneInfo("Europe/Paris")))]
    auckland = items_from_attempt("t", missed, [], now, "Pacific/Auckland")
    assert auckland[0].due_at == datetime(2024, 5, 8, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert paris[0].due_at.tzinfo is UTC


def test_a_decision_missed_again_is_reset_not_duplicated(fork):
    missed = missed_decisions(fork, [("a", "wait"), ("b", "tell")])
    first = items_from_attempt("t", missed, [], at("2024-05-01 10:00"))
    advanced = [schedule_after(first[0], True, at("2024-05-02 10:00"))]
    assert advanced[0].interval_index == 1
    again = items_from_attempt("t", missed, advanced, at("2024-05-03 10:00"))
    assert len(again) == 1
    assert (again[0].interval_index, again[0].due_at, again[0].wrong_count) == (0, at("2024-05-04 00:00"), 1)


def test_single_option_decisions_are_not_practised():
    only = [MissedDecision("x", "a", "b", ("a",))]
    assert items_from_attempt("t", only, [], at("2024-05-01 10:00")) == []


def test_spacing_follows_1_3_7_14_days_then_learned():
    now = at("2024-05-01 10:00")
    current = item(due="2024-05-02 00:00")
    seen = []
    for _ in INTERVALS:
        current = schedule_after(current, True, now)
        seen.append((current.due_at - at("2024-05-01 00:00")).days if not current.learned else "learned")
    assert seen == [3, 7, 14, "learned"]
    assert current.correct_count == 4
    assert due_items([current], now + timedelta(days=365)) == []


def test_a_wrong_answer_comes_back_tomorrow():
    far = item(index=3)
    wrong = schedule_after(far, False, at("2024-05-10 15:00"))
    assert (wrong.interval_index, wrong.due_at, wrong.wrong_count) == (0, at("2024-05-11 00:00"), 1)


def test_due_items_are_the_overdue_ones_oldest_first_within_the_limit():
    items = [
        item("2024-05-03 00:00", node="c"),
        item("2024-05-01 00:00", node="a"),
        item("2024-05-09 00:00", node="z"),
        item("2024-05-02 00:00", node="b"),
    ]
    now = at("2024-05-03 00:00")
    assert [i.node_id for i in due_items(items, now)] == ["a", "b", "c"]
    assert [i.node_id for i in due_items(items, now, limit=2)] == ["a", "b"]
    assert due_items(items, at("2024-04-30 23:59")) == []


@given(st.lists(st.booleans(), min_size=1, max_size=20))
def test_spacing_properties(answers):
    now = at("2024-01-01 12:00")
    current = item()
    for correct in answers:
        previous = current
        current = schedule_after(current, correct, now, "America/New_York")
        if current.learned:
            assert correct and previous.interval_index == len(INTERVALS) - 1
            break
        gap = current.due_at - now
        local = current.due_at.astimezone(ZoneInfo("America/New_York"))
        assert (local.hour, local.minute) == (0, 0)  # always the start of a local day
        assert (
            timedelta(days=INTERVALS[current.interval_index] - 1)
            < gap
            <= timedelta(days=INTERVALS[current.interval_index])
        )
        assert current.interval_index == (previous.interval_index + 1 if correct else 0)
        now = current.due_at + timedelta(hours=9)


def test_the_question_is_out_of_context_and_hides_the_answer(fork):
    missed = missed_decisions(fork, [("a", "wait"), ("b", "hide")])
    b_item = items_from_attempt("t", missed, [], at("2024-05-01 10:00"))[1]
    question = practice_question(fork, b_item)
    assert question["text"] == "The form is late."
    assert [c["id"] for c in question["choices"]] == ["tell", "hide"]  # 'thank' was not on offer
    assert "best" not in question and "path" not in question
    assert is_correct(b_item, "tell") and not is_correct(b_item, "hide")
    feedback = answer_feedback(fork, b_item, "hide")
    assert (feedback["correct"], feedback["best"], feedback["best_text"]) == (False, "tell", "Tell the team")
    # Pages mark the module's text with its language; this one does not say it.
    assert question["language"] is None and feedback["language"] is None


def test_an_item_whose_node_changed_is_dropped(fork):
    assert practice_question(fork, item(node="gone")) is None
    assert practice_question(fork, item(node="end")) is None
    stale = PracticeItem("t", "a", "renamed", "wait", ("renamed", "wait"), at("2024-05-01 00:00"))
    assert practice_question(fork, stale) is None


def test_items_survive_a_json_round_trip():
    original = schedule_after(item(), True, at("2024-05-01 10:00"), "Asia/Tokyo")
    assert PracticeItem.from_dict(original.as_dict()) == original


def test_due_time_on_a_day_whose_midnight_does_not_exist():
    # Chile moves its clocks from 24:00 on 7 September 2024 straight to 01:00 on the 8th.
    answered = at("2024-09-07 15:00")
    due = schedule_after(item(), False, answered, "America/Santiago").due_at
    assert due.astimezone(ZoneInfo("America/Santiago")).date().isoformat() == "2024-09-08"
    assert due == at("2024-09-08 04:00")
