"""Plain-English findings for the errors PyYAML raises: what the trainer most likely did.

PyYAML names the token it choked on ("mapping values are not allowed here"), often lines after
the slip. These functions look at the lines around its marks, name the slip a trainer makes
(a ': ' inside a text, a tab, a missing quote) at the line where they made it, and show the fix.
What they do not recognise falls back on PyYAML's own words plus a hint.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .findings import Finding
from .source_map import LINE_BREAK, quote_text, source_lines


def encoding_finding(raw: bytes, exc: UnicodeDecodeError, path: str) -> Finding:
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


# What YAML accepts in a file (the YAML 1.1 printable set).
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def control_character_finding(text: str, path: str) -> Finding:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return Finding(path, 1, 1, "error", "yaml-syntax", "The file holds a character YAML does not allow.")
    if text.count("\x00") > len(text) // 4:
        return Finding(path, 1, 1, "error", "yaml-encoding", "The file looks like UTF-16 text. Save it as UTF-8.")
    offset = found.start()
    breaks = list(LINE_BREAK.finditer(text, 0, offset))
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


# --- syntax errors: say what the trainer most likely did, at the line where they did it ---

_KEY_VALUE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)*)(?P<key>[^\s#'\"\[\]{},:&*!|>%@`-][^:#]*?):[ \t]+(?P<value>\S.*?)\s*$"
)
_EXAMPLE = 'feedback: "Result: she leaves."'
_KEY_COLON = re.compile(r":(?:[ \t]|$)")


def syntax_finding(exc: yaml.MarkedYAMLError, text: str, path: str) -> Finding:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    diagnosis = _diagnose(exc, source_lines(text))
    if diagnosis is not None:
        line, col, message = diagnosis
    else:
        message = f"YAML syntax error: {problem}. {_syntax_hint(problem)}".rstrip()
    return Finding(path, line, col, "error", "yaml-syntax", message)


def _line_at(lines: list[str], row: int) -> str:
    """Line ``row`` (0-based, as PyYAML's marks count), or "" past the end of the file."""
    return lines[row] if row < len(lines) else ""


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
    here = _line_at(lines, row)
    char = here[col : col + 1]

    lead = here[: _indent(here)]
    if "\t" in lead or char == "\t":
        tab = lead.find("\t") if "\t" in lead else col
        return row + 1, tab + 1, "This line is indented with a tab. Indent with spaces only."

    if "quoted scalar" not in context:
        # A quote left open runs the text on into the lines below, and PyYAML stumbles much
        # later (at the next quote mark, often many lines down): the slip is where it opened.
        opened = _first_open_quote(lines, row, col)
        if opened is not None:
            at_row, at_col, quote = opened
            twice = " An apostrophe inside single quotes is written twice: 'It''s'." if quote == "'" else ""
            return (
                at_row + 1,
                at_col + 1,
                f"The quote {quote} that opens here is not closed on its line, so the text runs on into "
                f"the lines below. Add a closing {quote} at the end of the text.{twice}",
            )
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
        line = _line_at(lines, cmark.line)
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
        if cmark is not None and cmark.line != row and cmark.line < len(lines):
            cut = _comment_in_flow(lines[cmark.line], cmark.column, closer)
            if cut is not None:
                return cmark.line + 1, cut[0] + 1, cut[1]
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
        short = _key_short_of_its_item(lines, row)
        if short is not None:
            return short
        start = f" (see line {cmark.line + 1})" if cmark is not None else ""
        return row + 1, col + 1, f"Every item of this list must start with '- ' at the same indentation{start}."
    return None


def _comment_in_flow(line: str, start: int, closer: str) -> tuple[int, str] | None:
    """(column, message) when a '#' after a space inside ``{...}`` or ``[...]`` (opening at
    ``start``) made the rest of the line a comment, its closing bracket included."""
    quote = ""
    for at in range(start + 1, len(line)):
        char = line[at]
        if quote:
            # Inside quotes '#' is text; '' inside single quotes is an apostrophe and \" an escape.
            if char == quote and not (quote == '"' and line[at - 1] == "\\"):
                quote = ""
        elif char in "'\"" and line[at - 1] in f" \t,:{line[start]}":
            quote = char
        elif char == "#" and line[at - 1] in " \t":
            end = line.rfind(closer)
            if end < at:
                return None  # nothing on the line was cut: the bracket is closed further down, or never
            # The item holding the '#': from the separator before it to the one after it.
            begin = max(line.rfind(sep, start, at) + len(sep) for sep in (": ", ",", line[start]))
            after = min(i for i in (line.find(",", at), end) if i != -1)
            text = line[begin:after].strip()
            why = (
                f"A '#' after a space starts a comment, even inside {line[start]}...{closer}: YAML ignores "
                f"the rest of this line, the closing '{closer}' too."
            )
            if text[:1] in ("'", '"'):  # a note after a quoted text: the note is what must move
                return at, f"{why} Move the note after the closing '{closer}'."
            fixed = line[start:begin] + line[begin:after].replace(text, quote_text(text)) + line[after : end + 1]
            return at, f"{why} Put the text in quotes: {fixed}"
    return None


def _key_short_of_its_item(lines: list[str], row: int) -> tuple[int, int, str] | None:
    """A key of a list item indented a little less than the item's other keys (7 spaces among
    8): YAML takes it for a new item with its '- ' missing, which is not what happened."""
    here = lines[row]
    if here.lstrip().startswith("-") or not re.match(r"\s*[\w-]+:", here):
        return None
    for above in range(row - 1, -1, -1):
        line = lines[above]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        dash = re.match(r"(\s*)- ", line)
        if dash is None:
            continue
        keys = len(dash.group(1)) + 2  # where the item's keys start, after "- "
        if len(dash.group(1)) < _indent(here) < keys:
            return (
                row + 1,
                _indent(here) + 1,
                f"This key is indented {_indent(here)} spaces, but the keys of the list item that starts "
                f"on line {above + 1} are indented {keys}. Indent it like them.",
            )
        return None
    return None


def _missing_colon(lines: list[str], row: int) -> tuple[int, int, str]:
    line = lines[row]
    words = line.strip().split(None, 1)
    above = row - 1
    while above >= 0 and (not lines[above].strip() or lines[above].lstrip().startswith("#")):
        above -= 1
    opened = re.fullmatch(r"\s*(?:- )?([\w-]+):\s*", lines[above]) if above >= 0 else None
    if opened and _indent(line) <= _indent(lines[above]):
        # "text:" with its words on the next line, not indented under it: a text, not a key.
        key = opened.group(1)
        return (
            row + 1,
            _indent(line) + 1,
            f"This line looks like the text of '{key}:' on line {above + 1}, but it is not indented "
            f"under it, so YAML reads it as a new key. Indent it further than '{key}:', or write it "
            f"on the same line: {key}: {words[0]} ...",
        )
    if len(words) == 2 and re.fullmatch(r"[a-z_][\w-]*", words[0]):
        return row + 1, _indent(line) + 1, f"This line has no ':' after its key. Write it as '{words[0]}: {words[1]}'."
    return (
        row + 1,
        _indent(line) + 1,
        "This line has no ':' after its key. If it is a text, put it after its key on one line "
        "(text: ...), or indent it under the key above it.",
    )


def _value_with_colon(lines: list[str], row: int, col: int) -> tuple[int, int, str] | None:
    here = _line_at(lines, row)
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
    here = _line_at(lines, row)
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


# Where a quoted text may start: at a line's indentation, after 'key: ', '- ', '[', '{' or ','.
_QUOTE_START = re.compile(r"(?:^[ \t]*|:[ \t]+|-[ \t]+|[\[{,][ \t]*)(['\"])")


def _closing(line: str, start: int, quote: str) -> int | None:
    """Where the text quoted from ``start`` closes on this line, or None."""
    at = start
    while at < len(line):
        char = line[at]
        if quote == '"' and char == "\\":
            at += 2
            continue
        if char == quote:
            if quote == "'" and line[at + 1 : at + 2] == "'":  # '' is an apostrophe
                at += 2
                continue
            return at
        at += 1
    return None


def _open_quote(line: str) -> tuple[int, str] | None:
    """(column, quote) of a quoted text that starts on this line and is not closed on it."""
    at = 0
    while (found := _QUOTE_START.search(line, at)) is not None:
        opening = found.end() - 1
        if line[:opening].lstrip().startswith("#"):
            return None  # a comment line
        quote = line[opening]
        end = _closing(line, opening + 1, quote)
        if end is None:
            return opening, quote
        at = end + 1
    return None


# A key or list item whose text is a block ('|' or '>') on the lines below.
_BLOCK_START = re.compile(r"(?::|^[ \t]*-)[ \t]*[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _first_open_quote(lines: list[str], row: int, col: int) -> tuple[int, int, str] | None:
    """The first quote left open before the error at (row, col), as (row, column, quote). The
    lines of a '|' or '>' block are prose, where a quotation may well run over a line break."""
    block: int | None = None  # the indentation of the line that opened a block, while in it
    for index in range(min(row, len(lines) - 1) + 1):
        line = lines[index]
        if block is not None and (not line.strip() or _indent(line) > block):
            continue
        block = _indent(line) if _BLOCK_START.search(line) else None
        found = _open_quote(line)
        if found is not None and (index < row or found[0] < col):
            return index, found[0], found[1]
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
