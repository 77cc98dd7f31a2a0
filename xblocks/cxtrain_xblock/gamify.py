"""XP and levels inside a course, by the same rules as the service (``cxtrain.gamify``).

Kept behind these two functions so the block has one place where it meets the
rules: a finish pays only the improvement on the learner's best result for this
block (replaying never farms XP), and the level comes from the default curve.
"""

from __future__ import annotations

from cxtrain.gamify import Level, level_for, xp_for_finish

from .i18n import _noop

# The default curve's names (cxtrain.gamify.LEVEL_NAMES), marked so that they reach this
# package's catalogue: the view translates a level's name when it shows it, and the
# extractor only reads this package. tests/xblock checks that both lists stay the same.
LEVEL_NAMES: tuple[str, ...] = (
    _noop("Listener"),
    _noop("Helper"),
    _noop("Problem Solver"),
    _noop("Advocate"),
    _noop("Connector"),
    _noop("Champion"),
    _noop("Role Model"),
    _noop("Culture Carrier"),
)


def xp_earned(module_xp: int, score: float, already_earned: int) -> int:
    """XP a finished attempt adds, given what this block has already paid the learner."""
    return xp_for_finish(module_xp, score, already_earned)


def level(xp: int) -> Level:
    """The learner's level (number, name, next threshold) for their XP across all cxtrain blocks."""
    return level_for(xp)
