"""Did-you-mean hints for misspelt keys, node ids, meters and flags."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest candidate, or ``""``."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""


def one_of(candidates: Iterable[str], limit: int = 8) -> str:
    """A short readable list of the allowed names, for messages."""
    names = sorted(set(candidates))
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")
