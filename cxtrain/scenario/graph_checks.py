"""Lint checks that need a module's whole graph or its explored states: reachability, states
where the learner is stuck or can never end, ripples that never fire, and score farming."""

from __future__ import annotations

from typing import Any

from .conditions import required_unset
from .findings import Finding
from .grading import Exploration
from .model import Module


def reachable_nodes(module: Module) -> set[str]:
    seen = {module.start}
    stack = [module.start]
    while stack:
        for choice in module.nodes[stack.pop()].choices:
            if choice.next not in seen:
                seen.add(choice.next)
                stack.append(choice.next)
    return seen


def state_findings(module: Module, found: Exploration, graph_reach: set[str], at: Any, add: Any) -> None:
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


def farming_findings(module: Module, at: Any) -> list[Finding]:
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
