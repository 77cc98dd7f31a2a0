"""Helpers shared by the gamify tests: aware UTC times and finished attempts."""

from __future__ import annotations

from datetime import UTC, datetime

from cxtrain.gamify import FinishedAttempt


def at(text: str) -> datetime:
    """An aware UTC datetime from '2024-03-10 08:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def finish(module_id: str, role: str, score: float, when: str = "2024-05-06 09:00", pass_score: float = 0.7):
    return FinishedAttempt(module_id, role, score, score >= pass_score, at(when))
