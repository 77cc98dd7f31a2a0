"""The insight graph's layout: long modules fold into bands about a laptop wide, and stay legible."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from insighthelpers import play
from webhelpers import add_user, login

from cxtrain.scenario import Module, load_library, load_module
from cxtrain.scenario.library import bundled_path
from cxtrain.web.graph_layout import BELOW, BOX_H, BOX_W, MARGIN, Layout, Point, Route, layers, layout
from cxtrain.web.graph_traffic import arrows, edges
from cxtrain.web.insight_module import ChoiceShare, ModuleInsight, NodeInsight

LONG = "long-insight"


def linear(n: int, loops: tuple[tuple[int, int], ...] = (), module_id: str = LONG) -> str:
    """A module of ``n`` situations in a line (the last an ending), with a choice back from a to b per loop."""
    lines = [f"id: {module_id}", "title: The long shift", "role: frontline-associate", "start: s0", "nodes:"]
    for i in range(n - 1):
        lines += [f"  s{i}:", f"    title: Situation {i}", "    text: Something happens.", "    choices:"]
        lines += ["      - id: on", "        text: Go on", f"        next: s{i + 1}"]
        lines += [f"      - {{id: back{b}, text: Start again from {b}, next: s{b}}}" for a, b in loops if a == i]
    lines += [f"  s{n - 1}:", "    ending: {title: Done}", "    text: The shift is over."]
    return "\n".join(lines) + "\n"


def ladder(depth: int, loops: tuple[tuple[str, str], ...] = ()) -> str:
    """Two situations per step, each leading to both of the next step's: four arrows across every fold.

    A loop from a situation in the upper row leaves a box with another under it.
    """
    lines = ["id: ladder", "title: Ladder", "role: frontline-associate", "start: a0", "nodes:"]
    lines += [
        "  a0:",
        "    text: Start.",
        "    choices:",
        "      - {id: x, text: X, next: a1}",
        "      - {id: y, text: Y, next: b1}",
    ]
    for i in range(1, depth):
        for side in "ab":
            lines += [f"  {side}{i}:", "    text: A step.", "    choices:"]
            lines += [f"      - {{id: x, text: X, next: a{i + 1}}}", f"      - {{id: y, text: Y, next: b{i + 1}}}"]
            lines += [f"      - {{id: back, text: Back, next: {b}}}" for a, b in loops if a == f"{side}{i}"]
    lines += [
        f"  a{depth}:",
        "    ending: {title: Good}",
        "    text: Good.",
        f"  b{depth}:",
        "    ending: {title: Bad}",
    ]
    lines += ["    text: Bad."]
    return "\n".join(lines) + "\n"


SIBLINGS = """id: siblings
title: Siblings
role: frontline-associate
start: a
nodes:
  a:
    text: The start.
    choices:
      - {id: b, text: B, next: b}
      - {id: c, text: C, next: c}
      - {id: d, text: D, next: d}
  b:
    text: Upper.
    choices:
      - {id: e, text: E, next: e}
      - {id: again, text: Again, next: b}
  c:
    text: Middle.
    choices:
      - {id: up, text: Up, next: b}
      - {id: e, text: E, next: e}
      - {id: again, text: Again, next: c}
  d:
    text: Lower.
    choices:
      - {id: f, text: F, next: f}
      - {id: up, text: Up, next: b}
  e:
    ending: {title: E}
    text: E.
  f:
    text: Far.
    choices:
      - {id: start, text: Start over, next: a}
      - {id: c, text: C, next: c}
      - {id: g, text: G, next: g}
  g:
    ending: {title: G}
    text: G.
