"""A module's own play-tests (its ``checks``): each path is played and its outcome compared."""

from __future__ import annotations

from . import engine
from .findings import Finding
from .grading import Grade
from .model import Module


def run_checks(module: Module, grade: Grade | None = None) -> list[Finding]:
    """Play each of the module's ``checks`` and report the ones that fail."""
    grade = grade or module.grade
    source = module.source
    path = source.path if source else "<text>"
    out: list[Finding] = []
    for index, check in enumerate(module.checks):
        line, col = source.at(("checks", index)) if source else (1, 1)
        label = f"Check #{index + 1}" + (f" ('{check.name}')" if check.name else "")

        def fail(message: str, line: int = line, col: int = col, label: str = label) -> None:
            out.append(Finding(path, line, col, "error", "check-failed", f"{label} fails: {message}"))

        state = engine.start(module)
        broke = False
        for step, choice_id in enumerate(check.path):
            try:
                state = engine.choose(module, state, state.node, choice_id).state
            except engine.PlayError as exc:
                where = source.at(("checks", index, "path", step)) if source else (line, col)
                fail(f"step {step + 1}: {exc.message}", *where)
                broke = True
                break
        if broke:
            continue
        if not state.finished:
            fail(f"the path stops at '{state.node}', which is not an ending. Add the remaining choices.")
            continue
        reached = engine.total(module, state)
        score = grade.score(reached)
        passed = score >= module.pass_score
        expect = check.expect
        if expect.ending is not None and expect.ending != state.node:
            fail(f"expected the ending '{expect.ending}', reached '{state.node}'.")
        if expect.passed is not None and expect.passed != passed:
            fail(
                f"expected {'a pass' if expect.passed else 'a fail'}, got score {score:.2f} "
                f"against pass mark {module.pass_score:g}."
            )
        if expect.min_score is not None and score < expect.min_score:
            fail(f"expected a score of at least {expect.min_score:g}, got {score:.2f}.")
        if expect.max_score is not None and score > expect.max_score:
            fail(f"expected a score of at most {expect.max_score:g}, got {score:.2f}.")
    return out
