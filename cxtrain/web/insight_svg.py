"""The SVG pictures of the insight pages: a module's graph with its traffic, the score
histogram and share bars, drawn on the server.

No script and no style attribute (the CSP forbids inline styles): only SVG presentation
attributes and classes from static/insight.css.
"""

from __future__ import annotations

from flask_babel import gettext, ngettext
from markupsafe import Markup, escape

from .graph_layout import BOX_H, BOX_W, Route, layers, layout, stroke_width
from .graph_traffic import Arrow, arrows, edges
from .insight_module import ModuleInsight

ARROW_HEAD = 12  # in user units, whatever the stroke: a head scaled with a thick stroke hides the labels
LABEL_CHARS = 22


def render(insight: ModuleInsight) -> Markup:
    """The SVG element (already escaped), with a <title>, a <desc>, and a <title> on every edge."""
    place = layers(insight)
    drawn = arrows(edges(insight))
    peak = max((a.count for a in drawn), default=0) or 1
    shape = layout(place, drawn)
    width, height = shape.width, shape.height
    folded = (
        " "
        + gettext(
            "The module is long, so the picture wraps like lines of text: read each band left to right, "
            "then the band below; an arrow leaving the end of a band runs back under it to the start of the next."
        )
        if len(shape.bands) > 1
        else ""
    )
    about = gettext(
        "Boxes are situations; an arrow joins two situations and stands for every choice that leads from one "
        "to the other. It is thicker the more often it was followed, and its label is the count. The tables "
        "below give the numbers choice by choice."
    )
    title = gettext("Traffic through %(title)s", title=insight.module.title)
    out: list[str] = [
        f'<svg class="insight-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="graph-title graph-desc">',
        f'<title id="graph-title">{escape(title)}</title>',
        f'<desc id="graph-desc">{escape(about + folded)}</desc>',
        f'<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" '
        f'markerWidth="{ARROW_HEAD}" markerHeight="{ARROW_HEAD}" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"/></marker></defs>',
    ]
    for arrow in drawn:
        out.append(_arrow(arrow, shape.routes[arrow.source, arrow.target], stroke_width(arrow.count, peak)))
    for node in insight.nodes:
        x, y = shape.boxes[node.id]
        kind = "ending" if node.ending else ("start" if node.id == insight.module.start else "decision")
        detail = (
            ngettext("%(num)s reached", "%(num)s reached", node.arrived)
            if node.ending
            else gettext(
                # Two counts, each with its own plural: "1 choice, 3 stopped here".
                "%(choices)s, %(stopped)s",
                choices=ngettext("%(num)s choice", "%(num)s choices", node.taken),
                stopped=ngettext("%(num)s stopped here", "%(num)s stopped here", node.quit),
            )
        )
        out.append(
            f'<g class="node {kind}" data-node="{escape(node.id)}"><title>{escape(node.title)} ({escape(node.id)}): '
            f"{escape(detail)}</title>"
            f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="{14 if node.ending else 4}"/>'
            f'<text x="{x + 8}" y="{y + 19}" class="node-title">{escape(_short(node.title))}</text>'
            f'<text x="{x + 8}" y="{y + 37}" class="node-detail">{escape(_short(detail, 26))}</text></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every interpolated text above went through escape()


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _arrow(arrow: Arrow, route: Route, stroke: float) -> str:
    lx, ly = route.label
    which = "; ".join(f"“{_short(e.choice_text, 40)}” {e.count}" for e in arrow.choices)
    label = f"{arrow.source} → {arrow.target}: {arrow.count} ({which})"
    return (
        f'<g class="edge" data-from="{escape(arrow.source)}" data-to="{escape(arrow.target)}" '
        f'data-count="{arrow.count}"><title>{escape(label)}</title>'
        f'<path d="{route.d}" stroke-width="{stroke:.1f}" marker-end="url(#arrow)"/>'
        f'<text x="{lx:.0f}" y="{ly:.0f}" class="edge-count" text-anchor="middle">{arrow.count}</text></g>'
    )


def histogram_bars(values: tuple[int, ...], width: int = 320, height: int = 120) -> Markup:
    """Score histogram as an SVG bar chart (bins of 0.1), labelled for screen readers."""
    peak = max(values, default=0) or 1
    bar = width / max(len(values), 1)
    title = gettext("Finished attempts by score, in bins of 10 points")
    parts = [
        f'<svg class="insight-histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" '
        f'width="{width}" height="{height + 20}" role="img" aria-labelledby="hist-title">'
        f'<title id="hist-title">{escape(title)}</title>'
    ]
    for i, n in enumerate(values):
        h = height * n / peak
        low, high = i * 10, 100 if i == len(values) - 1 else i * 10 + 9
        label = gettext("score %(low)s–%(high)s: %(count)s", low=low, high=high, count=n)
        parts.append(
            f'<g class="bin" data-bin="{i}" data-count="{n}"><title>{escape(label)}</title>'
            f'<rect x="{i * bar + 2:.0f}" y="{height - h:.1f}" width="{bar - 4:.0f}" height="{h:.1f}"/>'
            f'<text x="{i * bar + bar / 2:.0f}" y="{height + 14}" text-anchor="middle">{low}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers, and the words went through escape()


def share_bar(share: float | None, width: int = 120) -> Markup:
    """A small horizontal bar for a share (0..1): SVG because a style attribute would break the CSP."""
    filled = 0.0 if share is None else max(0.0, min(1.0, share)) * width
    return Markup(  # noqa: S704 - numbers only
        f'<svg class="share-bar" width="{width}" height="12" viewBox="0 0 {width} 12" aria-hidden="true">'
        f'<rect class="track" width="{width}" height="12"/><rect class="fill" width="{filled:.1f}" height="12"/></svg>'
    )
