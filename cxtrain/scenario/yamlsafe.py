"""Safe YAML loading that remembers where every key and value came from.

PyYAML's composer gives a node tree with marks; we build plain Python data from
it ourselves so that we can refuse what a trainer's file should never contain
(duplicate keys, Python tags, runaway aliases) and keep a line and column for
every key and value, which lint and the schema errors point at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ._gc import paused_gc
from .findings import Finding, ScenarioError

Path = tuple[str | int, ...]

MAX_BYTES = 4 * 1024 * 1024
"""Largest file we read. A hand-written module is a few kilobytes; 4 MiB leaves room for
generated modules of ten thousand nodes while keeping a hostile upload cheap to refuse."""

ALIAS_BUDGET = 10_000
"""How many nodes alias references may add in total. Real files reuse an anchor a few
times; the "billion laughs" file needs billions, and stops here within milliseconds."""

MAX_DEPTH = 50
"""How deeply lists and mappings may nest. A module needs seven levels (module, nodes, node,
choices, choice, effects, value). PyYAML's C composer recurses on the C stack, so a file of
nested brackets must be refused long before it could overflow a small thread's stack and
take the whole process down."""

MAX_NUMBER_CHARS = 100
"""Longest integer we convert. Python refuses to read integers of more than 4,300 digits
(and slows down well before); no value in a module needs more than a few."""

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("nesting too deep")
        self.mark = mark


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The C loader with tag resolution memoised.

    Resolving a plain scalar runs a list of regular expressions in Python for every
    value; a module repeats the same keys and values thousands of times, so a
    per-document memo saves most of the parse time of a large file. Safe because the
    safe resolver has no path-dependent rules.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._resolved: dict[tuple[Any, Any, Any], str] = {}
        self._depth = 0

    # The composer calls these two around every node it builds, C composer included: the
    # only place to stop a runaway nesting before its recursion exhausts the stack. We use
    # no path resolvers, so the base class has nothing else to do here.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep(current_node.start_mark if current_node is not None else None)

    def ascend_resolver(self) -> None:
        self._depth -= 1

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        key = (kind, value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) < 50_000:
                self._resolved[key] = tag
        return tag


_TAG = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR, _INT, _BOOL, _NULL = (f"{_TAG}{t}" for t in ("map", "seq", "str", "int", "bool", "null"))
_SCALAR_TAGS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_YAML12_BOOLS = {"true", "false"}
_QUOTES = ("'", '"')


@dataclass(frozen=True, slots=True)
class TrailingComment:
    """A comment written on the same line as the end of a plain (unquoted) text.

    YAML drops it silently; lint decides whether it was meant as more of the text.
    """

    line: int
    column: int
    kept: str
    """The text as YAML read it, up to the comment."""
    gap: str
    """The blanks between the end of the text and the '#'."""
    text: str
    """The comment from its '#' to the end of the line, trailing blanks removed."""


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
    """Comments that follow a plain text value on its last line, by the value's path."""
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
                return _position(self.values[path])
            path = path[:-1]
        return _position(self.values[()]) if () in self.values else (1, 1)

    def text_at(self, path: Path) -> tuple[int, int]:
        """Where the text of the value at ``path`` starts: inside its quotes, if it has them."""
        line, col = self.at(path)
        return (line, col + 1) if path in self.quoted else (line, col)

    def key_at(self, path: Path) -> tuple[int, int]:
        """Where the key naming ``path`` is written, falling back to its value."""
        mark = self.keys.get(path)
        return _position(mark) if mark is not None else self.at(path)


