"""Safe YAML loading that remembers where every key and value came from.

PyYAML's composer gives a node tree with marks; we build plain Python data from
it ourselves so that we can refuse what a trainer's file should never contain
(duplicate keys, Python tags, runaway aliases) and keep a line and column for
every key and value (a :class:`SourceMap`), which lint and the schema errors point at.
What PyYAML itself cannot read is explained by :mod:`.yaml_errors`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ._gc import paused_gc
from .findings import Finding, ScenarioError
from .source_map import Path, SourceMap, TrailingComment, position, source_lines
from .yaml_errors import control_character_finding, encoding_finding, syntax_finding

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


def _mark(node: yaml.Node) -> tuple[int, int]:
    return position(node.start_mark)


def _lone_bang(lines: list[str], mark: yaml.Mark) -> bool:
    """Whether the node at ``mark`` starts with a '!' standing alone (YAML's non-specific tag)."""
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    return line[mark.column : mark.column + 1] == "!" and line[mark.column + 1 : mark.column + 2] in ("", " ", "\t")


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
        if self.lines is not None and _lone_bang(self.lines, node.start_mark):
            # "when: ! told_care": YAML's non-specific tag, which it resolves as if absent, so
            # the condition would silently read "told_care". The trainer meant "not".
            self.unsafe(node, path, tag="!")
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

    def unsafe(self, node: yaml.Node, path: Path = (), tag: str | None = None) -> None:
        tag = str(node.tag) if tag is None else tag
        hint = "remove the tag."
        # A single '!' is also what a trainer types for "not" or at the start of a text.
        value = node.value if isinstance(node, yaml.ScalarNode) and node.value else ""
        if tag.startswith("!") and not tag.startswith("!!") and (len(tag) > 1 or value):
            word = " ".join(part for part in (tag[1:], value) if part)
            written = f"! {value}" if tag == "!" else " ".join(part for part in (tag, value) if part)
            if path and path[-1] == "when":
                hint = f"to say 'not', write: when: not {word}"
            else:
                hint = f"if this is text starting with '!', put it in quotes: \"{written}\""
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
        new_item_at: int | None = None
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
                if new_item_at is not None:
                    continue  # the rest of the item whose '- ' is missing: already said
                where = _mark(key_node)
                first_key = str(node.value[0][0].value)
                if path and isinstance(path[-1], int) and key == first_key:
                    # A list item's first key again, further down the same item: the '- ' of a
                    # new item was forgotten, and every key of that item would follow as twice.
                    new_item_at = key_node.start_mark.line + 1
                    self.error(
                        where,
                        "duplicate-key",
                        f"The key '{key}' appears again in this list item (first on line {first_seen[key]}): "
                        f"if a new item starts here, put '- ' before '{key}', as on line {first_seen[key]}.",
                    )
                    continue
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
        last = lines[end.line]
        found = _COMMENT_AFTER.match(last, end.column)
        if found is not None:
            column = end.column + len(found[1]) + 1
            self.source.comments[path] = TrailingComment(end.line + 1, column, node.value, found[1], found[2])
            return
        key = self.source.keys.get(path)
        if key is None or last[end.column :].strip():
            return
        # A line indented deeper than the key goes on with the text, unless it starts with '#':
        # then YAML ends the text above and reads the line as a comment.
        row = end.line + 1
        while row < len(lines) and not lines[row].strip():
            row += 1
        if row == len(lines):
            return
        body = lines[row].lstrip(" \t")
        indent = len(lines[row]) - len(body)
        if body.startswith("#") and indent > key.column:
            comment = TrailingComment(row + 1, indent + 1, node.value, "\n", body.rstrip(" \t"), own_line=True)
            self.source.comments[path] = comment


class _Abort(Exception):
    pass


_TOO_DEEP = (
    f"Lists and mappings nest more than {MAX_DEPTH} levels deep here; a module needs about 7. "
    "Look for a '[' or '{' that is never closed, or lines indented further and further."
)


MODULE_START = (
    "A module starts with 'id: ...', 'title: ...' and 'role: ...' (see the first module in the authoring guide)."
)


def load_yaml(
    text: str | bytes, path: str = "<text>", max_bytes: int = MAX_BYTES, empty_hint: str = MODULE_START
) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data plus a :class:`SourceMap`.

    Raises :class:`ScenarioError` with a finding that points at the problem; ``empty_hint`` is
    what an empty file is told to hold (a module, unless the caller reads another kind of file).
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
            raise ScenarioError([encoding_finding(text, exc, path)]) from None
    source.text = text
    with paused_gc():
        return _build(text, path, source, empty_hint)


def _build(text: str, path: str, source: SourceMap, empty_hint: str) -> tuple[Any, SourceMap]:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except _TooDeep as exc:
        line, col = position(exc.mark) if exc.mark is not None else (1, 1)
        raise ScenarioError([Finding(path, line, col, "error", "yaml-depth", _TOO_DEEP)]) from None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):
            # The libyaml in recent PyYAML wheels (seen with 6.0.4) has a nesting limit of its own,
            # which its scanner can reach while reading ahead, before the composer counts MAX_DEPTH.
            line, col = position(exc.problem_mark) if exc.problem_mark is not None else (1, 1)
            raise ScenarioError([Finding(path, line, col, "error", "yaml-depth", _TOO_DEEP)]) from None
        raise ScenarioError([syntax_finding(exc, text, path)]) from None
    except yaml.reader.ReaderError:
        raise ScenarioError([control_character_finding(text, path)]) from None
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
                    f"The file {what}. {empty_hint}",
                )
            ]
        )
    # Most files have no comment and no tag at all; only those with a '#' or a '!' need their
    # lines (to find a comment cutting a text, or a '!' typed for "not").
    # PyYAML does not count a byte-order mark in its columns, so neither may we.
    lines = source_lines(text.removeprefix("\ufeff")) if "#" in text or "!" in text else None
    builder = _Builder(source, lines)
    try:
        data = builder.build(root, ())
    except _Abort:
        data = None
    if builder.findings:
        raise ScenarioError(builder.findings)
    return data, source
