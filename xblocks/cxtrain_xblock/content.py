"""Where a block's module comes from: the installed library, or YAML kept in the block.

Loading and grading a module explores its whole state graph, which can take a
second for a large one; a course page may hold many blocks and every handler call
builds a new block object, so modules are cached here by their exact text (the
content hash is the cache key, so an edit is never served stale).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from cxtrain.scenario import (
    Library,
    Module,
    ModuleReport,
    ScenarioError,
    bundled_path,
    lint_text,
    load_library,
    load_module,
)

BLOCK_PATH = "<block>"
"""The path shown in findings for YAML kept in a block (there is no file)."""


@lru_cache(maxsize=1)
def library() -> Library:
    """The bundled library, loaded once per process (it only changes when cxtrain is upgraded)."""
    return load_library([bundled_path()])


@lru_cache(maxsize=64)
def _module_from_text(text: str) -> Module:
    # ScenarioError propagates and is not cached, so a broken text is re-reported each time.
    return load_module(text, BLOCK_PATH)


@dataclass(frozen=True, slots=True)
class Normalized:
    """YAML as the block stores it, plus how far its lines and columns moved from the input."""

    text: str
    line_offset: int = 0
    column_offset: int = 0


def normalize_yaml(text: str) -> Normalized:
    """The canonical form of a block's YAML: no common indent, no blank lines around, one final newline.

    OLX authors indent CDATA to match the surrounding XML and leave blank lines
    after ``<![CDATA[``; the canonical form makes export followed by import give
    back exactly the same text, hence the same content hash, so course re-runs and
    imports never orphan learners' attempts.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    leading = 0
    while leading < len(lines) and not lines[leading].strip():
        leading += 1
    body = "\n".join(line.rstrip() for line in lines[leading:]).rstrip()
    if not body:
        return Normalized("")  # "the file is empty" is said of line 1, however many blank lines

    dedented = textwrap.dedent(body)
    # dedent removes the same prefix from every line, so the first line shows how much.
    indent = len(body.split("\n", 1)[0]) - len(dedented.split("\n", 1)[0])
    return Normalized(dedented + "\n", leading, indent)


def lint_yaml(text: str) -> ModuleReport:
    """Lint a block's YAML against the installed roles, with positions in the text as given."""
    normalized = normalize_yaml(text)
    report = lint_text(normalized.text, BLOCK_PATH, library().roles)
    if normalized.line_offset or normalized.column_offset:
        report.findings = [
            replace(f, line=f.line + normalized.line_offset, column=f.column + normalized.column_offset)
            for f in report.findings
        ]
    return report


def findings_payload(report: ModuleReport) -> list[dict[str, Any]]:
    """Findings as Studio shows them: line, column, severity, code, message."""
    return [
        {"line": f.line, "column": f.column, "severity": f.severity, "code": f.code, "message": f.message}
        for f in sorted(report.findings, key=lambda f: (f.line, f.column, f.code))
    ]


def resolve(module_id: str, yaml_text: str) -> Module | None:
    """The module a block plays: its own YAML if it has any, else the library module, else None."""
    if yaml_text.strip():
        try:
            return _module_from_text(yaml_text)
        except ScenarioError:
            return None
    if module_id:
        return library().modules.get(module_id)
    return None


def library_choices() -> list[dict[str, str]]:
    """The installed library's modules for Studio's picker, grouped by role order then title."""
    lib = library()
    order = {role.id: index for index, role in enumerate(lib.ladder())}
    modules = sorted(lib.modules.values(), key=lambda m: (order.get(m.role, 99), m.title))
    return [
        {"id": m.id, "title": m.title, "role": lib.roles[m.role].title if m.role in lib.roles else m.role}
        for m in modules
    ]


def graph_summary(module: Module) -> dict[str, Any]:
    """What an author needs to judge a module at a glance: role, size, and the graded range."""
    lib = library()
    grade = module.grade
    return {
        "id": module.id,
        "title": module.title,
        "role": lib.roles[module.role].title if module.role in lib.roles else module.role,
        "version": module.version,
        "minutes": module.minutes,
        "nodes": len(module.nodes),
        "decision_nodes": len(module.decision_nodes),
        "endings": [{"id": n.id, "title": n.ending.title if n.ending else n.id} for n in module.ending_nodes],
        "meters": [m.label for m in module.meters],
        "best": grade.best,
        "worst": grade.worst,
        "best_path": list(grade.best_path),
        "worst_path": list(grade.worst_path),
        "exact": grade.exact,
        "pass_score": module.pass_score,
    }
