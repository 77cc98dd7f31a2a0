"""From YAML text to a checked, immutable :class:`Module` (or findings saying why not)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields

from ._gc import paused_gc
from .findings import Finding, ScenarioError
from .model import Module
from .references import check_references
from .schema import MESSAGE_CODES, ModuleSchema
from .source_map import Path, SourceMap, quote_text
from .suggest import closest, did_you_mean, one_of
from .yaml_loader import MAX_BYTES, load_yaml

_WHAT = {
    "ModuleSchema": "the module",
    "MeterSchema": "a meter",
    "NodeSchema": "a node",
    "ChoiceSchema": "a choice",
    "EndingSchema": "an ending",
    "RippleSchema": "a ripple",
    "CheckSchema": "a check",
    "ExpectSchema": "a check's 'expect'",
    "RolesFileSchema": "the roles file",
    "RoleSchema": "a role",
    "TrackSchema": "the track",
    "BadgesFileSchema": "the badges file",
    "BadgeSchema": "a badge",
    "RuleSchema": "a badge's rule",
}


def content_version(text: str | bytes) -> str:
    """The version of a module: a short hash of its exact text."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:16]


def load_module(text: str | bytes, path: str = "<text>", max_bytes: int = MAX_BYTES) -> Module:
    """Load and check one module; raises :class:`ScenarioError` listing every problem."""
    with paused_gc():
        return _load_module(text, path, max_bytes)


def _load_module(text: str | bytes, path: str, max_bytes: int) -> Module:
    data, source = load_yaml(text, path, max_bytes)
    try:
        parts = validate(ModuleSchema(), data, source)
    except ScenarioError as exc:
        raise ScenarioError(exc.findings, source=source, data=data) from None
    module = Module(**parts, version=content_version(text), source=source)
    module, findings = check_references(module, source)
    if any(f.severity == "error" for f in findings):
        raise ScenarioError(findings, source=source, data=data)
    return module


def validate(schema: Schema, data: Any, source: SourceMap) -> Any:
    """Run a marshmallow schema; turn its errors into findings with lines."""
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Finding(
                    source.path,
                    1,
                    1,
                    "error",
                    "not-a-mapping",
                    f"Expected {_WHAT.get(type(schema).__name__, 'a mapping')} as a mapping of "
                    f"keys to values (key: value), found {_kind(data)}. Start the file with 'id: ...' "
                    "at the left margin, with no '-' before it.",
                )
            ]
        )
    try:
        return schema.load(data)
    except ValidationError as exc:
        findings: list[Finding] = []
        _flatten(exc.messages, (), data, schema, source, findings)
        raise ScenarioError(findings) from None


def _flatten(errors: Any, path: Path, data: Any, schema: Schema | None, source: SourceMap, out: list[Finding]) -> None:
    if isinstance(errors, list):
        for message in errors:
            if isinstance(message, dict | list):
                _flatten(message, path, data, schema, source, out)
            else:
                out.append(_finding(str(message), path, data, schema, source))
        return
    if not isinstance(errors, dict):
        out.append(_finding(str(errors), path, data, schema, source))
        return
    misspelt = _misspelt_required(errors, path, schema)
    for key, sub in errors.items():
        if key in misspelt.values():
            continue  # missing only because it is misspelt: the unknown key's finding says so
        if key in misspelt:
            out.append(_misspelt_finding(str(key), misspelt[str(key)], (*path, key), schema, source))
            continue
        # marshmallow's Dict fields nest a key's errors under "key" and its value's under
        # "value"; neither is part of the trainer's path.
        if key == "value" and not (isinstance(data, dict) and "value" in data):
            _flatten(sub, path, data, schema, source, out)
            continue
        if key == "key" and not (isinstance(data, dict) and "key" in data):
            for message in sub if isinstance(sub, list) else [sub]:
                out.append(_key_finding(str(message), path, source))
            continue
        if key == "_schema":
            _flatten(sub, path, data, schema, source, out)
            continue
        child = (*path, key)
        child_data = (
            data.get(key)
            if isinstance(data, dict)
            else (data[key] if isinstance(data, list) and isinstance(key, int) and key < len(data) else None)
        )
        _flatten(sub, child, child_data, schema, source, out)


_UNKNOWN = ["Unknown field."]
LONGEST_KEY_SHOWN = 60  # an unknown key longer than this is named by its start and length
_MISSING = ["Missing data for required field."]


