"""Trainer insight for one module: rates, score histogram, choice shares, quit points, wrong turns.

Counts come from cxtrain.store.insight across every version of the module; they are laid
on the *current* version's graph, and events whose node or choice no longer exists there
are left out. Quit points are computed per version from the flow through each node
(attempts that entered a node minus those that left it are still there), each with its
own version's graph, so an edited module does not skew them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..scenario.grading import option_values
from ..scenario.model import Module
from ..store import insight as queries
from .catalog import Catalog


@dataclass(frozen=True, slots=True)
class ChoiceShare:
    id: str
    text: str
    next: str
    count: int
    share: float | None  # of the node's choices taken; None when nobody chose here
    wrong: bool  # a worse choice than another on offer in most of the situations it is offered


@dataclass(frozen=True, slots=True)
class NodeInsight:
    id: str
    title: str
    ending: str | None
    taken: int  # choices made at this node
    arrived: int  # times the node was reached (start, arrivals through an edge)
    quit: int  # attempts that stopped here unfinished
    choices: tuple[ChoiceShare, ...]
    wrong_turn: ChoiceShare | None


@dataclass(frozen=True, slots=True)
class ModuleInsight:
    module: Module
    started: int
    finished: int
    passed: int
    histogram: tuple[int, ...]
    nodes: tuple[NodeInsight, ...]
    versions: int

    @property
    def completion_rate(self) -> float | None:
        return self.finished / self.started if self.started else None

    @property
    def pass_rate(self) -> float | None:
        """Passed among finished attempts (an unfinished attempt has no score yet)."""
        return self.passed / self.finished if self.finished else None

    def node(self, node_id: str) -> NodeInsight:
        return next(n for n in self.nodes if n.id == node_id)


_wrong_cache: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
_wrong_lock = threading.Lock()


def wrong_choices(module: Module) -> frozenset[tuple[str, str]]:
    """(node, choice) pairs that are a wrong turn: in most reachable situations where the choice
    is offered, another offered choice leads to a higher best final total.

    Per node and not per attempt, so that it needs no replay of anyone's path; computed once
    per module version from the graded state graph (empty when that graph was too big).
    """
    key = (module.id, module.version)
    with _wrong_lock:
        if key in _wrong_cache:
            return _wrong_cache[key]
    found = module.exploration
    worse: dict[tuple[str, str], int] = {}
    shown: dict[tuple[str, str], int] = {}
    if found.complete:
        for state in found.states:
            if module.nodes[state[0]].ending is not None:
                continue
            values = option_values(module, state)
            top = max((v for v, _, _ in values), default=float("-inf"))
            for value, choice, _ in values:
                key2 = (state[0], choice.id)
                shown[key2] = shown.get(key2, 0) + 1
                if value < top:
                    worse[key2] = worse.get(key2, 0) + 1
    result = frozenset(k for k, n in worse.items() if n * 2 > shown[k])
    with _wrong_lock:
        _wrong_cache[key] = result
    return result


def _flows(
    module: Module, version_edges: dict[tuple[str, str], int], started: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Arrivals at and stays in each node of one version: start + inflow, and start + inflow - outflow."""
    arrived: dict[str, int] = {module.start: started}
    left: dict[str, int] = {}
    for (node_id, choice_id), count in version_edges.items():
        node = module.nodes.get(node_id)
        choice = node.choice(choice_id) if node else None
        if choice is None:
            continue
        arrived[choice.next] = arrived.get(choice.next, 0) + count
        left[node_id] = left.get(node_id, 0) + count
    stayed = {n: max(0, arrived.get(n, 0) - left.get(n, 0)) for n, node in module.nodes.items() if node.ending is None}
    return arrived, stayed


def module_insight(db: Session, catalog: Catalog, module: Module, now: datetime | None = None) -> ModuleInsight:
    counts = queries.module_counts(db, module.id, now)
    by_version: dict[str, dict[tuple[str, str], int]] = {}
    for (version, node, choice), n in counts.edges.items():
        by_version.setdefault(version, {})[(node, choice)] = n
    arrived: dict[str, int] = {}
    quit_at: dict[str, int] = {}
    for summary in counts.versions:
        graph = module if summary.version == module.version else catalog.pinned(db, module.id, summary.version)
        if graph is None:
            continue
        got, stayed = _flows(graph, by_version.get(summary.version, {}), summary.started)
        for node_id, n in got.items():
            arrived[node_id] = arrived.get(node_id, 0) + n
        for node_id, n in stayed.items():
            quit_at[node_id] = quit_at.get(node_id, 0) + n
    taken: dict[tuple[str, str], int] = {}
    for (_version, node, choice), n in counts.edges.items():
        taken[node, choice] = taken.get((node, choice), 0) + n
    wrong = wrong_choices(module)
    nodes = []
    for node in module.nodes.values():
        total = sum(taken.get((node.id, c.id), 0) for c in node.choices)
        shares = tuple(
            ChoiceShare(
                c.id,
                c.text,
                c.next,
                taken.get((node.id, c.id), 0),
                taken.get((node.id, c.id), 0) / total if total else None,
                (node.id, c.id) in wrong,
            )
            for c in node.choices
        )
        wrong_taken = [s for s in shares if s.wrong and s.count > 0]
        nodes.append(
            NodeInsight(
                id=node.id,
                title=node.title or (node.ending.title if node.ending else node.id),
                ending=node.ending.title if node.ending else None,
                taken=total,
                arrived=arrived.get(node.id, 0),
                quit=quit_at.get(node.id, 0) if node.ending is None else 0,
                choices=shares,
                wrong_turn=max(wrong_taken, key=lambda s: s.count) if wrong_taken else None,
            )
        )
    return ModuleInsight(
        module=module,
        started=counts.started,
        finished=counts.finished,
        passed=counts.passed,
        histogram=counts.histogram,
        nodes=tuple(nodes),
        versions=len(counts.versions),
    )
