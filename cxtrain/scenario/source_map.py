"""Where things are in a trainer's file: the line and column of every key and value.

The YAML loader fills a :class:`SourceMap` while it builds the data; the schema errors,
the reference checks and lint read it to point every finding at the line to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]

# YAML's line breaks, so that our line numbers agree with PyYAML's marks.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class TrailingComment:
    """A comment right after a plain (unquoted) text: on the same line as its end, or on its own
    line below it, indented as if it went on with the text.

    YAML drops it silently; lint decides whether it was meant as more of the text.
    """

    line: int
    column: int
    kept: str
    """The text as YAML read it, up to the comment."""
    gap: str
    """The blanks between the end of the text and the '#' ("\\n" for a comment on a line of its own)."""
    text: str
    """The comment from its '#' to the end of the line, trailing blanks removed."""
    own_line: bool = False
    """The '#' starts a line below the text, indented deeper than the text's key."""


@dataclass(slots=True)
class SourceMap:
    """Line and column (both 1-based) of every value and every mapping key in a file."""

    path: str
    # Marks are kept as PyYAML gives them (0-based) and converted when asked for:
    # most positions of a valid file are never looked up.
    values: dict[Path, Any] = field(default_factory=dict)
    keys: dict[Path, Any] = field(default_factory=dict)
    quoted: set[Path] = field(default_factory=set)
    comments: dict[Path, TrailingComment] = field(default_factory=dict)
    """Comments that follow a plain text value (see :class:`TrailingComment`), by the value's path."""
    text: str = ""
    """The file itself, for messages that quote a line back to the trainer."""

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) of the file, or "" past its end."""
        lines = source_lines(self.text)
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def at(self, path: Path) -> tuple[int, int]:
        """Where the value at ``path`` starts, or the nearest enclosing value."""
        while path:
            if path in self.values:
                return position(self.values[path])
            path = path[:-1]
        return position(self.values[()]) if () in self.values else (1, 1)

    def text_at(self, path: Path) -> tuple[int, int]:
        """Where the text of the value at ``path`` starts: inside its quotes, if it has them."""
        line, col = self.at(path)
        return (line, col + 1) if path in self.quoted else (line, col)

    def key_at(self, path: Path) -> tuple[int, int]:
        """Where the key naming ``path`` is written, falling back to its value."""
        mark = self.keys.get(path)
        return position(mark) if mark is not None else self.at(path)


def position(mark: Any) -> tuple[int, int]:
    """(line, column), 1-based, of a PyYAML mark (which counts from 0)."""
    return mark.line + 1, mark.column + 1


def source_lines(text: str) -> list[str]:
    """The lines of a file as YAML counts them: line N of a finding is ``source_lines(text)[N - 1]``."""
    lines = LINE_BREAK.split(text)
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def quote_text(value: str) -> str:
    """``value`` as a quoted YAML text, the way a trainer would type it in a fix."""
    # Single quotes spare the trainer escaping a '"'; in double quotes only '\\' needs escaping.
    return "'" + value.replace("'", "''") + "'" if '"' in value else '"' + value.replace("\\", "\\\\") + '"'
