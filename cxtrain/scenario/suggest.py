"""Did-you-mean hints for misspelt keys, node ids, meters and flags."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``word`` most likely misspells: a close match, or the same letters swapped
    round (``di`` for ``id``, which is too short for a close match)."""
    names = sorted(set(candidates))
    matches = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    return next((name for name in names if sorted(name) == sorted(word) and name != word), None)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    match = closest(word, candidates)
    return f" Did you mean '{match}'?" if match else ""


def one_of(candidates: Iterable[str], limit: int = 8) -> str:
    """A short readable list of the allowed names, for messages."""
    names = sorted(set(candidates))
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")
