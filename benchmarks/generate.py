"""Generated modules for the core benchmarks: realistic shapes at any size."""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml


def _choice(rng: random.Random, index: int, target: str, effects: bool = True) -> dict:
    choice = {"id": f"c{index}", "text": f"Option {index}", "next": target, "feedback": "Why it matters."}
    if effects:
        choice["effects"] = {"customer": rng.choice([-10, -5, 5, 10]), "employee": rng.choice([-5, 0, 5])}
    return choice


def tree_module(nodes: int, seed: int = 1) -> str:
    """A branching story: every decision has two or three choices, branches never merge.

    Each node is reached by exactly one path, so the reachable states grow with the
    node count: the common shape of hand-written modules, scaled up.
    """
    rng = random.Random(seed)
    body: dict[str, dict] = {}
    frontier = ["n0"]
    count = 1
    while frontier:
        name = frontier.pop(0)
        remaining = nodes - count
        if remaining <= 0:
            body[name] = {"text": "The end.", "ending": {"title": f"Ending {name}"}}
            continue
        width = min(rng.choice([2, 3]), remaining)
        children = [f"n{count + i}" for i in range(width)]
        count += width
        frontier.extend(children)
        body[name] = {
            "text": f"Situation {name}.",
            "customer_link": "How this reaches the customer.",
            "choices": [_choice(rng, i, child) for i, child in enumerate(children)],
        }
    return _dump("tree", body)


def bottleneck_module(nodes: int, seed: int = 1) -> str:
    """Branch and bottleneck: each chapter offers three branches that meet again.

    Meters then depend on the path taken, so one node is reached in many states; this
    is the hard case for exact grading.
    """
    rng = random.Random(seed)
    body: dict[str, dict] = {}
    chapters = max(1, (nodes - 1) // 4)
    for k in range(chapters):
        hub, nxt = f"h{k}", (f"h{k + 1}" if k + 1 < chapters else "end")
        branches = [f"h{k}b{i}" for i in range(3)]
        body[hub] = {
            "text": f"Chapter {k}.",
            "customer_link": "Line of sight.",
            "choices": [_choice(rng, i, b) for i, b in enumerate(branches)],
        }
        for b in branches:
            body[b] = {
                "text": "A branch.",
                "customer_link": "Line of sight.",
                "choices": [_choice(rng, 0, nxt), _choice(rng, 1, nxt, effects=False)],
            }
    body["end"] = {"text": "The end.", "ending": {"title": "The end"}}
    return _dump("bottleneck", body, start="h0")


def _dump(kind: str, body: dict, start: str = "n0") -> str:
    module = {
        "id": f"bench-{kind}",
        "title": f"Benchmark {kind}",
        "role": "clerical-intern",
        "meters": {"customer": {"start": 50, "weight": 2}, "employee": {"start": 50}},
        "start": start,
        "nodes": body,
        "ripples": [{"id": "strain", "when": "employee < 30", "effects": {"customer": -10}, "text": "Strain."}],
    }
    return yaml.safe_dump(module, sort_keys=False, width=1000)


def write_library(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """A library folder of ``count`` modules with ids of their own, each about the size of a bundled
    module (20 KiB) and, like them, with a few thousand to tens of thousands of states: in turn a
    100-node tree and branch-and-bottleneck modules of 60 and 70 nodes."""
    folder.mkdir(parents=True, exist_ok=True)
    shapes = (lambda s: tree_module(100, s), lambda s: bottleneck_module(60, s), lambda s: bottleneck_module(70, s))
    paths = []
    for index in range(count):
        module_id = f"generated-{index:04d}"
        text = shapes[index % len(shapes)](seed + index)
        text = re.sub(r"^id: .*$", f"id: {module_id}", text, count=1, flags=re.MULTILINE)
        path = folder / f"{module_id}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
