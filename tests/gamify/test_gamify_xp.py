"""XP: rounding, replays paying only for improvement, the practice cap."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxtrain.gamify import practice_xp, round_half_up, xp_for_finish
from cxtrain.gamify.xp import PRACTICE_DAILY_CAP, PRACTICE_XP, score_xp

scores = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_halves_round_up_not_to_even():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 3.5, 2.4999)] == [1, 2, 3, 4, 2]
    # 0.35 * 50 is 17.499999999999996 in floating point; a person computes 17.5 and expects 18.
    assert round_half_up(0.35 * 50) == 18


def test_first_finish_pays_the_score_share_of_the_module():
    assert xp_for_finish(60, 0.5, 0) == 30
    assert xp_for_finish(60, 1.0, 0) == 60
    assert xp_for_finish(60, 0.0, 0) == 0


def test_replay_pays_only_the_improvement():
    first = xp_for_finish(60, 0.5, 0)
    assert xp_for_finish(60, 0.4, first) == 0
    assert xp_for_finish(60, 0.5, first) == 0
    assert xp_for_finish(60, 0.75, first) == 15


def test_out_of_range_scores_are_clamped():
    assert xp_for_finish(60, 1.7, 0) == 60
    assert xp_for_finish(60, -1.0, 0) == 0
    assert xp_for_finish(60, 0.5, -100) == 30


@given(st.integers(min_value=0, max_value=10_000), st.lists(scores, max_size=30))
def test_no_sequence_of_replays_earns_more_than_the_module(module_xp, finishes):
    earned = 0
    for score in finishes:
        gained = xp_for_finish(module_xp, score, earned)
        assert gained >= 0
        earned += gained
    assert earned <= module_xp
    # and what was earned is exactly what the best finish is worth
    assert earned == (max((score_xp(module_xp, s) for s in finishes), default=0))


def test_practice_pays_a_little_for_right_answers_only():
    assert practice_xp(True, 0) == PRACTICE_XP
    assert practice_xp(False, 0) == 0


@given(st.lists(st.booleans(), max_size=50))
def test_practice_xp_never_passes_the_daily_cap(answers):
    today = 0
    for correct in answers:
        today += practice_xp(correct, today)
    assert today <= PRACTICE_DAILY_CAP
    assert today == min(PRACTICE_DAILY_CAP, PRACTICE_XP * sum(answers))
