"""A marker for strings that are translated later, where they are shown (see docs/openedx.md, "Translations")."""

from __future__ import annotations


# The extraction command passes ``-k _noop``: marked strings reach the catalogue even though
# the runtime's gettext is not at hand where they are defined (field metadata, level names).
def _noop(text: str) -> str:
    return text
