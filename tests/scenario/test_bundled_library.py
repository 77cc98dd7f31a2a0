"""The bundled library: lints clean with --strict, plays end to end, and is our own writing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxtrain.scenario import bundled_path, lint_paths, load_library, replay, result

ROOT = Path(__file__).parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
LADDER = [
    "clerical-intern",
    "frontline-associate",
    "customer-care-agent",
    "team-manager",
    "department-head",
    "executive",
    "ceo",
]


@pytest.fixture(scope="module")
def library():
    return load_library([bundled_path()])


def test_roles_are_the_ladder(library) -> None:
    assert [r.id for r in library.ladder()] == LADDER
    assert all(r.line_of_sight for r in library.roles.values())


def test_library_lints_clean_strict() -> None:
    outcome = lint_paths([bundled_path()])
    assert [f.format() for f in outcome.findings] == []


def test_every_module_grades_exactly_and_its_best_and_worst_play_through(library) -> None:
    assert library.modules, "the bundled library has no modules"
    for module in library.modules.values():
        grade = module.grade
        assert grade.exact, module.id
        assert result(module, replay(module, grade.best_path)).score == 1.0
        assert result(module, replay(module, grade.worst_path)).score == 0.0


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def _shingles(words: list[str], size: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts live in shared/, beside the repository")
def test_no_sentence_of_the_seed_texts_is_copied() -> None:
    seeds: set[tuple[str, ...]] = set()
    for path in SEEDS.glob("*.txt"):
        seeds |= _shingles(_words(path.read_text(errors="ignore")))
    copied = {}
    for path in bundled_path().rglob("*.yaml"):
        overlap = seeds & _shingles(_words(path.read_text()))
        if overlap:
            copied[path.name] = [" ".join(s) for s in sorted(overlap)[:3]]
    assert copied == {}


def test_docs_library_lists_every_module_with_its_minutes(library) -> None:
    doc = (ROOT / "docs" / "library.md").read_text()
    rows = dict(re.findall(r"\(`([a-z0-9-]+)`\) \| (\d+) \|", doc))
    assert set(rows) == set(library.modules)
    for module_id, minutes in rows.items():
        assert int(minutes) == library.modules[module_id].minutes, module_id
    listed = re.findall(r"^\d+\. `([a-z0-9-]+)`$", doc, flags=re.M)
    assert listed == list(library.tracks["one-customer"].modules)


def test_track_walks_the_ladder_in_order(library) -> None:
    track = library.tracks["one-customer"]
    roles = [library.modules[m].role for m in track.modules]
    assert roles == LADDER
