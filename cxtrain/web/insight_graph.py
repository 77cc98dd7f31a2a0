"""A picture of a module's graph with the traffic on each edge, as server-rendered SVG.

Layered layout, simple on purpose: columns by breadth-first depth from the start, rows by
the order nodes are first met. One arrow per pair of situations: the choices that lead to the
same next situation share it (its tooltip lists them; the tables below keep them apart), with
a stroke width proportional to how often it was followed and the count as a label. Arrows
going back (cycles) bend below the boxes. No script and no style attribute (the CSP forbids inline styles): only
SVG presentation attributes and classes from static/insight.css.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from markupsafe import Markup, escape

from .insight_module import ModuleInsight

BOX_W, BOX_H = 160, 48
GAP_X, GAP_Y = 90, 36
MARGIN = 20
MAX_STROKE = 8.0
ARROW_HEAD = 12  # in user units, whatever the stroke: a head scaled with a thick stroke hides the labels
BELOW = 60  # room under the boxes for arrows that go back
LABEL_CHARS = 22


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    choice: str
    choice_text: str
    target: str
    count: int


def layers(insight: ModuleInsight) -> dict[str, tuple[int, int]]:
    """(column, row) of every node: BFS depth from the start; unreachable nodes in a last column."""
    module = insight.module
    depth = {module.start: 0}
    queue = deque([module.start])
    while queue:
        node = module.nodes[queue.popleft()]
        for choice in node.choices:
            if choice.next not in depth and choice.next in module.nodes:
                depth[choice.next] = depth[node.id] + 1
                queue.append(choice.next)
    last = max(depth.values(), default=0) + 1
    for node_id in module.nodes:
        depth.setdefault(node_id, last)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for node_id in sorted(depth, key=lambda n: depth[n]):  # stable: BFS order within a column
        col = depth[node_id]
        place[node_id] = (col, rows.get(col, 0))
        rows[col] = rows.get(col, 0) + 1
    return place


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


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _xy(place: tuple[int, int]) -> tuple[float, float]:
    col, row = place
    return MARGIN + col * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y)


def render(insight: ModuleInsight) -> Markup:
    """The SVG element (already escaped), with a <title>, a <desc>, and a <title> on every edge."""
    place = layers(insight)
    drawn = arrows(edges(insight))
    peak = max((a.count for a in drawn), default=0) or 1
    cols = max(c for c, _ in place.values()) + 1
    rows = max(r for _, r in place.values()) + 1
    back = [a for a in drawn if place[a.target][0] <= place[a.source][0]]
    width = 2 * MARGIN + cols * BOX_W + (cols - 1) * GAP_X
    height = 2 * MARGIN + rows * BOX_H + (rows - 1) * GAP_Y + (BELOW + 14 * (len(back) - 1) if back else 0)
    out: list[str] = [
        f'<svg class="insight-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="graph-title graph-desc">',
        f'<title id="graph-title">Traffic through {escape(insight.module.title)}</title>',
        '<desc id="graph-desc">Boxes are situations; an arrow joins two situations and stands for every '
        "choice that leads from one to the other. It is thicker the more often it was followed, and its "
        "label is the count. The tables below give the numbers choice by choice.</desc>",
        f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" '
        f'markerWidth="{ARROW_HEAD}" markerHeight="{ARROW_HEAD}" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"/></marker></defs>',
    ]
    for arrow in drawn:
        out.append(_arrow(arrow, place, peak, back.index(arrow) if arrow in back else 0))
    for node in insight.nodes:
        x, y = _xy(place[node.id])
        kind = "ending" if node.ending else ("start" if node.id == insight.module.start else "decision")
        detail = f"{node.arrived} reached" if node.ending else f"{node.taken} choices, {node.quit} stopped here"
        out.append(
            f'<g class="node {kind}" data-node="{escape(node.id)}"><title>{escape(node.title)} ({escape(node.id)}): '
            f"{escape(detail)}</title>"
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="{14 if node.ending else 4}"/>'
            f'<text x="{x + 8}" y="{y + 19}" class="node-title">{escape(_short(node.title))}</text>'
            f'<text x="{x + 8}" y="{y + 37}" class="node-detail">{escape(_short(detail, 26))}</text></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text above went through escape()


def _arrow(arrow: Arrow, place: dict[str, tuple[int, int]], peak: int, nth_back: int) -> str:
    (sx, sy), (tx, ty) = _xy(place[arrow.source]), _xy(place[arrow.target])
    stroke = 1.0 + (MAX_STROKE - 1.0) * arrow.count / peak
    if place[arrow.target][0] > place[arrow.source][0]:  # forward: right side to left side
        x1, y1 = sx + BOX_W, sy + BOX_H / 2
        x2, y2 = tx - 2, ty + BOX_H / 2
        mid = (x1 + x2) / 2
        path = f"M {x1:.0f} {y1:.0f} C {mid:.0f} {y1:.0f}, {mid:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
        lx, ly = mid, (y1 + y2) / 2 - stroke / 2 - 5
    else:  # back or to itself: leave from the bottom, bend below, enter from the bottom
        drop = 30 + nth_back * 14
        x1, y1 = sx + BOX_W / 2 + 10, sy + BOX_H
        x2, y2 = tx + BOX_W / 2 - 10, ty + BOX_H + 2
        low = max(y1, y2) + drop
        path = f"M {x1:.0f} {y1:.0f} C {x1:.0f} {low:.0f}, {x2:.0f} {low:.0f}, {x2:.0f} {y2:.0f}"
        lx, ly = (x1 + x2) / 2, low - 4
    which = "; ".join(f"“{_short(e.choice_text, 40)}” {e.count}" for e in arrow.choices)
    label = f"{arrow.source} → {arrow.target}: {arrow.count} ({which})"
    return (
        f'<g class="edge" data-from="{escape(arrow.source)}" data-to="{escape(arrow.target)}" '
        f'data-count="{arrow.count}"><title>{escape(label)}</title>'
        f'<path d="{path}" stroke-width="{stroke:.1f}" marker-end="url(#arrow)"/>'
        f'<text x="{lx:.0f}" y="{ly:.0f}" class="edge-count" text-anchor="middle">{arrow.count}</text></g>'
    )


def histogram_bars(values: tuple[int, ...], width: int = 320, height: int = 120) -> Markup:
    """Score histogram as an SVG bar chart (bins of 0.1), labelled for screen readers."""
    peak = max(values, default=0) or 1
    bar = width / max(len(values), 1)
    parts = [
        f'<svg class="insight-histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" '
        f'width="{width}" height="{height + 20}" role="img" aria-labelledby="hist-title">'
        '<title id="hist-title">Finished attempts by score, in bins of 10 points</title>'
    ]
    for i, n in enumerate(values):
        h = height * n / peak
        low, high = i * 10, 100 if i == len(values) - 1 else i * 10 + 9
        parts.append(
            f'<g class="bin" data-bin="{i}" data-count="{n}"><title>score {low}–{high}: {n}</title>'
            f'<rect x="{i * bar + 2:.0f}" y="{height - h:.1f}" width="{bar - 4:.0f}" height="{h:.1f}"/>'
            f'<text x="{i * bar + bar / 2:.0f}" y="{height + 14}" text-anchor="middle">{low}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers only


def share_bar(share: float | None, width: int = 120) -> Markup:
    """A small horizontal bar for a share (0..1): SVG because a style attribute would break the CSP."""
    filled = 0.0 if share is None else max(0.0, min(1.0, share)) * width
    return Markup(  # noqa: S704 - numbers only
        f'<svg class="share-bar" width="{width}" height="12" viewBox="0 0 {width} 12" aria-hidden="true">'
        f'<rect class="track" width="{width}" height="12"/><rect class="fill" width="{filled:.1f}" height="12"/></svg>'
    )
