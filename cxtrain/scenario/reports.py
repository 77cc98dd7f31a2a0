"""What lint returns: one module's report, and a whole library's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .findings import Finding
from .grading import Grade
from .model import Module


@dataclass(slots=True)
class ModuleReport:
    path: str
    module: Module | None = None
    grade: Grade | None = None
    findings: list[Finding] = field(default_factory=list)

    def summary(self) -> dict[str, Any] | None:
        module, grade = self.module, self.grade
        if module is None or grade is None:
            return None
        return {
            "id": module.id,
            "title": module.title,
            "role": module.role,
            "version": module.version,
            "nodes": len(module.nodes),
            "decision_nodes": len(module.decision_nodes),
            "endings": len(module.ending_nodes),
            "meters": {
                m.id: {"label": m.label, "start": m.start, "min": m.min, "max": m.max, "weight": m.weight}
                for m in module.meters
            },
            "best": {"total": grade.best, "path": list(grade.best_path), "ending": grade.best_ending},
            "worst": {"total": grade.worst, "path": list(grade.worst_path), "ending": grade.worst_ending},
            "exact": grade.exact,
            "states": grade.states,
        }


@dataclass(slots=True)
class LintResult:
    reports: list[ModuleReport] = field(default_factory=list)
    extra: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        out = [f for r in self.reports for f in r.findings] + self.extra
        return sorted(set(out), key=lambda f: (f.path, f.line, f.column, f.code))

    def failed(self, strict: bool = False) -> bool:
        return any(f.severity == "error" or strict for f in self.findings)

    def as_dict(self, strict: bool = False) -> dict[str, Any]:
        findings = self.findings
        return {
            "findings": [{**f.as_dict(), "severity": "error" if strict else f.severity} for f in findings],
            "modules": [s for r in self.reports if (s := r.summary()) is not None],
            "errors": sum(1 for f in findings if f.severity == "error" or strict),
            "warnings": 0 if strict else sum(1 for f in findings if f.severity == "warning"),
        }
