"""Lint: everything a trainer should hear about a module before learners play it.

Loading already refuses broken YAML, unknown keys and dangling names. Lint adds
what needs the whole graph: unreachable nodes, states that can never end,
states where every choice is hidden, failing play-tests, score farming, modules
that always score the same, plus the library-wide checks (roles, unique ids,
tracks).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import engine
from .conditions import required_unset
from .findings import Finding, ScenarioError
from .grading import STATE_LIMIT, Exploration, Grade, explore, grade_from
from .library import (
    BADGES_FILE,
    TRACKS_DIR,
    Role,
    Track,
    find_roles_file,
    load_track,
    module_files,
    read_roles,
    role_findings,
    track_findings,
    unknown_role_findings,
)
from .loading import load_module
from .model import Module
from .text_cuts import cut_text_findings

LINE_OF_SIGHT_SHARE = 0.8
"""Share of decision nodes that should say how the role reaches the customer."""


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
    graph_reach = _reachable(module)
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
        _state_findings(module, found, graph_reach, at, add)
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
    findings.extend(_farming(module, at))
    findings.extend(run_checks(module, grade))
    if source is not None:
        findings.extend(cut_text_findings(source))
    return grade, findings


def _choices(module: Module) -> Iterable[tuple[tuple[str | int, ...], Any, str]]:
    for node in module.nodes.values():
        for index, choice in enumerate(node.choices):
            yield ("nodes", node.id, "choices", index), choice, node.id


def _reachable(module: Module) -> set[str]:
    seen = {module.start}
    stack = [module.start]
    while stack:
        for choice in module.nodes[stack.pop()].choices:
            if choice.next not in seen:
                seen.add(choice.next)
                stack.append(choice.next)
    return seen


def _state_findings(module: Module, found: Exploration, graph_reach: set[str], at: Any, add: Any) -> None:
    reported: set[tuple[str, str]] = set()
    for index in found.no_choice:
        node_id = found.states[index][0]
        if (node_id, "all-hidden") not in reported:
            reported.add((node_id, "all-hidden"))
            add(
                at(("nodes", node_id), key=True),
                "error",
                "all-hidden",
                f"Every choice of '{node_id}' is hidden by its condition when {found.describe(index)}, "
                "so the learner is stuck. Add a choice without 'when', or loosen the conditions.",
            )
    for index in found.dead_states():
        node_id = found.states[index][0]
        if (node_id, "dead-end") not in reported:
            reported.add((node_id, "dead-end"))
            add(
                at(("nodes", node_id), key=True),
                "error",
                "dead-end",
                f"From '{node_id}', when {found.describe(index)}, no ending can be reached: every "
                "path loops forever. Add a way out of the loop to an ending.",
            )
    reached = found.reached_nodes()
    for node_id in module.nodes:
        if node_id in graph_reach and node_id not in reached:
            add(
                at(("nodes", node_id), key=True),
                "warning",
                "never-reached",
                f"No play-through reaches '{node_id}': the conditions on the way always hide it. "
                "Check the 'when' of the choices that lead here.",
            )
    for index, ripple in enumerate(module.ripples):
        if not found.fired_ripples & (1 << index):
            add(
                at(("ripples", index, "when")),
                "warning",
                "ripple-never-fires",
                f"The ripple '{ripple.id}' never fires in any play-through: '{ripple.when}' is "
                "never true after a choice. Adjust its condition or the effects.",
            )


def _self_limiting(choice: Any) -> bool:
    """A choice that sets a flag its own condition requires to be unset can be taken once."""
    if choice.condition is None:
        return False
    return bool(required_unset(choice.condition) & set(choice.set))


def _farming(module: Module, at: Any) -> list[Finding]:
    """Warn about loops that can raise a meter again and again."""
    path = module.source.path if module.source else "<text>"
    out: list[Finding] = []
    for component in _cycles(module):
        edges = [
            (node_id, index, choice)
            for node_id in component
            for index, choice in enumerate(module.nodes[node_id].choices)
            if choice.next in component and not _self_limiting(choice)
        ]
        for meter in module.meters:
            gains = [(n, i, c) for n, i, c in edges if dict(c.effects).get(meter.id, 0) > 0]
            if not gains:
                continue
            if _positive_cycle(component, edges, meter.id):
                node_id, index, choice = gains[0]
                line, col = at(("nodes", node_id, "choices", index, "id"))
                out.append(
                    Finding(
                        path,
                        line,
                        col,
                        "warning",
                        "score-farming",
                        f"The choice '{choice.id}' raises '{meter.id}' on a loop ({', '.join(sorted(component)[:5])}) "
                        "that a learner can go round again and again. Make the loop cost as much as it "
                        "gives, or let it be taken once: when: not asked, set: [asked].",
                    )
                )
    return out


def _cycles(module: Module) -> list[set[str]]:
    """Strongly connected components with a cycle (Tarjan's algorithm, iterative)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[set[str]] = []
    counter = 0
    for root in module.nodes:
        if root in index_of:
            continue
        work = [(root, 0)]
        while work:
            node_id, child = work.pop()
            if child == 0:
                index_of[node_id] = low[node_id] = counter
                counter += 1
                stack.append(node_id)
                on_stack.add(node_id)
            choices = module.nodes[node_id].choices
            if child < len(choices):
                work.append((node_id, child + 1))
                target = choices[child].next
                if target not in index_of:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node_id] = min(low[node_id], index_of[target])
                continue
            if low[node_id] == index_of[node_id]:
                component = set()
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.add(top)
                    if top == node_id:
                        break
                looped = len(component) > 1 or any(c.next == node_id for c in choices)
                if looped:
                    result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node_id])
    return result