def _allowed(schema: Schema | None) -> list[str]:
    """The keys a mapping of ``schema`` may hold, as the trainer writes them."""
    return [f.data_key or name for name, f in schema.fields.items()] if schema else []


def _misspelt_required(errors: dict[Any, Any], path: Path, root: Schema | None) -> dict[str, str]:
    """Unknown keys of one mapping that misspell one of its missing required keys ({'nxt': 'next'})."""
    missing = {key for key, sub in errors.items() if sub == _MISSING}
    if not missing or root is None:
        return {}
    found: dict[str, str] = {}
    for key, sub in errors.items():
        if sub == _UNKNOWN and isinstance(key, str) and len(key) <= LONGEST_KEY_SHOWN:
            meant = closest(key, _allowed(_schema_at(root, (*path, key))[0]))
            if meant in missing and meant not in found.values():
                found[key] = meant
    return found


def _misspelt_finding(key: str, meant: str, path: Path, root: Schema | None, source: SourceMap) -> Finding:
    parent = _schema_at(root, path)[0] if root is not None else None
    what = _WHAT.get(type(parent).__name__, "this mapping")
    line, col = source.key_at(path)
    return Finding(
        source.path,
        line,
        col,
        "error",
        "unknown-key",
        f"Unknown key '{key}' in {what}{_describe(path[:-1])}. Did you mean '{meant}'? "
        f"{what.capitalize()} must have '{meant}': rename '{key}' to '{meant}'.",
    )


def _schema_at(root: Schema, path: Path) -> tuple[Schema | None, fields.Field | None]:
    """The schema whose key is the last mapping key of ``path``, and that key's field."""
    schema: Schema | None = root
    holder: Schema | None = root
    field: fields.Field | None = None
    for segment in path:
        if field is None:
            if schema is None:
                return None, None
            holder = schema
            by_key = {f.data_key or name: f for name, f in schema.fields.items()}
            field = by_key.get(str(segment))
            if field is None:
                return holder, None
        elif isinstance(field, fields.List):
            field = field.inner
        elif isinstance(field, fields.Dict):
            field = field.value_field
        else:
            return None, None
        if isinstance(field, fields.Nested):
            schema, field = field.schema, None
    return holder, field


def _finding(message: str, path: Path, data: Any, root: Schema | None, source: SourceMap) -> Finding:
    name = path[-1] if path else ""
    parent_schema, _field = _schema_at(root, path) if root is not None else (None, None)
    what = _WHAT.get(type(parent_schema).__name__, "this mapping") if parent_schema else "this mapping"
    if message == "Unknown field.":
        allowed = _allowed(parent_schema)
        line, col = source.key_at(path)
        key = str(name)
        if len(key) > LONGEST_KEY_SHOWN:
            # A whole paragraph (or megabytes) read as one key: no spelling to suggest, and the
            # finding names its start rather than echoing it all back.
            said = (
                f"Unknown key '{key[:LONGEST_KEY_SHOWN]}…' ({len(key):,} characters) in {what}"
                f"{_describe(path[:-1])}. A text that long belongs after a key, e.g. 'text: ...'. "
                f"Allowed keys: {one_of(allowed, 20)}."
            )
        else:
            said = (
                f"Unknown key '{key}' in {what}{_describe(path[:-1])}.{did_you_mean(key, allowed)} "
                f"Allowed keys: {one_of(allowed, 20)}.{_comma_hint(key)}"
            )
        return Finding(source.path, line, col, "error", "unknown-key", said)
    if message == "Missing data for required field.":
        line, col = source.at(path[:-1])
        return Finding(
            source.path,
            line,
            col,
            "error",
            "missing-key",
            f"{what.capitalize()}{_describe(path[:-1])} is missing the required key '{name}'. Add '{name}: ...'.",
        )
    line, col = source.at(path)
    if message == "Field may not be null." and data is None:
        if isinstance(name, int):
            text = (
                f"Item #{name + 1} of the list{_describe(path[:-1])} is empty. "
                "Write it after the '-', or remove the '-'."
            )
        else:
            text = (
                f"'{name}' in {what}{_describe(path[:-1])} has no value. Write one after '{name}:', or remove the key."
                + _comment_ate_value(source, path, str(name))
            )
        return Finding(source.path, line, col, "error", "invalid-value", text)
    if message in MESSAGE_CODES:
        return Finding(source.path, line, col, "error", MESSAGE_CODES[message], f"{message}{_describe(path[:-1])}")
    code = (
        "out-of-range"
        if any(w in message for w in ("between", "greater than", "less than", "must lie", "must be below", "or more"))
        else "invalid-value"
    )
    hint = _type_hint(message, data, name)
    label = f"'{name}'" if isinstance(name, str) and name else "value"
    return Finding(
        source.path,
        line,
        col,
        "error",
        code,
        f"Invalid {label} in {what}{_describe(path[:-1])}: {message}{hint}",
    )


