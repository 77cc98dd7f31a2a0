"""Lint and grading speed of the scenario core, and loading of the bundled library.

Prints figures; it is not a test. Targets on a 2-core machine:
- a 10,000-node module with two meters linted and graded in under 2 s;
- the whole bundled library loaded and validated in under 0.5 s.

Each size is timed in three phases (median of 3 runs): YAML parsing with positions,
validation (marshmallow schemas and reference checks), and lint with exhaustive
grading. Growth is shown as the per-node cost relative to the 100-node module of
the same shape, measured in the same run.

Run: python benchmarks/bench_core.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import bottleneck_module, tree_module

from cxtrain.scenario import bundled_path, lint_paths, load_library
from cxtrain.scenario.lint import lint_module
from cxtrain.scenario.loading import load_module
from cxtrain.scenario.yaml_loader import load_yaml


def median_time(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def phases(text: str) -> tuple[float, float, float, int, int]:
    parse = median_time(lambda: load_yaml(text))
    load = median_time(lambda: load_module(text, "bench.yaml"))

    def lint_and_grade() -> tuple:
        module = load_module(text, "bench.yaml")
        began = time.perf_counter()
        grade, findings = lint_module(module)
        errors = [f for f in findings if f.severity == "error"]
        assert not errors, errors[:3]
        return time.perf_counter() - began, grade.states, len(module.nodes)

    runs = [lint_and_grade() for _ in range(3)]
    lint = statistics.median(r[0] for r in runs)
    return parse, load - parse, lint, runs[0][1], runs[0][2]


def main() -> None:
    header = f"{'shape':<11}{'nodes':>7}{'KiB':>7}{'states':>9}{'parse s':>9}{'validate s':>11}"
    header += f"{'lint+grade s':>13}{'total s':>9}{'growth':>8}"
    print(header)
    for make in (tree_module, bottleneck_module):
        base = None
        for size in (100, 1_000, 10_000):
            text = make(size)
            parse, validate, lint, states, nodes = phases(text)
            total = parse + validate + lint
            per_node = total / nodes
            base = base or per_node
            print(
                f"{make.__name__.removesuffix('_module'):<11}{nodes:>7}{len(text) // 1024:>7}{states:>9}"
                f"{parse:>9.3f}{validate:>11.3f}{lint:>13.3f}{total:>9.3f}{per_node / base:>7.2f}x"
            )
    folder = bundled_path()
    seconds = median_time(lambda: load_library([folder]))
    library = load_library([folder])
    print(f"\nbundled library: {len(library.modules)} modules loaded and validated in {seconds:.3f} s (target < 0.5 s)")
    seconds = median_time(lambda: lint_paths([folder]), repeat=1)
    result = lint_paths([folder])
    print(f"bundled library: full lint (grading, checks) in {seconds:.3f} s, {len(result.findings)} findings")


if __name__ == "__main__":
    main()