def _positive_cycle(component: set[str], edges: list[tuple[str, int, Any]], meter_id: str) -> bool:
    """Is there a cycle in the component whose net effect on the meter is positive?"""
    if all(dict(c.effects).get(meter_id, 0) >= 0 for _, _, c in edges):
        return True  # a gaining edge lies on a cycle and nothing on it costs
    if len(component) > 2000:
        return False  # too large to check cheaply; stay quiet rather than guess
    # Bellman-Ford on negated weights: a negative cycle there is a gaining cycle here.
    dist = dict.fromkeys(component, 0)
    for _ in range(len(component)):
        changed = False
        for node_id, _, choice in edges:
            weight = -dict(choice.effects).get(meter_id, 0)
            if dist[node_id] + weight < dist[choice.next]:
                dist[choice.next] = dist[node_id] + weight
                changed = True
        if not changed:
            return False
    return True


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


def lint_paths(paths: Sequence[Path | str], roles_file: Path | None = None) -> LintResult:
    """Lint files and folders as one library: per-module findings plus library-wide ones."""
    result = LintResult()
    files: list[Path] = []
    tracks: list[Track] = []

    def add_track(track_path: Path) -> None:
        try:
            track = load_track(track_path)
        except ScenarioError as exc:
            result.extra.extend(exc.findings)
            return
        tracks.append(track)
        if track.source is not None:
            result.extra.extend(cut_text_findings(track.source))

    def add_roles(path: Path) -> Mapping[str, Role]:
        try:
            roles, source = read_roles(path)
        except ScenarioError as exc:
            result.extra.extend(exc.findings)
            return {}
        result.extra.extend(cut_text_findings(source))
        return roles

    for raw in paths:
        target = Path(raw)
        if target.is_dir():
            files.extend(module_files(target))
            tracks_dir = target / TRACKS_DIR
            if tracks_dir.is_dir():
                for track_path in sorted(tracks_dir.glob("*.y*ml")):
                    add_track(track_path)
        elif target.is_file():
            if target.parent.name == TRACKS_DIR:
                add_track(target)
                continue
            if target.name == BADGES_FILE:
                continue  # badges are checked by cxtrain.gamify (see cli.py)
            if target.name == "roles.yaml":
                add_roles(target)
                continue
            files.append(target)
        else:
            result.extra.append(Finding(str(target), 1, 1, "error", "not-found", "No such file or folder."))
    roles_cache: dict[Path, Mapping[str, Role]] = {}
    first_seen: dict[str, tuple[str, int]] = {}
    for file in files:
        roles_path = roles_file or find_roles_file(file)
        if roles_path not in roles_cache:
            roles_cache[roles_path] = add_roles(roles_path)
        try:
            text = file.read_bytes()
        except OSError as exc:
            result.extra.append(Finding(str(file), 1, 1, "error", "not-found", f"Cannot read: {exc}"))
            continue
        report = lint_text(text, str(file), roles_cache[roles_path])
        result.reports.append(report)
        module = report.module
        if module is not None:
            line, col = module.source.at(("id",)) if module.source else (1, 1)
            if module.id in first_seen:
                other, other_line = first_seen[module.id]
                report.findings.append(
                    Finding(
                        str(file),
                        line,
                        col,
                        "error",
                        "duplicate-module-id",
                        f"The module id '{module.id}' is already used by {other}:{other_line}. "
                        "Module ids must be unique in a library; rename one.",
                    )
                )
            else:
                first_seen[module.id] = (str(file), line)
    if tracks:
        result.extra.extend(track_findings(tracks, first_seen))
    return result
