"""Gamification rules: XP, levels, badges, streaks, daily practice, leaderboards, team insight.

Pure functions over plain data. Nothing here reads a clock, a database or a request:
the Flask service and the XBlock each build the inputs from their own storage
(see :mod:`cxtrain.gamify.records`) and pass ``now`` explicitly, so every rule can be
tested at any moment in any time zone. docs/gamification.md explains the rules.
"""

from .badgefile import badges_file_for, default_badges_path, lint_badges, load_badges, load_badges_text
from .badges import Badge, BadgeContext, Rule, badges_earned, holds, new_badges
from .insight import AttemptOutcome, Coverage, RoleStats, WeakWheel, outcome_of, role_coverage, weak_wheel
from .leaderboard import (
    DEFAULT_VISIBILITY,
    VISIBILITIES,
    Board,
    BoardRow,
    Label,
    LeaderEntry,
    in_period,
    period_xp,
    rank,
    team_board,
    week_start,
)
from .levels import DEFAULT_CURVE, Level, LevelCurve, level_for, level_up
from .openbadges import badge_class, badge_svg, issuer, open_badge_assertion
from .practice import (
    DAILY_LIMIT,
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
from .records import Catalog, FinishedAttempt
from .streaks import Streak, local_day, streak, zone
from .xp import PRACTICE_DAILY_CAP, PRACTICE_XP, practice_xp, round_half_up, xp_for_finish

__all__ = [
    "DAILY_LIMIT",
    "DEFAULT_CURVE",
    "DEFAULT_VISIBILITY",
    "INTERVALS",
    "PRACTICE_DAILY_CAP",
    "PRACTICE_XP",
    "VISIBILITIES",
    "AttemptOutcome",
    "Badge",
    "BadgeContext",
    "Board",
    "BoardRow",
    "Catalog",
    "Coverage",
    "FinishedAttempt",
    "Label",
    "LeaderEntry",
    "Level",
    "LevelCurve",
    "PracticeItem",
    "RoleStats",
    "Rule",
    "Streak",
    "WeakWheel",
    "answer_feedback",
    "badge_class",
    "badge_svg",
    "badges_earned",
    "badges_file_for",
    "default_badges_path",
    "due_items",
    "holds",
    "in_period",
    "is_correct",
    "issuer",
    "items_from_attempt",
    "level_for",
    "level_up",
    "lint_badges",
    "load_badges",
    "load_badges_text",
    "local_day",
    "missed_decisions",
    "new_badges",
    "open_badge_assertion",
    "outcome_of",
    "period_xp",
    "practice_question",
    "practice_xp",
    "rank",
    "role_coverage",
    "round_half_up",
    "schedule_after",
    "streak",
    "team_board",
    "weak_wheel",
    "week_start",
    "xp_for_finish",
    "zone",
]
