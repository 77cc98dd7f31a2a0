"""The arrows of a module's graph and the traffic on each, from a module's insight.

One arrow per pair of situations: the choices that lead to the same next situation share it,
and its count is the sum of theirs (the insight tables keep the choices apart).
"""

from __future__ import annotations

from dataclasses import dataclass

from .insight_module import ModuleInsight


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    choice: str
    choice_text: str
    target: str
    count: int


def edges(insight: ModuleInsight) -> list[Edge]:
    return [
        Edge(node.id, c.id, c.text, c.next, c.count)
        for node in insight.nodes
        for c in node.choices
        if c.next in insight.module.nodes
    ]


@dataclass(frozen=True, slots=True)
class Arrow:
    """What the picture draws between two situations: every choice from ``source`` to ``target``."""

    source: str
    target: str
    count: int
    choices: tuple[Edge, ...]


def arrows(all_edges: list[Edge]) -> list[Arrow]:
    """One arrow per (source, target), in the order the choices come; its count is their sum."""
    grouped: dict[tuple[str, str], list[Edge]] = {}
    for edge in all_edges:
        grouped.setdefault((edge.source, edge.target), []).append(edge)
    return [Arrow(s, t, sum(e.count for e in es), tuple(es)) for (s, t), es in grouped.items()]
