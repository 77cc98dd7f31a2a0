"""Lint of one module: its text loaded, then every check that needs the model or the text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .findings import Finding, ScenarioError
from .grading import STATE_LIMIT, Grade, explore, grade_from
from .graph_checks import farming_findings, reachable_nodes, state_findings
from .library import Role, role_findings, unknown_role_findings
from .loading import load_module
from .model import Module
from .playtests import run_checks
from .reports import ModuleReport
from .text_cuts import cut_text_findings

LINE_OF_SIGHT_SHARE = 0.8
"""Share of decision nodes that should say how the role reaches the customer."""


def lint_module(
    module: Module, roles: Mapping[str, Role] | None = None, limit: int = STATE_LIMIT
) -> tuple[Grade, list[Finding]]:
    """Graph, play-test and style findings for a module that loaded."""
    source = module.source
    path = source.path if source else "<text>"
    findings: list[Finding] = list(role_findings(module, roles or {}))

    def at(p: tuple[str | int, ...], key: bool = False) -> tuple[int, int]:
        if source is None:
            return 1, 1
        return source.key_at(p) if key else source.at(p)

    def add(where: tuple[int, int], severity: str, code: str, message: str) -> None:
        findings.append(Finding(path, where[0], where[1], severity, code, message))  # type: ignore[arg-type]

    # Unreachable nodes, ignoring conditions: the plain graph.
    graph_reach = reachable_nodes(module)
    for node_id in module.nodes:
        if node_id not in graph_reach:
            add(
                at(("nodes", node_id), key=True),
                "warning",
                "unreachable-node",
                f"The node '{node_id}' cannot be reached from '{module.start}': no choice leads to it. "
                "Link it with a choice's 'next', or delete it.",
            )

    found = module.exploration if limit == STATE_LIMIT else explore(module, limit)
    grade = grade_from(found)
    if not found.complete:
        add(
            at(()),
            "warning",
            "state-space-too-large",
            f"More than {limit:,} different states (node, meters, flags) are reachable, so grading "
            "falls back to the meters' ranges and a best play may score below 1.0. Use coarser "
            "effects (multiples of 5) or fewer meters.",
        )
    else:
        state_findings(module, found, graph_reach, at, add)
        if not found.endings:
            add(
                at(("start",)),
                "error",
                "no-ending",
                "No ending can be reached from the start. Add an ending node and a path to it.",
            )
        elif grade.best == grade.worst:
            add(
                at(()),
                "warning",
                "constant-score",
                f"Every play-through ends with the same total ({grade.best:g}), so every learner "
                "scores 1.0. Give the choices different effects on the meters.",
            )

    for choice_path, choice, node_id in _choices(module):
        if not choice.feedback.strip():
            add(
                at((*choice_path, "id")),
                "warning",
                "missing-feedback",
                f"The choice '{choice.id}' in '{node_id}' has no feedback. Explain how it reaches "
                "the customer: that is what the learner takes away.",
            )
    decisions = module.decision_nodes
    linked = sum(1 for n in decisions if n.customer_link)
    if decisions and linked / len(decisions) < LINE_OF_SIGHT_SHARE:
        add(
            at(("nodes",), key=True),
            "warning",
            "line-of-sight",
            f"Only {linked} of {len(decisions)} decision nodes have a 'customer_link'. Say on at "
            f"least {LINE_OF_SIGHT_SHARE:.0%} of them how this role's work reaches the customer.",
        )
    for text_path, text in _markdown_texts(module):
        tag = HTML_TAG.search(text)
        if tag:
            add(
                at(text_path),
                "warning",
                "html-in-text",
                f"This text holds HTML ({tag.group(0)}), which learners would see as typed: texts are "
                "Markdown, and HTML in them is shown, never run. Write **bold**, *italics*, a blank "
                "line for a new paragraph, [a link](https://...).",
            )
    findings.extend(farming_findings(module, at))
    findings.extend(run_checks(module, grade))
    if source is not None:
        findings.extend(cut_text_findings(source))
    return grade, findings


# An HTML tag, not a Markdown autolink: <https://...> and <name@example.org> have ':' or '@'
# right after the first word.
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")


def _markdown_texts(module: Module) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Every text shown as Markdown, with its path: situations, feedback, ripples."""
    for node in module.nodes.values():
        yield ("nodes", node.id, "text"), node.text
        for index, choice in enumerate(node.choices):
            yield ("nodes", node.id, "choices", index, "feedback"), choice.feedback
    for index, ripple in enumerate(module.ripples):
        yield ("ripples", index, "text"), ripple.text


def _choices(module: Module) -> Iterable[tuple[tuple[str | int, ...], Any, str]]:
    for node in module.nodes.values():
        for index, choice in enumerate(node.choices):
            yield ("nodes", node.id, "choices", index), choice, node.id


def lint_text(text: str | bytes, path: str, roles: Mapping[str, Role] | None = None) -> ModuleReport:
    """Load and lint one module's text (used by the CLI, the service and the XBlock)."""
    report = ModuleReport(path)
    try:
        module = load_module(text, path)
    except ScenarioError as exc:
        report.findings = sorted(exc.findings + _unmodelled_findings(exc, roles))
        return report
    report.module = module
    report.grade, report.findings = lint_module(module, roles)
    return report


def _unmodelled_findings(exc: ScenarioError, roles: Mapping[str, Role] | None) -> list[Finding]:
    """For a module refused before it became a model: the checks that need only its text, so that
    a trainer fixing a typo is not sent back a second time for a cut text or an unknown role."""
    if exc.source is None:
        return []
    known = {(f.line, f.code) for f in exc.findings}
    extra = cut_text_findings(exc.source)
    role = exc.data.get("role") if isinstance(exc.data, dict) else None
    if isinstance(role, str) and roles:
        extra += unknown_role_findings(role, roles, exc.source)
    return [f for f in extra if (f.line, f.code) not in known]
