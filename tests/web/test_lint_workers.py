"""Serve's start-up lint on every core gives exactly what linting one module after another gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxtrain.scenario import bundled_path, load_library
from cxtrain.web import lint_workers

FIXTURES = Path(__file__).parent / "fixtures"


def jobs() -> list[tuple[str, str]]:
    """The bundled library and a few modules with every kind of finding."""
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in sorted(bundled_path().glob("*.yaml"))]
    texts = [(text, name) for text, name in texts if "nodes:" in text]  # modules, not roles or badges
    fixture = (FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8")
    texts += [
        ("id: broken\ntitle: [never closed\n", "yaml-syntax.yaml"),
        (fixture.replace("next: happy", "next: nowhere"), "dangling.yaml"),  # an error
        (fixture.replace("        feedback: She leaves angry.\n", ""), "no-feedback.yaml"),  # a warning
        (fixture.replace("role: frontline-associate", "role: astronaut"), "unknown-role.yaml"),
    ]
    return texts


def test_on_every_core_the_findings_are_those_of_one_after_another():
    roles = load_library([bundled_path()]).roles
    work = jobs()
    serial = lint_workers.lint_texts(work, roles, processes=1)
    parallel = lint_workers.lint_texts(work, roles, processes=2)
    assert parallel == serial
    assert [(f.severity, f.code, f.line, f.message) for fs in parallel for f in fs] == [
        (f.severity, f.code, f.line, f.message) for fs in serial for f in fs
    ]
    codes = {f.code for fs in serial for f in fs}
    assert {"yaml-syntax", "unknown-role"} <= codes and serial[-3] and serial[-2]


def test_one_module_is_linted_without_starting_processes(monkeypatch: pytest.MonkeyPatch):
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started for one module")

    monkeypatch.setattr(lint_workers, "ProcessPoolExecutor", no_pool)
    roles = load_library([bundled_path()]).roles
    [findings] = lint_workers.lint_texts(jobs()[-1:], roles)
    assert [f.code for f in findings] == ["unknown-role"]
    assert lint_workers.lint_texts([], roles) == []
