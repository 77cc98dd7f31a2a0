"""Attempts and the grading policy: which finished attempt's score counts.

Pure functions over the block's stored fields, so that the policy can be tested
without a runtime and the handlers stay a thin translation of request to result.
"""

from __future__ import annotations

from collections.abc import Sequence

BEST = "best"
LAST = "last"
POLICIES = (BEST, LAST)


def policy_score(policy: str, scores: Sequence[float]) -> float | None:
    """The score that counts under ``policy``: the highest, or the most recent; None before any."""
    if not scores:
        return None
    if policy == LAST:
        return float(scores[-1])
    return float(max(scores))


def fraction(earned: float, possible: float) -> float:
    """``earned`` out of ``possible`` as 0..1, the way the gradebook compares scores of any scale."""
    if possible <= 0:
        return 0.0
    return float(earned) / float(possible)


def attempts_left(max_attempts: int | None, started: int) -> int | None:
    """How many more attempts may start; None means unlimited (``max_attempts`` 0 or unset)."""
    if not max_attempts or max_attempts <= 0:
        return None
    return max(0, max_attempts - started)


def may_start(max_attempts: int | None, started: int) -> bool:
    left = attempts_left(max_attempts, started)
    return left is None or left > 0