"""


def insight(module: Module) -> ModuleInsight:
    """The module with made-up traffic (every choice taken a different number of times)."""
    nodes = []
    for i, node in enumerate(module.nodes.values()):
        shares = tuple(
            ChoiceShare(c.id, c.text, c.next, 1 + (i * 7 + j * 5) % 40, None, False) for j, c in enumerate(node.choices)
        )
        title = node.title or (node.ending.title if node.ending else node.id)
        ending = node.ending.title if node.ending else None
        nodes.append(NodeInsight(node.id, title, ending, sum(s.count for s in shares), 1, 0, shares, None))
    return ModuleInsight(module, 1, 1, 1, (0,) * 10, tuple(nodes), 1)


def shape(module: Module) -> Layout:
    found = insight(module)
    return layout(layers(found), arrows(edges(found)))


def crosses(a: Point, b: Point, box: Point) -> bool:
    """Whether the straight (horizontal or vertical) run a-b goes inside the box."""
    x, y = box
    return max(a[0], b[0]) > x and min(a[0], b[0]) < x + BOX_W and max(a[1], b[1]) > y and min(a[1], b[1]) < y + BOX_H


def inside(p: Point, box: Point) -> bool:
    return box[0] < p[0] < box[0] + BOX_W and box[1] < p[1] < box[1] + BOX_H


def on_curve(controls: tuple[Point, ...], steps: int = 64) -> list[Point]:
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = controls
    found = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        found.append(
            (
                u**3 * ax + 3 * u * u * t * bx + 3 * u * t * t * cx + t**3 * dx,
                u**3 * ay + 3 * u * u * t * by + 3 * u * t * t * cy + t**3 * dy,
            )
        )
    return found


def label_hits(where: Point, text: str, box: Point) -> bool:
    """Whether a count label (11 px bold, centred on x, baseline at y) overlaps the box."""
    half = 3.5 * len(text)
    x, y = box
    return where[0] + half > x and where[0] - half < x + BOX_W and where[1] > y and where[1] - 11 < y + BOX_H


def bundled() -> list[Module]:
    return list(load_library([bundled_path()]).modules.values())


SHAPES: dict[str, Callable[[], list[Module]]] = {
    "linear 14": lambda: [load_module(linear(14), "t.yaml")],
    "linear 30": lambda: [load_module(linear(30), "t.yaml")],
    "loops across folds": lambda: [
        load_module(linear(16, loops=((9, 0), (6, 2), (12, 4), (4, 3), (15, 15))), "t.yaml")
    ],
    "ladder": lambda: [load_module(ladder(12), "t.yaml")],
    "ladder with loops": lambda: [
        load_module(
            ladder(12, loops=(("a9", "a1"), ("a6", "b2"), ("b10", "a5"), ("a11", "a11"), ("b4", "a4"))), "t.yaml"
        )
    ],
    "siblings in one band": lambda: [load_module(SIBLINGS, "t.yaml")],
    "the bundled modules": bundled,
}


def module(text: str) -> Module:
    return load_module(text, "test.yaml")


def test_a_module_that_fits_one_band_is_laid_out_as_before():
    found = shape(module(linear(4, loops=((2, 2),))))
    assert found.bands == (range(4),)
    assert (found.width, found.height) == (2 * MARGIN + 4 * BOX_W + 3 * 90, 2 * MARGIN + BOX_H + BELOW)
    assert [found.boxes[f"s{i}"] for i in range(4)] == [(MARGIN + i * (BOX_W + 90), MARGIN) for i in range(4)]
    assert found.routes["s2", "s2"].kind == "back"
    assert {r.kind for key, r in found.routes.items() if key != ("s2", "s2")} == {"forward"}


@pytest.mark.parametrize("n", [14, 30])
def test_a_long_line_folds_to_about_a_laptop_wide(n: int):
    found = shape(module(linear(n)))
    assert found.width <= 1000  # one band was 250 px a situation: 3,450 px for 14, 7,450 px for 30
    assert all(len(cols) <= 4 for cols in found.bands) and len(found.bands) == -(-n // 4)
    assert [c for cols in found.bands for c in cols] == list(range(n))
    assert found.height < 250 * len(found.bands)


@pytest.mark.parametrize("name", SHAPES)
def test_boxes_do_not_overlap_and_fit_in_the_picture(name: str):
    for each in SHAPES[name]():
        found = shape(each)
        boxes = sorted(found.boxes.values())
        for i, (x, y) in enumerate(boxes):
            assert x >= 0 and x + BOX_W <= found.width and y >= 0 and y + BOX_H <= found.height, (each.id, x, y)
            for ox, oy in boxes[i + 1 :]:
                assert not (abs(ox - x) < BOX_W and abs(oy - y) < BOX_H), (each.id, (x, y), (ox, oy))
        for key, route in found.routes.items():
            assert all(0 <= px <= found.width and 0 <= py <= found.height for px, py in route.points), (each.id, key)
            assert 0 <= route.label[0] <= found.width and 0 <= route.label[1] <= found.height, (each.id, key)


@pytest.mark.parametrize("name", SHAPES)
def test_no_arrow_runs_through_a_box_and_no_count_sits_on_one(name: str):
    for each in SHAPES[name]():
        found = shape(each)
        counts = {(a.source, a.target): str(a.count) for a in arrows(edges(insight(each)))}
        for key, route in found.routes.items():
            if route.kind in ("forward", "back"):
                samples = on_curve(route.points)
                assert not any(inside(p, box) for p in samples for box in found.boxes.values()), (each.id, key)
            else:
                runs = list(zip(route.points, route.points[1:], strict=False))
                assert all(a[0] == b[0] or a[1] == b[1] for a, b in runs), (each.id, key)  # right angles only
                for node, box in found.boxes.items():
                    assert not any(crosses(a, b, box) for a, b in runs), (each.id, key, node)
            for node, box in found.boxes.items():
                assert not label_hits(route.label, counts[key], box), (each.id, key, node)


def test_the_arrow_to_the_next_band_bends_down_and_back():
    found = shape(module(linear(14)))
    (sx, sy), (tx, ty) = found.boxes["s3"], found.boxes["s4"]
    route = found.routes["s3", "s4"]
    assert route.kind == "down" and ty > sy + BOX_H and tx < sx
    first, turn, down, back, left, last = route.points
    assert first == (sx + BOX_W, sy + BOX_H / 2) and last == (tx - 2, ty + BOX_H / 2)  # right side to left side
    assert turn[0] > sx + BOX_W and down[1] > sy + BOX_H and back[0] < tx and left[1] == last[1]
    assert ty > down[1]  # under the band it leaves, above the band it enters
    assert route.d.startswith(f"M {sx + BOX_W} {sy + BOX_H // 2} L") and " Q " in route.d


def test_parallel_arrows_across_a_fold_each_have_their_own_lanes():
    found = shape(module(ladder(12)))
    place = layers(insight(module(ladder(12))))
    by_fold: dict[int, list[Route]] = {}
    for (source, _), route in found.routes.items():
        if route.kind == "down":
            by_fold.setdefault(place[source][0], []).append(route)
    assert len(by_fold) == len(found.bands) - 1
    for routes in by_fold.values():
        assert len(routes) == 4
        right, under, left = ({r.points[i][axis] for r in routes} for i, axis in ((1, 0), (2, 1), (3, 0)))
        assert len(right) == len(under) == len(left) == 4  # down the right, under the band, down the left


def test_folds_move_left_rather_than_cut_a_loop():
    # Four columns would fold between s3 and s4, which the loop s4 -> s3 joins.
    found = shape(module(linear(8, loops=((4, 3),))))
    assert found.bands == (range(3), range(3, 6), range(6, 8))
    assert found.routes["s4", "s3"].kind == "back"


def test_loops_that_a_curve_would_draw_through_boxes_go_round_them():
    found = shape(module(SIBLINGS))
    kinds = {key: route.kind for key, route in found.routes.items()}
    assert kinds["b", "b"] == kinds["c", "c"] == "back"  # small loops, in the gap under their box
    assert kinds["c", "b"] == kinds["d", "b"] == "loop"  # up their own column, beside it
    assert kinds["f", "a"] == kinds["f", "c"] == "loop"  # under the band: the boxes in between are lower
    assert found.bands == (range(4),)


@pytest.fixture
def scenario_folders(tmp_path: Path) -> list[str]:
    folder = tmp_path / "long-modules"
    folder.mkdir()
    (folder / f"{LONG}.yaml").write_text(linear(30))
    return [str(folder)]


def test_the_insight_page_of_a_long_module_is_about_a_laptop_wide(app, client, trainer):
    add_user(app, "learner@example.org")
    play(client, "learner@example.org", LONG, ["on"] * 29, {})
    login(client, trainer)
    response = client.get(f"/trainer/insight/{LONG}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "style=" not in page
    svg = re.search(r'<svg class="insight-graph".*?</svg>', page, re.S).group(0)
    width, height = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    assert re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups() == (str(width), str(height))
    assert width <= 1000 and height < 2000  # one band was 7,450 x 88
    assert "read each band left to right" in svg
    drawn = re.findall(r'data-from="(s\d+)" data-to="(s\d+)" data-count="(\d+)"><title>', svg)
    assert drawn == [(f"s{i}", f"s{i + 1}", "1") for i in range(29)]
    boxes = [(float(x), float(y)) for x, y in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="160"', svg)]
    assert len(boxes) == 30 and all(x + BOX_W <= width and y + BOX_H <= height for x, y in boxes)
    assert svg.count("<title>") == 30 + 29  # every box and every arrow keeps its text for screen readers


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", ("1 choice, 1 stopped here", "1 reached"), ("2 choices, 3 stopped here", "2 reached")),
        ("fr", ("1 choix, 1 arrêt ici", "1 arrivée"), ("2 choix, 3 arrêts ici", "2 arrivées")),
    ],
)
def test_a_box_s_counts_take_their_plural_each(app, language: str, one: tuple[str, str], many: tuple[str, str]):
    from dataclasses import replace

    from flask_babel import force_locale

    from cxtrain.web.insight_svg import render

    module = load_module(SIBLINGS, "siblings.yaml")
    found = insight(module)
    for counts, (decision, ending) in (((1, 1, 1), one), ((2, 3, 2), many)):
        taken, quit_, arrived = counts
        nodes = tuple(replace(n, taken=taken, quit=quit_, arrived=arrived) for n in found.nodes)
        with app.test_request_context(), force_locale(language):
            svg = str(render(replace(found, nodes=nodes)))
        assert f'data-node="a"><title>a (a): {decision}</title>' in svg
        assert f'data-node="e"><title>E (e): {ending}</title>' in svg
