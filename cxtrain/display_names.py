"""What a person's name or team may hold, wherever it comes in (profile, admin page, command line,
CSV import) and wherever colleagues see it (boards, team pages, exports).

Pure: the store checks new names with it and the pages decide with it whether a name can be shown.
"""

from __future__ import annotations

import unicodedata

# "@" and its full-width and small forms, which read as one on a page.
AT_SIGNS = frozenset("@\uff20\ufe6b")
# Line and paragraph separators, and the bidirectional overrides and isolates that can make a
# name read as something else in a list (U+202E turns what follows around).
INVISIBLE_CONTROLS = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def looks_like_email(name: str) -> bool:
    """Whether ``name`` holds an at sign: colleagues must never be shown an address."""
    return any(c in AT_SIGNS for c in name)


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a line break, a tab or another control character, which would forge
    a line of a listing or turn a name around."""
    return any(unicodedata.category(c) == "Cc" or c in INVISIBLE_CONTROLS for c in text)


def shows_as_name(name: str) -> bool:
    """Whether ``name`` may be shown as a person's name (otherwise a page falls back to their role)."""
    return bool(name.strip()) and not looks_like_email(name) and not has_control_characters(name)
