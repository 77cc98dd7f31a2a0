"""Experience points: what finishing a module or answering a practice question earns.

The rule that matters is anti-farming: a module pays out at most its own value, in
total, however often it is replayed. Each finish pays only the improvement on the
best result so far, so a learner is rewarded for getting better, never for grinding.
"""

from __future__ import annotations

import math

PRACTICE_XP = 2
"""XP for a correct daily-practice answer. Small on purpose: practice keeps a streak and
a skill alive; it should not out-earn playing a new module (a 6-minute module is 60 XP)."""

PRACTICE_DAILY_CAP = 10
"""Most practice XP a learner can earn in one day (five correct answers)."""


def round_half_up(value: float) -> int:
    """Round to the nearest whole number, halves away from zero for positives (2.5 -> 3).

    Python's ``round`` rounds halves to even (2.5 -> 2, 3.5 -> 4), which looks arbitrary
    to a learner comparing two finishes. We first drop float noise below 1e-9 so that
    ``0.35 * 50`` (17.499999999999996) counts as the 17.5 a person would compute.
    """
    return math.floor(round(value, 9) + 0.5)


def score_xp(module_xp: int, score: float) -> int:
    """What a finish with ``score`` is worth on its own: ``round(module_xp * score)``.

    The score is clamped to 0..1 so that a bad input can never pay more than the module.
    """
    clamped = min(1.0, max(0.0, score))
    return round_half_up(module_xp * clamped)


def xp_for_finish(module_xp: int, score: float, already_earned: int) -> int:
    """XP a finished attempt earns: ``max(0, round(module_xp * score) - already_earned)``.

    ``already_earned`` is what the learner has earned on this module so far (the sum of
    earlier finishes' XP, which by this rule equals their best finish's worth). Replaying
    pays only for improvement; the sum over any sequence of finishes is at most ``module_xp``.
    """
    return max(0, score_xp(module_xp, score) - max(0, already_earned))


def practice_xp(
    correct: bool, earned_today: int, per_answer: int = PRACTICE_XP, daily_cap: int = PRACTICE_DAILY_CAP
) -> int:
    """XP for one practice answer: ``per_answer`` when correct, never past ``daily_cap`` a day.

    ``earned_today`` is the practice XP the learner already has today (in their time zone).
    A wrong answer earns nothing but still counts as activity for the streak.
    """
    if not correct:
        return 0
    return max(0, min(per_answer, daily_cap - max(0, earned_today)))
