"""Grading: the best and worst totals over every feasible play-through.

A play-through's state is (node, meter values, flags, fired ripples). Meters are
clamped integers and flags and ripples are finite, so the set of states reachable
from the start is finite even when the module has cycles. We explore it once,
breadth first, with each state visited once (memoised); the best total is the
highest ``sum(weight * meter)`` over the reachable ending states and the worst the
lowest. Every reachable ending state is reached by some finite play-through, so
these are exact, and the breadth-first parent links give one shortest example
path to each.

    score = (total - worst) / (best - worst)

so a best play scores exactly 1.0 and a worst play exactly 0.0. When every play
ends on the same total, every play scores 1.0 (and lint warns).

Fallback: when more than ``STATE_LIMIT`` states are reachable, exploration stops
and the bounds become the meters' own ranges: ``best = sum(weight * max)`` and
``worst = sum(weight * min)``. Scores stay within [0, 1] but a best play may
score below 1.0; lint reports ``state-space-too-large`` so the trainer knows.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ._gc import paused_gc
from .engine import transition
from .model import Choice, Module

STATE_LIMIT = 200_000

PackedState = tuple[str, tuple[int, ...], int, int]


@dataclass(frozen=True, slots=True)
class Grade:
    best: float
    worst: float
    best_path: tuple[str, ...] = ()
    worst_path: tuple[str, ...] = ()
    best_ending: str | None = None
    worst_ending: str | None = None
    exact: bool = True
    states: int = 0

    def score(self, total: float) -> float:
        """The scaled score of a total, in [0, 1]."""
        if self.best <= self.worst:
            return 1.0
        value = (total - self.worst) / (self.best - self.worst)
        return min(1.0, max(0.0, value))


@dataclass(slots=True)
class Exploration:
    """The reachable state graph of a module, as far as it was explored."""

    module: Module
    states: list[PackedState] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    via: list[str] = field(default_factory=list)
    successors: list[list[int]] = field(default_factory=list)
    endings: list[int] = field(default_factory=list)
    no_choice: list[int] = field(default_factory=list)
    index: dict[PackedState, int] = field(default_factory=dict)
    _best: list[float | None] | None = None
    fired_ripples: int = 0
    complete: bool = True

    def path_to(self, index: int) -> tuple[str, ...]:
        """Choice ids from the start to the state ``index``."""
        steps: list[str] = []
        while index > 0:
            steps.append(self.via[index])
            index = self.parent[index]
        return tuple(reversed(steps))

    def dead_states(self) -> list[int]:
        """Reachable decision states from which no ending can be reached."""
        if not self.complete:
            return []
        predecessors: list[list[int]] = [[] for _ in self.states]
        for source, targets in enumerate(self.successors):
            for target in targets:
                predecessors[target].append(source)
        alive = [False] * len(self.states)
        queue = deque(self.endings)
        for index in self.endings:
            alive[index] = True
        while queue:
            for prev in predecessors[queue.popleft()]:
                if not alive[prev]:
                    alive[prev] = True
                    queue.append(prev)
        hidden = set(self.no_choice)
        return [i for i, ok in enumerate(alive) if not ok and i not in hidden]

    def best_reachable(self) -> list[float | None]:
        """For every state, the highest total of an ending reachable from it (None if none).

        Computed once per exploration: every finished attempt's ending page asks for it.
        """
        if self._best is None:
            self._best = self._compute_best_reachable()
        return self._best

    def _compute_best_reachable(self) -> list[float | None]:
        # Endings are taken from the highest total down; a backward search from each
        # claims the states that can reach it and were not claimed by a better one.
        predecessors: list[list[int]] = [[] for _ in self.states]
        for source, targets in enumerate(self.successors):
            for target in targets:
                predecessors[target].append(source)
        cm = self.module.compiled
        best: list[float | None] = [None] * len(self.states)
        for value, ending in sorted(((cm.total(self.states[i][1]), i) for i in self.endings), reverse=True):
            if best[ending] is not None:
                continue
            best[ending] = value
            queue = deque([ending])
            while queue:
                for prev in predecessors[queue.popleft()]:
                    if best[prev] is None:
                        best[prev] = value
                        queue.append(prev)
        return best

    def reached_nodes(self) -> set[str]:
        return {state[0] for state in self.states}

    def describe(self, index: int) -> str:
        """A trainer-readable account of a state: meters and flags."""
        _node, meters, flags, _ = self.states[index]
        module = self.module
        cm = module.compiled
        parts = [f"{m.id} {v}" for m, v in zip(module.meters, meters, strict=True)]
        set_flags = [f for f in module.flags if flags & (1 << cm.flag_bit[f])]
        if set_flags:
            parts.append("flags " + ", ".join(set_flags))
        path = self.path_to(index)
        route = " -> ".join(path) if path else "the start"
        return f"{', '.join(parts)} (after {route})"


def explore(module: Module, limit: int = STATE_LIMIT) -> Exploration:
    """Breadth-first search of every state reachable from the start."""
    with paused_gc():
        return _explore(module, limit)


def _explore(module: Module, limit: int) -> Exploration:
    cm = module.compiled
    nodes = module.nodes
    ripples = module.ripples
    when = cm.choice_when
    result = Exploration(module)
    states = result.states
    start: PackedState = (module.start, cm.starts, 0, 0)
    index = result.index
    index[start] = 0
    states.append(start)
    result.parent.append(-1)
    result.via.append("")
    queue: deque[int] = deque([0])
    while queue:
        current = queue.popleft()
        node_id, meters, flags, fired = states[current]
        node = nodes[node_id]
        targets: list[int] = []
        result.successors.append(targets)  # states leave the queue in index order
        if node.ending is not None:
            result.endings.append(current)
            continue
        offered = False
        for choice in node.choices:
            if not when[node_id, choice.id](meters, flags):
                continue
            offered = True
            new_meters, new_flags, new_fired, _ = transition(cm, ripples, choice, meters, flags, fired)
            key: PackedState = (choice.next, new_meters, new_flags, new_fired)
            target = index.get(key)
            if target is None:
                if len(states) >= limit:
                    result.complete = False
                    return result
                target = len(states)
                index[key] = target
                states.append(key)
                result.parent.append(current)
                result.via.append(choice.id)
                queue.append(target)
            targets.append(target)
            result.fired_ripples |= new_fired
        if not offered:
            result.no_choice.append(current)
    return result


def start_state(module: Module) -> PackedState:
    """The packed state an attempt starts in (see :func:`option_values`)."""
    return (module.start, module.compiled.starts, 0, 0)


def option_values(module: Module, state: PackedState) -> list[tuple[float, Choice, PackedState]]:
    """For each choice offered in ``state``: the best final total still reachable after it,
    the choice, and the state it leads to.

    The one place that decides whether a choice was a wrong turn: the ending page, daily
    practice and the trainers' insight all ask it. A choice after which no ending can be
    reached is valued minus infinity.
    """
    found = module.exploration
    best = found.best_reachable()
    cm = module.compiled
    node_id, meters, flags, fired = state
    options: list[tuple[float, Choice, PackedState]] = []
    for choice in module.nodes[node_id].choices:
        if not cm.choice_when[node_id, choice.id](meters, flags):
            continue
        after = transition(cm, module.ripples, choice, meters, flags, fired)
        key: PackedState = (choice.next, after[0], after[1], after[2])
        index = found.index.get(key)
        value = best[index] if index is not None else None
        options.append((value if value is not None else float("-inf"), choice, key))
    return options


def best_choices_along(module: Module, path: list[tuple[str, str]]) -> list[dict[str, object]]:
    """Where a play-through left the best path: at each such step, the choice that was better.

    Returns ``[{step, node, chosen, best, best_text}]`` for the steps where another
    visible choice could still have led to a higher final total.
    """
    if not module.exploration.complete:
        return []
    state = start_state(module)
    missed: list[dict[str, object]] = []
    for step, (node_id, choice_id) in enumerate(path, start=1):
        if state[0] != node_id:
            break
        options = option_values(module, state)
        chosen = next((o for o in options if o[1].id == choice_id), None)
        if chosen is None:
            break
        top = max(options, key=lambda o: o[0])
        if top[0] > chosen[0]:
            missed.append(
                {"step": step, "node": node_id, "chosen": choice_id, "best": top[1].id, "best_text": top[1].text}
            )
        state = chosen[2]
    return missed


def grade(module: Module, limit: int = STATE_LIMIT) -> Grade:
    """Exact best and worst totals with one example path each (see module docs)."""
    found = explore(module, limit)
    return grade_from(found)


def grade_from(found: Exploration) -> Grade:
    module = found.module
    cm = module.compiled
    if not found.complete or not found.endings:
        best = sum(m.weight * m.max for m in module.meters)
        worst = sum(m.weight * m.min for m in module.meters)
        return Grade(best, worst, exact=False, states=len(found.states))
    totals = [(cm.total(found.states[i][1]), i) for i in found.endings]
    # Ties go to the state found first, i.e. the shortest path.
    best_total, best_index = max(totals, key=lambda t: (t[0], -t[1]))
    worst_total, worst_index = min(totals, key=lambda t: (t[0], t[1]))
    return Grade(
        best=best_total,
        worst=worst_total,
        best_path=found.path_to(best_index),
        worst_path=found.path_to(worst_index),
        best_ending=found.states[best_index][0],
        worst_ending=found.states[worst_index][0],
        exact=True,
        states=len(found.states),
    )
