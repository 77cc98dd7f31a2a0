"""The block's side of Open edX grading: ``ScorableXBlockMixin``, so the platform can rescore and override.

The gradebook is the platform's (the ``grade`` events it received), so the block
persists every score it publishes, and ``get_score`` answers with exactly that:
after a rescore with ``only_if_higher`` or a staff override it can differ from
what the grading policy would give for the stored attempts, and code that reads
``get_score`` (rescoring, overrides, blocks that sum their children) must see the
gradebook's value, not a fresh calculation.
"""

from __future__ import annotations

from typing import Any

from xblock.scorable import ScorableXBlockMixin, Score

from . import scoring

MAX_RAW = 1.0
"""Scores are 0..1; the platform scales them by the block's ``weight``."""


class GradingMixin(ScorableXBlockMixin):
    """The scorable contract over the block's fields (declared on ScenarioBlock)."""

    # Declared on ScenarioBlock; listed here for readers and type checkers.
    scores: list[float]
    grading_policy: str
    raw_earned: float | None
    raw_possible: float
    runtime: Any

    def max_score(self) -> float:
        """The raw maximum; the platform scales grades by ``weight``."""
        return MAX_RAW

    def has_submitted_answer(self) -> bool:
        """A finished attempt exists: only a finished attempt has a score to grade again."""
        return bool(self.scores)

    def get_score(self) -> Score:
        """The score last persisted (published, rescored or overridden); never recalculated."""
        if self.raw_earned is not None:
            return Score(raw_earned=self.raw_earned, raw_possible=self.raw_possible)
        if self.scores:
            # Attempts finished before the block persisted its score (an older release):
            # the grade it published then is what the policy gives for the same scores.
            return self.calculate_score()
        return Score(raw_earned=0.0, raw_possible=MAX_RAW)

    def set_score(self, score: Score) -> None:
        """Persist ``score`` as given: a staff override sends ``raw_possible`` scaled by the weight."""
        self.raw_earned = float(score.raw_earned)
        self.raw_possible = float(score.raw_possible)

    def calculate_score(self) -> Score:
        """The score under the current grading policy from the stored attempt scores; changes nothing."""
        value = scoring.policy_score(self.grading_policy, self.scores)
        return Score(raw_earned=0.0 if value is None else value, raw_possible=MAX_RAW)

    def graded_fraction(self) -> float | None:
        """The persisted score as 0..1, for the learner's view; None before any grade."""
        if self.raw_earned is None and not self.scores:
            return None
        return scoring.fraction(*self.get_score())

    def publish_grade(self, score: Score | None = None, only_if_higher: bool | None = None) -> None:
        """Publish ``score``, or the persisted one: edx-platform's score override calls this after ``set_score``."""
        self._publish_grade(score if score is not None else self.get_score(), only_if_higher)

    def _publish_grade(self, score: Score, only_if_higher: bool | None = None) -> None:
        # Every grade goes through here (a finish, a rescore, an override), so what the block
        # persists cannot drift from what the gradebook received. With only_if_higher the
        # platform keeps its grade when the new one is lower, and so does the block.
        keep = (
            only_if_higher
            and self.raw_earned is not None
            and scoring.fraction(*score) < scoring.fraction(self.raw_earned, self.raw_possible)
        )
        if not keep:
            self.set_score(score)
        super()._publish_grade(score, only_if_higher)
