"""Immutable model objects of the module format (version 1).

A :class:`Module` only exists once it has passed structural and reference
checks (see :mod:`cxtrain.scenario.loading`); the engine and the grader can
therefore trust every name it contains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from .conditions import Evaluator, Expr, compile_condition

if TYPE_CHECKING:
    from .grading import Exploration, Grade
    from .source_map import SourceMap

FORMAT_VERSION = 1

Effects = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Meter:
    id: str
    label: str
    start: int = 50
    min: int = 0
    max: int = 100
    weight: float = 1.0


DEFAULT_METERS: tuple[Meter, ...] = (
    Meter("customer", "Customer experience"),
    Meter("employee", "Employee experience"),
)


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    next: str
    effects: Effects = ()
    set: tuple[str, ...] = ()
    when: str | None = None
    condition: Expr | None = field(default=None, compare=False, repr=False)
    feedback: str = ""


@dataclass(frozen=True, slots=True)
class Ending:
    title: str


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    text: str
    choices: tuple[Choice, ...] = ()
    ending: Ending | None = None
    customer_link: str | None = None
    title: str | None = None

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def choice(self, choice_id: str) -> Choice | None:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        return None


@dataclass(frozen=True, slots=True)
class Ripple:
    id: str
    when: str
    text: str
    effects: Effects = ()
    set: tuple[str, ...] = ()
    condition: Expr | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Expectation:
    ending: str | None = None
    passed: bool | None = None
    min_score: float | None = None
    max_score: float | None = None


@dataclass(frozen=True, slots=True)
class Check:
    path: tuple[str, ...]
    expect: Expectation
    name: str | None = None


@dataclass(frozen=True)
class Module:
    """One branching scenario. ``version`` is a hash of the file's exact text."""

    id: str
    title: str
    role: str
    start: str
    nodes: Mapping[str, Node]
    summary: str = ""
    language: str | None = None  # BCP 47 tag, normalised ("fr-CA"); None: not said, taken as the page's
    minutes: int = 5
    xp: int | None = None
    meters: tuple[Meter, ...] = DEFAULT_METERS
    pass_score: float = 0.7
    ripples: tuple[Ripple, ...] = ()
    checks: tuple[Check, ...] = ()
    format: int = FORMAT_VERSION
    version: str = field(default="", compare=False)
    source: SourceMap | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))

    @property
    def xp_value(self) -> int:
        """XP the module is worth: its own ``xp`` key, else ten points a minute."""
        return self.xp if self.xp is not None else 10 * self.minutes

    def meter(self, meter_id: str) -> Meter:
        for meter in self.meters:
            if meter.id == meter_id:
                return meter
        raise KeyError(meter_id)

    @cached_property
    def flags(self) -> tuple[str, ...]:
        """Every flag set anywhere in the module, in file order."""
        seen: dict[str, None] = {}
        for node in self.nodes.values():
            for choice in node.choices:
                seen.update(dict.fromkeys(choice.set))
        for ripple in self.ripples:
            seen.update(dict.fromkeys(ripple.set))
        return tuple(seen)

    @cached_property
    def compiled(self) -> CompiledModule:
        return CompiledModule(self)

    @cached_property
    def exploration(self) -> Exploration:
        """Every state reachable from the start (computed once, see grading.py)."""
        from .grading import explore

        return explore(self)

    @cached_property
    def grade(self) -> Grade:
        """Best and worst totals over every feasible play-through (computed once)."""
        from .grading import grade_from

        return grade_from(self.exploration)

    @property
    def decision_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.is_ending]

    @property
    def ending_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_ending]


def _always(meters: tuple[int, ...], flags: int) -> bool:
    return True


class CompiledModule:
    """Index-based form of a module for fast play and exhaustive grading.

    Meters become positions in a tuple, flags bits in an int, conditions closures.
    """

    def __init__(self, module: Module) -> None:
        self.meter_index = {m.id: i for i, m in enumerate(module.meters)}
        self.flag_bit = {f: i for i, f in enumerate(module.flags)}
        self.lows = tuple(m.min for m in module.meters)
        self.highs = tuple(m.max for m in module.meters)
        self.weights = tuple(m.weight for m in module.meters)
        self.starts = tuple(m.start for m in module.meters)
        self.choice_when: dict[tuple[str, str], Evaluator] = {}
        for node in module.nodes.values():
            for choice in node.choices:
                self.choice_when[node.id, choice.id] = self._compile(choice.condition)
        self.ripple_when = tuple(self._compile(r.condition) for r in module.ripples)
        # Grading applies the same few effects and flag sets hundreds of thousands of
        # times: translate each distinct one once.
        self._deltas: dict[Effects, tuple[int, ...] | None] = {}
        self._masks: dict[tuple[str, ...], int] = {}

    def _compile(self, expr: Expr | None) -> Evaluator:
        if expr is None:
            return _always
        return compile_condition(expr, self.meter_index, self.flag_bit)

    def deltas(self, effects: Effects) -> tuple[int, ...] | None:
        """Per-meter changes in meter order, or None when nothing changes."""
        try:
            return self._deltas[effects]
        except KeyError:
            out = [0] * len(self.starts)
            for meter_id, delta in effects:
                out[self.meter_index[meter_id]] += delta
            result = tuple(out) if any(out) else None
            self._deltas[effects] = result
            return result

    def mask(self, flags: tuple[str, ...]) -> int:
        try:
            return self._masks[flags]
        except KeyError:
            result = 0
            for flag in flags:
                result |= 1 << self.flag_bit[flag]
            self._masks[flags] = result
            return result

    def apply(self, meters: tuple[int, ...], deltas: tuple[int, ...] | None) -> tuple[int, ...]:
        """Add deltas to meters, each clamped to its range."""
        if deltas is None:
            return meters
        # A list comprehension, not a generator: this runs for every transition while grading.
        return tuple(
            [
                lo if (v := value + d) < lo else hi if v > hi else v
                for value, d, lo, hi in zip(meters, deltas, self.lows, self.highs, strict=True)
            ]
        )

    def total(self, meters: tuple[int, ...]) -> float:
        return sum(w * v for w, v in zip(self.weights, meters, strict=True))
