"""XP and levels inside a course: one small rule, kept apart so it can be swapped.

The real rules will live in ``cxtrain.gamify`` (shared with the service); until
then a block earns ``round(module XP × best score)``, where a module's XP is its
own ``xp`` key or ten points a minute, and levels follow a triangular curve so
each level needs a little more than the one before.
"""

from __future__ import annotations

import math

LEVEL_STEP = 100
"""XP from level 1 to level 2; level n to n+1 needs n times this."""


def xp_for(module_xp: int, best_score: float) -> int:
    """XP a block is worth to a learner whose best score on it is ``best_score`` (0..1)."""
    return round(module_xp * max(0.0, min(1.0, best_score)))


def level_for(xp: int) -> int:
    """Level 1 from 0 XP, then 100, 300, 600, 1000 … XP for levels 2, 3, 4, 5 …"""
    # Threshold of level n is STEP * n(n-1)/2; invert the triangular number and floor it.
    n = (1 + math.sqrt(1 + 8 * max(0, xp) / LEVEL_STEP)) / 2
    return max(1, math.floor(n + 1e-9))


def next_level_xp(xp: int) -> int:
    """XP needed to reach the level after the one ``xp`` gives."""
    level = level_for(xp)
    return LEVEL_STEP * level * (level + 1) // 2