def _position(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


# Blanks and a '#' right after a plain scalar: YAML ends the text there and reads a comment.
_COMMENT_AFTER = re.compile(r"([ \t]+)(#.*?)[ \t]*$")


class _Builder:
    def __init__(self, source: SourceMap, lines: list[str] | None = None) -> None:
        self.source = source
        self.lines = lines
        self.findings: list[Finding] = []
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.alias_nodes = 0
        self.scalars = yaml.constructor.SafeConstructor()

    def error(self, where: tuple[int, int], code: str, message: str) -> None:
        self.findings.append(Finding(self.source.path, where[0], where[1], "error", code, message))

    def build(self, node: yaml.Node, path: Path) -> Any:
        ident = id(node)
        if ident in self.active:
            self.error(_mark(node), "yaml-alias", "An alias refers to itself. Remove the recursive alias.")
            raise _Abort
        if ident in self.seen:
            self.alias_nodes += 1
            if self.alias_nodes > ALIAS_BUDGET:
                self.error(
                    _mark(node),
                    "yaml-alias",
                    f"Aliases expand to more than {ALIAS_BUDGET} nodes. "
                    "Write the repeated parts out, or use fewer nested aliases.",
                )
                raise _Abort
        if len(path) >= MAX_DEPTH:  # aliases can stack nodes deeper than the file itself does
            self.error(_mark(node), "yaml-depth", _TOO_DEEP)
            raise _Abort
        self.seen.add(ident)
        self.source.values[path] = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            if node.style in _QUOTES:
                self.source.quoted.add(path)
            return self.scalar(node, path)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.unsafe(node, path)
            self.active.add(ident)
            items = [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            self.active.discard(ident)
            return items
        self.unsafe(node, path)

    def unsafe(self, node: yaml.Node, path: Path = ()) -> None:
        tag = str(node.tag)
        hint = "remove the tag."
        # A single '!' is also what a trainer types for "not" or at the start of a text.
        if tag.startswith("!") and not tag.startswith("!!") and len(tag) > 1:
            word = tag[1:] + (f" {node.value}" if isinstance(node, yaml.ScalarNode) and node.value else "")
            if path and path[-1] == "when":
                hint = f"to say 'not', write: when: not {word}"
            else:
                hint = f"if this is text starting with '!', put it in quotes: \"!{word}\""
        self.error(
            _mark(node),
            "yaml-tag",
            f"The tag '{tag}' is not allowed: modules hold plain text, numbers, lists and mappings only. "
            f"{hint[0].upper()}{hint[1:]}",
        )
        raise _Abort

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        if node.tag != _MAP:
            self.unsafe(node, path)
        ident = id(node)
        self.active.add(ident)
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_TAG}merge":
                self.error(
                    _mark(key_node),
                    "yaml-merge",
                    "Merge keys ('<<') are not supported. Write the keys out.",
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(_mark(key_node), "yaml-key", "A key must be plain text, not a list or mapping.")
                continue
            # Keys are always names in our format: keep the text as written so that a node
            # called `no` or `1` stays the string "no" or "1".
            key = str(key_node.value)
            if key in result:
                where = _mark(key_node)
                self.error(
                    where,
                    "duplicate-key",
                    f"The key '{key}' appears twice in this mapping (first on line "
                    f"{first_seen[key]}). Remove or rename one of them.",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.source.keys[(*path, key)] = key_node.start_mark
            result[key] = self.build(value_node, (*path, key))
        self.active.discard(ident)
        return result

    def scalar(self, node: yaml.Node, path: Path) -> Any:
        tag = node.tag
        if tag == _STR:
            # The C composer marks a plain scalar with '', the Python one with None.
            if not node.style and self.lines is not None:
                self.note_comment(node, path, self.lines)
            return node.value
        if tag == _INT and len(node.value) > MAX_NUMBER_CHARS:
            self.error(
                _mark(node),
                "out-of-range",
                f"This number is {len(node.value):,} characters long; no value in a module needs "
                "more than a few digits. Check it for a typo.",
            )
            return None
        if tag == _INT and node.value.isdigit():
            return int(node.value)
        if tag == _NULL:
            return None
        if node.tag not in _SCALAR_TAGS:
            self.unsafe(node, path)
        if node.tag == f"{_TAG}timestamp":
            return node.value  # a date in a text is text, not a datetime
        # YAML 1.1 reads yes/no/on/off as booleans; trainers mean the words.
        if node.tag == f"{_TAG}bool" and node.value.lower() not in _YAML12_BOOLS:
            return node.value
        return self.scalars.construct_object(node)

    def note_comment(self, node: yaml.Node, path: Path, lines: list[str]) -> None:
        end = node.end_mark
        if end.line >= len(lines):
            return
        found = _COMMENT_AFTER.match(lines[end.line], end.column)
        if found is not None:
            column = end.column + len(found[1]) + 1
            self.source.comments[path] = TrailingComment(end.line + 1, column, node.value, found[1], found[2])


class _Abort(Exception):
    pass


_TOO_DEEP = (
    f"Lists and mappings nest more than {MAX_DEPTH} levels deep here; a module needs about 7. "
    "Look for a '[' or '{' that is never closed, or lines indented further and further."
)


def load_yaml(text: str | bytes, path: str = "<text>", max_bytes: int = MAX_BYTES) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data plus a :class:`SourceMap`.

    Raises :class:`ScenarioError` with a finding that points at the problem.
    """
    source = SourceMap(path)
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > max_bytes:
        raise ScenarioError(
            [
                Finding(
                    path,
                    1,
                    1,
                    "error",
                    "file-too-large",
                    f"The file is {size:,} bytes; the limit is {max_bytes:,}. Split the module into smaller ones.",
                )
            ]
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError([_encoding_finding(text, exc, path)]) from None
    source.text = text
    with paused_gc():
        return _build(text, path, source)


def _encoding_finding(raw: bytes, exc: UnicodeDecodeError, path: str) -> Finding:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Finding(path, 1, 1, "error", "yaml-encoding", "The file is saved as UTF-16. Save it as UTF-8.")
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw.count(b"\n", 0, exc.start) + 1
    column = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
    return Finding(
        path,
        line,
        column,
        "error",
        "yaml-encoding",
        f"The file is not UTF-8: byte 0x{raw[exc.start]:02X} here comes from another encoding "
        "(often Windows-1252 or Latin-1, e.g. for 'é' or a curly quote). Save the file as UTF-8.",
    )


# YAML's line breaks, so that our line numbers agree with PyYAML's marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# What YAML accepts in a file (the YAML 1.1 printable set).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _control_character_finding(text: str, path: str) -> Finding:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return Finding(path, 1, 1, "error", "yaml-syntax", "The file holds a character YAML does not allow.")
    if text.count("\x00") > len(text) // 4:
        return Finding(path, 1, 1, "error", "yaml-encoding", "The file looks like UTF-16 text. Save it as UTF-8.")
    offset = found.start()
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    line = len(breaks) + 1
    column = offset - (breaks[-1].end() if breaks else 0) + 1
    return Finding(
        path,
        line,
        column,
        "error",
        "yaml-syntax",
        f"An invisible control character (U+{ord(found.group()):04X}) is here, and YAML does not allow "
        "it. Delete it; such characters usually come from pasting out of a word processor or PDF.",
    )


def _build(text: str, path: str, source: SourceMap) -> tuple[Any, SourceMap]:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except _TooDeep as exc:
        line, col = _position(exc.mark) if exc.mark is not None else (1, 1)
        raise ScenarioError([Finding(path, line, col, "error", "yaml-depth", _TOO_DEEP)]) from None
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError([_syntax_finding(exc, text, path)]) from None
    except yaml.reader.ReaderError:
        raise ScenarioError([_control_character_finding(text, path)]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Finding(path, 1, 1, "error", "yaml-syntax", f"YAML error: {exc}")]) from None
    if root is None:
        what = "is empty" if not text.strip() else "holds only comments"
        raise ScenarioError(
            [
                Finding(
                    path,
                    1,
                    1,
                    "error",
                    "empty-file",
                    f"The file {what}. A module starts with 'id: ...', 'title: ...' and 'role: ...' "
                    "(see the first module in the authoring guide).",
                )
            ]
        )
    # Most files have no comment at all; only those with a '#' need their lines to find one.
    # PyYAML does not count a byte-order mark in its columns, so neither may we.
    lines = source_lines(text.removeprefix("\ufeff")) if "#" in text else None
    builder = _Builder(source, lines)
    try:
        data = builder.build(root, ())
    except _Abort:
        data = None
    if builder.findings:
        raise ScenarioError(builder.findings)
    return data, source


# --- syntax errors: say what the trainer most likely did, at the line where they did it ---

_KEY_VALUE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[^\s#'\"\[\]{},:&*!|>%@`-][^:#]*?):[ \t]+(?P<value>\S.*?)\s*$"
)
_EXAMPLE = 'feedback: "Result: she leaves."'
_KEY_COLON = re.compile(r":(?:[ \t]|$)")


def source_lines(text: str) -> list[str]:
    """The lines of a file as YAML counts them: line N of a finding is ``source_lines(text)[N - 1]``."""
    lines = _LINE_BREAK.split(text)
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def _syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    diagnosis = _diagnose(exc, source_lines(text))
    if diagnosis is not None:
        line, col, message = diagnosis
    else:
        message = f"YAML syntax error: {problem}. {_syntax_hint(problem)}".rstrip()
    return Finding(path, line, col, "error", "yaml-syntax", message)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _quoted(line: str) -> str | None:
    """The line's 'key: value' with the value in quotes, as a fix to show; None if no value."""
    match = _KEY_VALUE.match(line)
    if match is None:
        return None
    value = match["value"]
    if len(value) > 50:
        value = value[:45].rstrip() + " …"
    return f"{match['key'].strip()}: {quote_text(value)}"


def quote_text(value: str) -> str:
    """``value`` as a quoted YAML text, the way a trainer would type it in a fix."""
    # Single quotes spare the trainer escaping a '"'; in double quotes only '\\' needs escaping.
    return "'" + value.replace("'", "''") + "'" if '"' in value else '"' + value.replace("\\", "\\\\") + '"'


def _quote_it(line: str) -> str:
    example = _quoted(line)
    return f"Put the whole text in quotes: {example}" if example else "Put the whole text in quotes."


def _diagnose(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str] | None:
    """(line, column, message) for the slips trainers make, or None to fall back on PyYAML's words."""
    problem, context = exc.problem or "", exc.context or ""
    pmark, cmark = exc.problem_mark, exc.context_mark
    if pmark is None:
        return None
    row, col = pmark.line, pmark.column
    here = lines[row] if row < len(lines) else ""
    char = here[col : col + 1]

    lead = here[: _indent(here)]
    if "\t" in lead or char == "\t":
        tab = lead.find("\t") if "\t" in lead else col
        return row + 1, tab + 1, "This line is indented with a tab. Indent with spaces only."

    if "cannot start any token" in problem and char in "@`%":
        return row + 1, col + 1, f"A text cannot start with '{char}'. {_quote_it(here)}"
    if "undefined alias" in problem:
        name = re.match(r"\*([^\s,\[\]{}]*)", here[col:])
        label = name.group(1) if name else ""
        return (
            row + 1,
            col + 1,
            f"'*{label}' refers to an anchor '&{label}' that is not defined. If this is text, put it in quotes: "
            f"{_quoted(here) or _EXAMPLE}",
        )
    if ("while scanning an alias" in context or "while scanning an anchor" in context) and cmark is not None:
        line = lines[cmark.line] if cmark.line < len(lines) else ""
        sign = line[cmark.column : cmark.column + 1] or "*"
        if cmark.column == _indent(line) and cmark.line > 0:
            hint = "If this line continues the text above, indent it like that text; otherwise put it in quotes."
        else:
            hint = f"Put the whole text in quotes: {_quoted(line) or _EXAMPLE}"
        return cmark.line + 1, cmark.column + 1, f"A text cannot start with '{sign}' (it has a meaning in YAML). {hint}"
    if "duplicate anchor" in context and cmark is not None:
        return row + 1, col + 1, f"This anchor is already defined on line {cmark.line + 1}. Give it another name."
    if "block sequence entries are not allowed" in problem:
        return (
            row + 1,
            col + 1,
            f"A text cannot start with '- ' on the same line as its key. {_quote_it(here)} "
            "For a list, start it on the next line.",
        )
    if "mapping keys are not allowed" in problem:
        return row + 1, col + 1, f"A text cannot start with '? '. {_quote_it(here)}"
    if "while scanning a block scalar" in context and "comment or line break" in problem and cmark is not None:
        return (
            cmark.line + 1,
            cmark.column + 1,
            "'|' and '>' start a text on the lines below, so nothing may follow them on this line. "
            f"Move the text to the next line, indented, or put it in quotes: {_quoted(lines[cmark.line]) or _EXAMPLE}",
        )
    if "quoted scalar" in context and cmark is not None:
        quote = lines[cmark.line][cmark.column : cmark.column + 1] if cmark.line < len(lines) else '"'
        if "escape" in problem or "hexdecimal" in problem:
            return (
                row + 1,
                col + 1,
                "Inside double quotes a '\\' starts an escape such as \\n. Write '\\\\' for a backslash, "
                "or use single quotes.",
            )
        if "end of stream" in problem:
            twice = " An apostrophe inside single quotes is written twice: 'It''s'." if quote == "'" else ""
            return (
                cmark.line + 1,
                cmark.column + 1,
                f"The quote {quote} that opens here is never closed. "
                f"Add a closing {quote} at the end of the text.{twice}",
            )
    if "flow mapping" in context or "flow sequence" in context:
        opener, closer = ("{", "}") if "mapping" in context else ("[", "]")
        if cmark is not None and cmark.line != row:
            return (
                cmark.line + 1,
                cmark.column + 1,
                f"The '{opener}' that opens here is never closed. Add '{closer}' at the end of the line.",
            )
        return (
            row + 1,
            col + 1,
            f"Inside {opener}...{closer}, a text containing ': ', ',' or '{closer}' must be in quotes, "
            'e.g. {title: "Result: a loss"}.',
        )
    if "another document" in problem:
        return (
            row + 1,
            col + 1,
            "A second document starts here: a file holds exactly one module. Remove this '---' line, "
            "or move what follows into a file of its own.",
        )
    if problem == "could not find expected ':'" and cmark is not None and cmark.line < len(lines):
        return _missing_colon(lines, cmark.line)
    if problem == "mapping values are not allowed in this context":
        return _value_with_colon(lines, row, col)
    if problem == "did not find expected key" and cmark is not None:
        return _not_a_key(lines, row, col, cmark)
    if problem == "did not find expected '-' indicator":
        if here[col : col + 1] == "-" and here[col + 1 : col + 2] not in (" ", "\t", ""):
            return row + 1, col + 1, "Put a space after '-' to start a list item: '- ...'."
        start = f" (see line {cmark.line + 1})" if cmark is not None else ""
        return row + 1, col + 1, f"Every item of this list must start with '- ' at the same indentation{start}."
    return None


def _missing_colon(lines: list[str], row: int) -> tuple[int, int, str]:
    line = lines[row]
    words = line.strip().split(None, 1)
    fix = f" Write it as '{words[0]}: {words[1]}'." if len(words) == 2 else ""
    return row + 1, _indent(line) + 1, f"This line has no ':' after its key.{fix}"


def _value_with_colon(lines: list[str], row: int, col: int) -> tuple[int, int, str] | None:
    here = lines[row] if row < len(lines) else ""
    colon = _KEY_COLON.search(here)
    if colon is None or colon.start() != col:
        # The ': ' is inside the value of this line.
        return (
            row + 1,
            col + 1,
            f"A text containing ': ' must be in quotes: {_quoted(here) or _EXAMPLE}",
        )
    # This line's own key is fine: the text of an earlier line ran on into it.
    above = row - 1
    while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
        above -= 1
    if above < 0:
        return None
    prev = lines[above]
    body = prev.strip()
    if body.startswith("- "):
        body = body[2:].lstrip()
    if ":" not in body:
        return _missing_colon(lines, above)
    if _KEY_COLON.search(body) is None:
        key, _, rest = body.partition(":")
        return (
            above + 1,
            _indent(prev) + 1,
            f"Put a space after the ':' of '{key}': write '{key}: {rest}'.",
        )
    if _indent(here) > _indent(prev):
        return (
            row + 1,
            _indent(here) + 1,
            f"This line is indented more than line {above + 1}, so YAML reads it as more of the text "
            f"there. Indent it like line {above + 1}; if it is part of that text, put the text in quotes.",
        )
    return None


def _not_a_key(lines: list[str], row: int, col: int, cmark: Any) -> tuple[int, int, str] | None:
    here = lines[row] if row < len(lines) else ""
    if col > _indent(here):
        match = _KEY_VALUE.match(here)
        if match and match["value"][:1] in "'\"[{":
            opener = match["value"][0]
            closer = {"[": "]", "{": "}"}.get(opener, opener)
            return (
                row + 1,
                col + 1,
                f"The text after '{match['key'].strip()}:' starts with {opener} and goes on after the "
                f"closing {closer}. {_quote_it(here)}",
            )
        return None
    keys_at = cmark.column
    if here[col : col + 1] == "-":
        return (
            row + 1,
            col + 1,
            f"This list item is out of line: here YAML expects a key, like those from line {cmark.line + 1}. "
            "Indent it like the other items of its list.",
        )
    if col != keys_at:
        return (
            row + 1,
            col + 1,
            f"This line is indented {col} spaces, but the keys it sits among (from line {cmark.line + 1}) "
            f"are indented {keys_at}. Indent it like the lines it belongs with.",
        )
    return None


def _syntax_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "A text containing ': ' must be put in quotes, or written as a block with '|'."
    if "found character '\\t'" in problem or "tab" in problem:
        return "Indent with spaces, not tabs."
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return "Check the indentation of this line against the lines above it."
    if "found undefined alias" in problem:
        return "Define the anchor (&name) before using the alias (*name)."
    if "expected a single document" in problem:
        return "A file holds exactly one module; remove the '---' separator."
    return ""
