"""Playing a module: pure functions from an attempt's state and a choice to the next state.

The rules, in the order the format documents them. After a choice:

1. apply its ``effects``, each meter clamped to its range;
2. ``set`` its flags;
3. go through the ripples in file order; each one that has not fired yet in this
   attempt and whose ``when`` is now true fires: its effects apply (clamped), its
   flags are set, and it never fires again. A ripple sees the effects of those
   before it in the same step.

The state is plain data and round-trips through JSON, because the service and
the XBlock both store it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import Choice, CompiledModule, Module, Node, Ripple

STATE_FORMAT = 1


class PlayError(Exception):
    """A choice the engine refuses. ``code`` is stable for APIs."""

    code = "play-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleNode(PlayError):
    """The choice was made on a node that is no longer current (double click, old tab)."""

    code = "stale-node"


class ChoiceUnavailable(PlayError):
    """The choice does not exist at this node, or its condition hides it now."""

    code = "choice-unavailable"


class AttemptFinished(PlayError):
    """The attempt has reached an ending; no more choices."""

    code = "attempt-finished"


@dataclass(frozen=True, slots=True)
class Step:
    node: str
    choice: str


@dataclass(frozen=True, slots=True)
class AttemptState:
    module: str
    version: str
    node: str
    meters: Mapping[str, int]
    flags: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()
    path: tuple[Step, ...] = ()
    finished: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "module": self.module,
            "version": self.version,
            "node": self.node,
            "meters": dict(self.meters),
            "flags": list(self.flags),
            "fired": list(self.fired),
            "path": [[s.node, s.choice] for s in self.path],
            "finished": self.finished,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AttemptState:
        if data.get("format", STATE_FORMAT) != STATE_FORMAT:
            raise ValueError(f"unsupported attempt state format {data.get('format')!r}")
        return cls(
            module=str(data["module"]),
            version=str(data["version"]),
            node=str(data["node"]),
            meters={str(k): int(v) for k, v in data["meters"].items()},
            flags=tuple(data.get("flags", ())),
            fired=tuple(data.get("fired", ())),
            path=tuple(Step(str(n), str(c)) for n, c in data.get("path", ())),
            finished=bool(data.get("finished", False)),
        )

    @classmethod
    def from_json(cls, text: str) -> AttemptState:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one choice did: the new state, the choice's feedback, the ripples that fired."""

    state: AttemptState
    choice: Choice
    ripples: tuple[Ripple, ...] = ()
    deltas: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Result:
    """How a finished attempt ended and how it scores."""

    ending: Node
    total: float
    score: float
    passed: bool


def start(module: Module) -> AttemptState:
    """A fresh attempt at the module's start node."""
    return AttemptState(
        module=module.id,
        version=module.version,
        node=module.start,
        meters={m.id: m.start for m in module.meters},
        finished=module.nodes[module.start].is_ending,
    )


def current_node(module: Module, state: AttemptState) -> Node:
    return module.nodes[state.node]


def _packed(cm: CompiledModule, state: AttemptState) -> tuple[tuple[int, ...], int]:
    meters = tuple(state.meters[m] for m in cm.meter_index)
    return meters, cm.mask(tuple(state.flags))


def visible_choices(module: Module, state: AttemptState) -> list[Choice]:
    """The choices offered now: those of the current node whose ``when`` holds."""
    node = module.nodes[state.node]
    cm = module.compiled
    meters, flags = _packed(cm, state)
    return [c for c in node.choices if cm.choice_when[node.id, c.id](meters, flags)]


def transition(
    cm: CompiledModule,
    ripples: Sequence[Ripple],
    choice: Choice,
    meters: tuple[int, ...],
    flags: int,
    fired: int,
) -> tuple[tuple[int, ...], int, int, list[int]]:
    """The core rule on packed values: (meters, flags, fired-ripple bitmask) after ``choice``.

    Shared by :func:`choose` and the grader so that play and grading can never disagree.
    Returns the new values and the indexes of the ripples that fired.
    """
    meters = cm.apply(meters, cm.deltas(choice.effects))
    flags |= cm.mask(choice.set)
    fired_now: list[int] = []
    if not ripples:
        return meters, flags, fired, fired_now
    for index, ripple in enumerate(ripples):
        bit = 1 << index
        if not fired & bit and cm.ripple_when[index](meters, flags):
            fired |= bit
            fired_now.append(index)
            if ripple.effects:
                meters = cm.apply(meters, cm.deltas(ripple.effects))
            if ripple.set:
                flags |= cm.mask(ripple.set)
    return meters, flags, fired, fired_now


def choose(module: Module, state: AttemptState, node_id: str, choice_id: str) -> Outcome:
    """Apply the learner's choice ``choice_id`` made on node ``node_id``.

    Raises :class:`StaleNode` if ``node_id`` is not the current node,
    :class:`AttemptFinished` after an ending, and :class:`ChoiceUnavailable` for a
    choice that does not exist here or is hidden by its condition.
    """
    if state.finished:
        raise AttemptFinished("This attempt has already reached an ending.")
    if node_id != state.node:
        raise StaleNode(f"The choice was made on '{node_id}', but the attempt has moved on to '{state.node}'.")
    node = module.nodes[state.node]
    choice = node.choice(choice_id)
    cm = module.compiled
    meters, flags = _packed(cm, state)
    if choice is None:
        raise ChoiceUnavailable(f"There is no choice '{choice_id}' at '{node_id}'.")
    if not cm.choice_when[node.id, choice.id](meters, flags):
        raise ChoiceUnavailable(f"The choice '{choice_id}' is not available at this point.")
    fired_mask = sum(1 << i for i, r in enumerate(module.ripples) if r.id in state.fired)
    new_meters, new_flags, _, fired_now = transition(cm, module.ripples, choice, meters, flags, fired_mask)
    fired = tuple(module.ripples[i] for i in fired_now)
    flag_names = tuple(f for f in module.flags if new_flags & (1 << cm.flag_bit[f]))
    meter_ids = list(cm.meter_index)
    new_state = AttemptState(
        module=state.module,
        version=state.version,
        node=choice.next,
        meters=dict(zip(meter_ids, new_meters, strict=True)),
        flags=flag_names,
        fired=(*state.fired, *(r.id for r in fired)),
        path=(*state.path, Step(node_id, choice_id)),
        finished=module.nodes[choice.next].is_ending,
    )
    deltas = {m: new_meters[i] - meters[i] for i, m in enumerate(meter_ids)}
    return Outcome(new_state, choice, fired, deltas)


def replay(module: Module, path: Sequence[tuple[str, str] | Step | str]) -> AttemptState:
    """Rebuild an attempt from its choices: (node, choice) pairs, Steps, or bare choice ids."""
    state = start(module)
    for item in path:
        if isinstance(item, str):
            node_id, choice_id = state.node, item
        elif isinstance(item, Step):
            node_id, choice_id = item.node, item.choice
        else:
            node_id, choice_id = item
        state = choose(module, state, node_id, choice_id).state
    return state


def total(module: Module, state: AttemptState) -> float:
    """``sum(weight * meter)`` for the state's meters."""
    return sum(m.weight * state.meters[m.id] for m in module.meters)


def result(module: Module, state: AttemptState) -> Result:
    """Score a finished attempt against the module's graded best and worst totals."""
    if not state.finished:
        raise PlayError("The attempt has not reached an ending yet.")
    reached = total(module, state)
    score = module.grade.score(reached)
    return Result(module.nodes[state.node], reached, score, score >= module.pass_score)
