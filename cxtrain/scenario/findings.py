"""Findings: what lint and the loader report, each tied to a place in a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One problem in a file: where it is, how bad, what is wrong and how to fix it.

    ``code`` is a stable, documented identifier (see docs/authoring.md) so that
    editors and CI scripts can filter on it.
    """

    # Every field counts in equality: two findings at one place are two findings (three missing
    # keys all sit at line 1). Sorting is by place first, then severity, code and message.
    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class ScenarioError(Exception):
    """A module, roles file or track could not be loaded; ``findings`` says why."""

    def __init__(self, findings: list[Finding], source: Any = None, data: Any = None) -> None:
        self.findings = sorted(findings)
        # Where the YAML itself was read but the module was refused (schema or references), the
        # parsed text and its positions, so that lint can still run the checks that need no model.
        self.source = source
        self.data = data
        super().__init__("\n".join(f.format() for f in self.findings))
