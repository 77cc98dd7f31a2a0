"""The bundled library: lints clean with --strict, plays end to end, and is our own writing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from outside import missing

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


def test_every_bundled_module_says_it_is_in_english(library) -> None:
    # So that French pages mark its text as English for screen readers (WCAG 3.1.2).
    assert {m.id: m.language for m in library.modules.values()} == dict.fromkeys(library.modules, "en")


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


def test_no_sentence_of_the_seed_texts_is_copied() -> None:
    if not SEEDS.is_dir():
        missing(f"the seed texts are not at {SEEDS} (shared/, beside the repository)", "CXTRAIN_REQUIRE_SEEDS")
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


def test_every_module_meets_the_library_bar(library) -> None:
    """The bar issue #4 sets for a module a trainer would run with real staff."""
    for module in library.modules.values():
        decisions = module.decision_nodes
        choices = [c for n in decisions for c in n.choices]
        meters = {m.id for m in module.meters}
        assert len(decisions) >= 8, module.id
        assert len(module.ending_nodes) >= 3, module.id
        assert {"customer", "employee"} <= meters, module.id
        assert any(c.when for c in choices), module.id
        assert module.ripples, module.id
        assert sum(1 for n in decisions if n.customer_link) >= 0.8 * len(decisions), module.id
        assert all(c.feedback.strip() for c in choices), module.id
        assert 5 <= module.minutes <= 10, module.id
        expectations = [c.expect for c in module.checks]
        assert any(e.passed is True for e in expectations), module.id
        assert any(e.passed is False for e in expectations), module.id
        assert len(expectations) >= 3, module.id
        # every ending is reachable by some play-through
        assert {n.id for n in module.ending_nodes} <= module.exploration.reached_nodes(), module.id


def test_every_module_plays_end_to_end_in_the_terminal(library) -> None:
    import json

    from click.testing import CliRunner

    from cxtrain.cli import main

    for module_id, path in library.paths.items():
        module = library.modules[module_id]
        outcome = CliRunner().invoke(main, ["play", path, "--path", ",".join(module.grade.best_path), "--json"])
        assert outcome.exit_code == 0, outcome.output
        data = json.loads(outcome.output)
        assert data["score"] == 1.0 and data["passed"] is True and data["ending"] == module.grade.best_ending
