"""XP and levels inside a course, by the same rules as the service (``cxtrain.gamify``).

Kept behind these two functions so the block has one place where it meets the
rules: a finish pays only the improvement on the learner's best result for this
block (replaying never farms XP), and the level comes from the default curve.
"""

from __future__ import annotations

from cxtrain.gamify import Level, level_for, xp_for_finish


def xp_earned(module_xp: int, score: float, already_earned: int) -> int:
    """XP a finished attempt adds, given what this block has already paid the learner."""
    return xp_for_finish(module_xp, score, already_earned)


def level(xp: int) -> Level:
    """The learner's level (number, name, next threshold) for their XP across all cxtrain blocks."""
    return level_for(xp)