def _comment_ate_value(source: SourceMap, path: Path, name: str) -> str:
    """When the value is missing because it starts with '#' (``text: #1 priority``), say so: YAML
    read the whole value as a comment, which no trainer expects."""
    line, _ = source.key_at(path)
    _, colon, rest = source.line(line).partition(f"{name}:")
    rest = rest.strip()
    if not colon or not rest.startswith("#"):
        return ""
    return (
        f" It looks empty because YAML reads everything after '#' as a comment; "
        f"if '{rest}' is the text, put it in quotes: {name}: {quote_text(rest)}"
    )


def _comma_hint(name: str) -> str:
    if " " in name.strip():
        return (
            " A comma inside {...} starts a new key: if this is part of a text, put the whole "
            'text in quotes, e.g. {title: "One letter, read in time"}.'
        )
    return ""


def _key_finding(message: str, path: Path, source: SourceMap) -> Finding:
    line, col = source.at(path)
    return Finding(
        source.path,
        line,
        col,
        "error",
        "invalid-value",
        f"Invalid name{_describe(path) or ' in the module'}: {message}",
    )


def _kind(data: Any) -> str:
    """What YAML made of a value, in the trainer's words."""
    if data is None:
        return "nothing"
    if isinstance(data, bool):
        return "true/false"
    if isinstance(data, int | float):
        return "a number"
    if isinstance(data, str):
        return "a single text"
    if isinstance(data, list):
        return "a list"
    return "a mapping"


def _number_hint(text: str, name: object, whole: bool) -> str:
    """How to write as a number what a trainer wrote as text: '70%', 'five', '"70"'."""
    written = text.strip()
    if re.fullmatch(r"[-+]?\d+(\.\d+)?", written):
        return " Write the number without quotes."
    percent = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)\s*%", written)
    if percent and name == "pass":
        return f" Write the pass mark as a share from 0 to 1: {float(percent.group(1)) / 100:g} for {written}."
    if percent:
        return f" Write the number alone, without '%': {percent.group(1)}."
    return " Write it in digits, such as 5." if whole else " Write it in digits, such as 5 or 0.7."


def _type_hint(message: str, data: Any, name: object = None) -> str:
    if isinstance(data, list | dict) and "string" in message:
        return f" YAML read {_kind(data)} here, not a text. A text that starts with '[' or '{{' must be in quotes."
    if isinstance(data, bool) and "string" in message:
        return " YAML read this as true/false; put the text in quotes."
    if isinstance(data, int | float) and "string" in message:
        return " YAML read this as a number; put it in quotes if you mean text."
    if message.startswith("Not a valid integer") and isinstance(data, float):
        return " Use a whole number."
    if message in ("Invalid input type.", "Invalid type.", "Not a valid mapping type."):
        if name == "ending" and isinstance(data, str):
            return f" An ending is a mapping with its title: ending: {{title: {quote_text(data.strip())}}}"
        return " Expected a mapping (key: value lines)."
    if isinstance(data, str) and ("integer" in message or "number" in message):
        return _number_hint(data, name, whole="integer" in message)
    if message == "Not a valid boolean.":
        return " Write true or false."
    if message == "Not a valid list.":
        return " Expected a list (lines starting with '- ', or [a, b])."
    return ""


def _describe(path: Path) -> str:
    """' (nodes > inbox > choices #2)' for messages."""
    if not path:
        return ""
    parts = [f"#{p + 1}" if isinstance(p, int) else str(p) for p in path]
    return " (" + " > ".join(parts) + ")"


def load_plain(schema: Schema, text: str | bytes, path: str) -> tuple[Mapping[str, Any], SourceMap]:
    """Load a non-module file (roles, track) through its schema."""
    data, source = load_yaml(text, path, empty_hint="The authoring guide shows what this file holds.")
    return validate(schema, data, source), source
