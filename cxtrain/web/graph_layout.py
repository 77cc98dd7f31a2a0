"""Where a module's graph goes: boxes for the situations and a route for every arrow.

Layered layout, simple on purpose: columns by breadth-first depth from the start, rows by
the order nodes are first met. One arrow per pair of situations: the choices that lead to the
same next situation share it (its tooltip lists them; the tables below keep them apart), with
a stroke width proportional to how often it was followed and the count as a label.

A module deeper than fits in about BAND_WIDTH px folds into bands of columns read like lines
of text: left to right, then the next band below. Breadth-first depth sends every forward arrow
to the next column, so only the arrows leaving a band's last column cross a fold: they turn down
the right-hand gutter, run back under the band and come down the left-hand gutter into the
next band's first column. A fold moves left (bands of two columns at least) rather than cut a loop.

Arrows going back (loops) leave a box from its bottom and come into one from below. Within a
band a loop is a curve under the boxes when nothing between its ends is lower than they are (a
loop onto its own box hangs just under it); a loop up its own column rises in the gap beside it; any
other loop runs on a track under the band, and one across folds also climbs the outer left
gutter to run under its target's band. A box with others under it is left and entered through
the row gap below it and the gap right of its column. Every such run has a track (a row under
a band) or a lane (in a gutter or a column gap) of its own, so no arrow runs through a box.
A module of four columns or fewer is drawn as it was before bands, except for its loops that
would cross a box or that leave a box with another under it.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

from .graph_traffic import Arrow
from .insight_module import ModuleInsight

BOX_W, BOX_H = 160, 48
GAP_X, GAP_Y = 90, 36
MARGIN = 20
MAX_STROKE = 8.0
BELOW = 60  # room under the boxes for arrows that go back
BAND_WIDTH = 1000  # a laptop's content column: wider modules fold rather than scroll sideways
ENTRY = 28  # from the left gutter's inner lane to a first-column box: a rounded turn and a whole arrowhead
EXIT = 16  # from a box's right side to the first lane beside it: a rounded turn
LANE = 14  # between parallel vertical runs in a gutter or a column gap
TRACK = 22  # between parallel runs under a band: a count label fits above each
TRACK_PAD = 24  # above the first track (room for its label) and below the last one
# Under a box that is not the lowest of its column, where a route steps aside to the column gap:
JOG_OUT = 12  # leaving it
JOG_IN = 26  # entering it, with room for the arrowhead pointing up
RADIUS = 10  # of the rounded corners of a route with right angles

Point = tuple[float, float]


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


@dataclass(frozen=True, slots=True)
class Route:
    """How one arrow is drawn.

    ``kind`` says which way: within a band, "forward" (a curve to the next column), "back" (a
    curve under the boxes, for a loop with nothing lower between its ends) or "loop" (a loop
    that would cut through boxes, run under the band instead); across folds, "down" to the
    start of the next band or "up" to an earlier one. ``points`` are the corners of a route at
    right angles ("loop", "down", "up"), first to last, and the four control points of a curve.
    """

    kind: str
    d: str
    label: Point
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything goes: the top-left corner of each box, a route per (source, target)."""

    width: int
    height: int
    boxes: dict[str, Point]
    routes: dict[tuple[str, str], Route]
    bands: tuple[range, ...]  # the columns of each band, top to bottom


def columns_per_band(band_width: int = BAND_WIDTH) -> int:
    """As many columns as fit in ``band_width`` with the margins (4 at 1,000 px)."""
    return max(1, (band_width - 2 * MARGIN + GAP_X) // (BOX_W + GAP_X))


def bands(place: dict[str, tuple[int, int]], drawn: list[Arrow], most: int) -> tuple[range, ...]:
    """Split the columns into bands of at most ``most``, as even as they can be.

    A fold moves to the left (down to bands of two columns) rather than cut a loop, because a
    loop drawn across a fold takes the long way round.
    """
    cols = max(c for c, _ in place.values()) + 1
    loops = [(place[a.target][0], place[a.source][0]) for a in drawn if place[a.target][0] < place[a.source][0]]
    found: list[range] = []
    start = 0
    while cols - start > most:
        left = cols - start
        even = math.ceil(left / math.ceil(left / most))
        cut = next(
            (e for e in range(start + even, start + 1, -1) if not any(low < e <= high for low, high in loops)),
            start + even,
        )
        found.append(range(start, cut))
        start = cut
    found.append(range(start, cols))
    return tuple(found)


def stroke_width(count: int, peak: int) -> float:
    """An arrow's stroke: 1 for no traffic up to MAX_STROKE for the busiest arrow (``peak``)."""
    return 1.0 + (MAX_STROKE - 1.0) * count / peak


def layout(place: dict[str, tuple[int, int]], drawn: list[Arrow], band_width: int = BAND_WIDTH) -> Layout:
    """Boxes and routes for ``place`` (from layers()), folded into bands about ``band_width`` wide."""
    return _Bands(place, drawn, bands(place, drawn, columns_per_band(band_width))).layout()


def _curve(
    arrow: Arrow, boxes: dict[str, Point], place: dict[str, tuple[int, int]], stroke: float, nth_back: int
) -> Route:
    """An arrow within a band: a curve between columns, or a loop bending under the boxes."""
    (sx, sy), (tx, ty) = boxes[arrow.source], boxes[arrow.target]
    if place[arrow.target][0] > place[arrow.source][0]:  # forward: right side to left side
        x1, y1 = sx + BOX_W, sy + BOX_H / 2
        x2, y2 = tx - 2, ty + BOX_H / 2
        mid = (x1 + x2) / 2
        path = f"M {x1:.0f} {y1:.0f} C {mid:.0f} {y1:.0f}, {mid:.0f} {y2:.0f}, {x2:.0f} {y2:.0f}"
        controls = ((x1, y1), (mid, y1), (mid, y2), (x2, y2))
        return Route("forward", path, (mid, (y1 + y2) / 2 - stroke / 2 - 5), controls)
    # back or to itself: leave from the bottom, bend below, enter from the bottom
    drop = 30 + nth_back * 14
    x1, y1 = sx + BOX_W / 2 + 10, sy + BOX_H
    x2, y2 = tx + BOX_W / 2 - 10, ty + BOX_H + 2
    low = max(y1, y2) + drop
    path = f"M {x1:.0f} {y1:.0f} C {x1:.0f} {low:.0f}, {x2:.0f} {low:.0f}, {x2:.0f} {y2:.0f}"
    return Route("back", path, ((x1 + x2) / 2, low - 4), ((x1, y1), (x1, low), (x2, low), (x2, y2)))


def _rounded(points: list[Point]) -> str:
    """Path data through ``points`` (right angles), each corner rounded."""
    out = [f"M {points[0][0]:.0f} {points[0][1]:.0f}"]
    for (ax, ay), (bx, by), (cx, cy) in zip(points, points[1:], points[2:], strict=False):
        r = min(RADIUS, math.dist((ax, ay), (bx, by)) / 2, math.dist((bx, by), (cx, cy)) / 2)
        inx, iny = _toward((bx, by), (ax, ay), r)
        outx, outy = _toward((bx, by), (cx, cy), r)
        out.append(f"L {inx:.0f} {iny:.0f} Q {bx:.0f} {by:.0f} {outx:.0f} {outy:.0f}")
    out.append(f"L {points[-1][0]:.0f} {points[-1][1]:.0f}")
    return " ".join(out)


def _toward(a: Point, b: Point, r: float) -> Point:
    length = math.dist(a, b) or 1.0
    return a[0] + (b[0] - a[0]) * r / length, a[1] + (b[1] - a[1]) * r / length


class _Bands:
    """The layout of a module in one band or more; the module docstring says how arrows run."""

    def __init__(self, place: dict[str, tuple[int, int]], drawn: list[Arrow], folds: tuple[range, ...]) -> None:
        self.place, self.drawn, self.folds = place, drawn, folds
        self.band = {col: b for b, cols in enumerate(folds) for col in cols}
        self.peak = max((a.count for a in drawn), default=0) or 1
        self.lowest: dict[int, int] = {}
        for col, row in place.values():
            self.lowest[col] = max(row, self.lowest.get(col, 0))
        self.side_used: dict[tuple[int, int], int] = {}
        self.x0 = MARGIN

    def _of(self, node: str) -> tuple[int, int, int]:
        """(band, column within the band, row) of a node."""
        col, row = self.place[node]
        band = self.band[col]
        return band, col - self.folds[band].start, row

    def _is_lowest(self, node: str) -> bool:
        col, row = self.place[node]
        return row == self.lowest[col]

    def _kind(self, arrow: Arrow) -> str:
        (s_col, s_row), (t_col, t_row) = self.place[arrow.source], self.place[arrow.target]
        s_band, t_band = self.band[s_col], self.band[t_col]
        if s_band != t_band:
            return "down" if t_band > s_band else "up"
        if t_col > s_col:
            return "forward"
        if arrow.source == arrow.target:
            return "back"
        # The curve under the boxes stays clear only when nothing is lower than its two ends.
        deepest = max(s_row, t_row)
        clear = self._is_lowest(arrow.source) and self._is_lowest(arrow.target)
        if clear and all(self.lowest[c] <= deepest for c in range(t_col + 1, s_col)):
            return "back"
        return "loop"

    def layout(self) -> Layout:
        kind = {(a.source, a.target): self._kind(a) for a in self.drawn}
        count = len(self.folds)
        # Across a fold, the arrow to the highest target takes the innermost left lane, the lowest
        # track and the outermost right lane: arrows whose ends are in the same order never cross.
        folding = {
            b: sorted(
                (a for a in self.drawn if kind[a.source, a.target] == "down" and self._of(a.source)[0] == b),
                key=lambda a: (self.place[a.target][1], self.place[a.source][1]),
            )
            for b in range(count)
        }
        rank = {(a.source, a.target): i for fold in folding.values() for i, a in enumerate(fold)}
        ups = [a for a in self.drawn if kind[a.source, a.target] == "up"]
        up_lane = self._up_lanes(ups)
        inner = max(len(fold) for fold in folding.values())
        lanes = inner + max(up_lane.values(), default=-1) + 1
        self.x0 = MARGIN + (ENTRY + (lanes - 1) * LANE if lanes else 0)
        for b, fold in folding.items():
            if fold:  # right of a band's last column, the folds' lanes come first
                self.side_used[b, len(self.folds[b]) - 1] = len(fold)

        boxes: dict[str, Point] = {}
        tracks: dict[tuple[str, str, str], int] = {}  # (loop|entry|exit|down, source, target) -> y
        y = MARGIN
        for b, cols in enumerate(self.folds):
            in_band = [(n, p) for n, p in self.place.items() if p[0] in cols]
            for n, (col, row) in in_band:
                boxes[n] = (self.x0 + (col - cols.start) * (BOX_W + GAP_X), y + row * (BOX_H + GAP_Y))
            rows = max(row for _, (_, row) in in_band) + 1
            y += rows * BOX_H + (rows - 1) * GAP_Y
            curves = sum(1 for a in self.drawn if kind[a.source, a.target] == "back" and self._of(a.source)[0] == b)
            if curves:
                y += BELOW + 14 * (curves - 1)
            # Top to bottom: loops within the band (the shortest ways up), loops coming in from the
            # bands below, loops leaving for the bands above, and last the arrows to the next band,
            # which then turn down the left gutter without crossing any of the others.
            within = sorted(
                (
                    a
                    for a in self.drawn
                    if kind[a.source, a.target] == "loop" and self._of(a.source)[0] == b and not self._upward(a)
                ),
                key=lambda a: boxes[a.source][0] - boxes[a.target][0],
            )
            entering = sorted((a for a in ups if self._of(a.target)[0] == b), key=lambda a: boxes[a.target][0])
            leaving = sorted((a for a in ups if self._of(a.source)[0] == b), key=lambda a: boxes[a.source][0])
            rows_under = [("loop", a) for a in within] + [("entry", a) for a in entering]
            rows_under += [("exit", a) for a in leaving] + [("down", a) for a in reversed(folding[b])]
            if rows_under:
                y += TRACK_PAD
                for i, (what, a) in enumerate(rows_under):
                    tracks[what, a.source, a.target] = y + i * TRACK
                y += (len(rows_under) - 1) * TRACK + TRACK_PAD
            if b < count - 1:
                y += GAP_Y

        routes: dict[tuple[str, str], Route] = {}
        nth_back: dict[int, int] = {}
        for a in self.drawn:
            key = (a.source, a.target)
            stroke = stroke_width(a.count, self.peak)
            if kind[key] == "forward":
                routes[key] = _curve(a, boxes, self.place, stroke, 0)
            elif kind[key] == "back":
                band = self._of(a.source)[0]
                nth = nth_back.get(band, 0)
                if self._is_lowest(a.source):
                    nth_back[band] = nth + 1
                    routes[key] = _curve(a, boxes, self.place, stroke, nth)
                else:  # onto a box with another under it: a small loop in the gap, its count beside it
                    curve = _curve(a, boxes, self.place, stroke, 0)
                    x2, low = curve.points[-1][0], curve.points[-2][1]
                    routes[key] = replace(curve, label=(x2 - 14, low - 9))
            elif kind[key] == "loop" and self._upward(a):
                out, end = self._leave(a, boxes, None), self._enter(a, boxes, None)
                points = [*out, (out[-1][0], end[0][1]), *end]
                (ax, ay), (bx, _) = points[-3], points[-2]
                routes[key] = Route("loop", _rounded(points), ((ax + bx) / 2, ay - stroke / 2 - 4), tuple(points))
            elif kind[key] == "loop":
                under = tracks[("loop", *key)]
                points = self._leave(a, boxes, under) + self._enter(a, boxes, under)
                run = [x for x, py in points if py == under]
                label = ((run[0] + run[-1]) / 2, under - stroke / 2 - 4)
                routes[key] = Route("loop", _rounded(points), label, tuple(points))
            elif kind[key] == "down":
                fold = folding[self._of(a.source)[0]]
                (sx, sy), (tx, ty) = boxes[a.source], boxes[a.target]
                right = sx + BOX_W + EXIT + (len(fold) - 1 - rank[key]) * LANE
                low, left = tracks[("down", *key)], self._left_lane(rank[key])
                points = [
                    (sx + BOX_W, sy + BOX_H / 2),
                    (right, sy + BOX_H / 2),
                    (right, low),
                    (left, low),
                    (left, ty + BOX_H / 2),
                    (tx - 2, ty + BOX_H / 2),
                ]
                label = (right - 40, low - stroke / 2 - 4)  # under the band's end, where the eye leaves it
                routes[key] = Route("down", _rounded(points), label, tuple(points))
            else:
                out_y, in_y = tracks[("exit", *key)], tracks[("entry", *key)]
                gutter = self._left_lane(inner + up_lane[key])
                points = [*self._leave(a, boxes, out_y), (gutter, out_y), (gutter, in_y)]
                points += self._enter(a, boxes, in_y)
                drop_x = next(x for x, py in points if py == out_y)
                routes[key] = Route("up", _rounded(points), (drop_x - 24, out_y - stroke / 2 - 4), tuple(points))
        right_most = max([x + BOX_W for x, _ in boxes.values()] + [x for r in routes.values() for x, _ in r.points])
        return Layout(math.ceil(right_most + MARGIN), y + MARGIN, boxes, routes, self.folds)

    def _left_lane(self, i: int) -> int:
        return self.x0 - ENTRY - i * LANE

    def _side_lane(self, node: str) -> int:
        """A free lane in the gap right of a node's column, for a route stepping aside from it."""
        band, local, _ = self._of(node)
        j = self.side_used.get((band, local), 0)
        self.side_used[band, local] = j + 1
        return self.x0 + local * (BOX_W + GAP_X) + BOX_W + EXIT + j * LANE

    def _up_lanes(self, ups: list[Arrow]) -> dict[tuple[str, str], int]:
        """An outer left lane for each loop across folds; loops whose bands do not overlap share one."""
        reach: list[int] = []  # the lowest band each lane is used down to
        found: dict[tuple[str, str], int] = {}
        for a in sorted(ups, key=lambda a: (self._of(a.target)[0], self._of(a.source)[0])):
            top, bottom = self._of(a.target)[0], self._of(a.source)[0]
            lane = next((i for i, low in enumerate(reach) if low < top), len(reach))
            if lane == len(reach):
                reach.append(bottom)
            reach[lane] = bottom
            found[a.source, a.target] = lane
        return found

    def _upward(self, arrow: Arrow) -> bool:
        """A loop up its own column: it goes straight up the gap beside the column, not under the band."""
        (s_col, s_row), (t_col, t_row) = self.place[arrow.source], self.place[arrow.target]
        return s_col == t_col and t_row < s_row

    # A box with others under it in its column is left and entered through the row gap below it
    # and the gap right of its column, never straight through the boxes below. Leaving runs higher
    # in the row gap than entering, so that a box that is both does not get one run over the other.

    def _leave(self, arrow: Arrow, boxes: dict[str, Point], track: int | None) -> list[Point]:
        """From the bottom of the source down to ``track`` under its band, or just into the gap beside it."""
        sx, sy = boxes[arrow.source]
        x1 = sx + BOX_W / 2 + 10
        if track is not None and self._is_lowest(arrow.source):
            return [(x1, sy + BOX_H), (x1, track)]
        side = self._side_lane(arrow.source)
        points = [(x1, sy + BOX_H), (x1, sy + BOX_H + JOG_OUT), (side, sy + BOX_H + JOG_OUT)]
        return points if track is None else [*points, (side, track)]

    def _enter(self, arrow: Arrow, boxes: dict[str, Point], track: int | None) -> list[Point]:
        """From ``track`` under the target's band (or the gap beside it, in the same lane) up into its bottom."""
        tx, ty = boxes[arrow.target]
        x2 = tx + BOX_W / 2 - 10
        if track is not None and self._is_lowest(arrow.target):
            return [(x2, track), (x2, ty + BOX_H + 2)]
        end = [(x2, ty + BOX_H + JOG_IN), (x2, ty + BOX_H + 2)]
        if track is None:
            return end
        side = self._side_lane(arrow.target)
        return [(side, track), (side, ty + BOX_H + JOG_IN), *end]
