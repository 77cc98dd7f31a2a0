"""Every lint finding has a broken fixture; the finding must point at the marked line.

A fixture marks the line the finding should report with a trailing comment
``# <-- code``. Fixtures live in fixtures/lint/ and double as examples for
docs/authoring.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxtrain.scenario import lint_paths
from cxtrain.scenario.lint import lint_module
from cxtrain.scenario.loading import load_module

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
MARK = re.compile(r"#\s*<--\s*([a-z-]+)")


def marked(path: Path) -> tuple[str, int] | None:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = MARK.search(line)
        if match:
            return match.group(1), number
    return None


CASES = sorted(p for p in FIXTURES.glob("*.yaml") if marked(p))


@pytest.mark.parametrize("fixture", CASES, ids=[p.stem for p in CASES])
def test_finding_points_at_marked_line(fixture: Path) -> None:
    code, line = marked(fixture)  # type: ignore[misc]
    result = lint_paths([fixture])
    hits = [f for f in result.findings if f.code == code]
    assert hits, f"no {code} finding; got {[f.format() for f in result.findings]}"
    assert line in {f.line for f in hits}, [f.format() for f in hits]
    assert all(f.path == str(fixture) for f in hits)


def test_good_fixture_is_clean_even_strict() -> None:
    result = lint_paths([FIXTURES / "good.yaml"])
    assert result.findings == []
    assert not result.failed(strict=True)


def test_every_documented_code_has_a_fixture() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text()
    docs = docs[docs.index("## Lint codes") :]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", docs, flags=re.M))
    covered = {marked(p)[0] for p in CASES} | {
        "yaml-alias",
        "file-too-large",
        "state-space-too-large",
        "duplicate-module-id",
        "unknown-module",
        "not-found",
        "yaml-encoding",
        "yaml-key",
        "yaml-merge",
    }
    assert documented, "docs/authoring.md lists no lint codes"
    assert documented <= covered, documented - covered
    assert covered - {"yaml-key", "yaml-merge", "yaml-encoding"} <= documented, covered - documented


def test_alias_bomb_is_refused_quickly() -> None:
    import time

    began = time.perf_counter()
    result = lint_paths([FIXTURES / "yaml-alias.yaml"])
    assert time.perf_counter() - began < 1.0
    assert [f.code for f in result.findings] == ["yaml-alias"]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("id: big\n" + "# padding\n" * 500_000)
    result = lint_paths([big])
    assert [f.code for f in result.findings] == ["file-too-large"]
    assert "limit" in result.findings[0].message


def test_state_space_fallback_warns() -> None:
    module = load_module((FIXTURES / "good.yaml").read_text(), "good.yaml")
    grade, findings = lint_module(module, limit=2)
    assert not grade.exact
    assert "state-space-too-large" in {f.code for f in findings}
    # fallback bounds are the meters' ranges: customer 0..100 and employee 0..100, weight 1 each
    assert (grade.best, grade.worst) == (200, 0)


def test_duplicate_module_ids_across_files(tmp_path: Path) -> None:
    text = (FIXTURES / "good.yaml").read_text()
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    result = lint_paths([tmp_path])
    dupes = [f for f in result.findings if f.code == "duplicate-module-id"]
    assert len(dupes) == 1 and dupes[0].path.endswith("b.yaml") and dupes[0].line == 1
    assert "a.yaml:1" in dupes[0].message


def test_a_file_named_twice_is_linted_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "t.yaml").write_text("id: t\ntitle: T\nmodules:\n  - godo\n")
    twice = [tmp_path, tmp_path / "a.yaml", tmp_path / ".." / tmp_path.name / "a.yaml", tmp_path / "tracks" / "t.yaml"]
    result = lint_paths(twice)
    assert len(result.reports) == 1
    assert [f.code for f in result.findings if f.severity == "error"] == ["unknown-module"]  # not duplicates


def test_track_naming_a_missing_module(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "t.yaml").write_text("id: t\ntitle: T\nmodules:\n  - good\n  - godo\n")
    result = lint_paths([tmp_path])
    [finding] = [f for f in result.findings if f.code == "unknown-module"]
    assert finding.line == 5 and "Did you mean 'good'?" in finding.message


def test_a_local_roles_file_extends_the_bundled_ladder(tmp_path: Path) -> None:
    (tmp_path / "roles.yaml").write_text(
        "roles:\n  barista:\n    title: Barista\n    level: 1\n    line_of_sight: You pour it.\n"
    )
    good = (FIXTURES / "good.yaml").read_text()
    (tmp_path / "m.yaml").write_text(good)  # a bundled role: still on the ladder, as in the service
    (tmp_path / "b.yaml").write_text(good.replace("id: good", "id: brewed").replace("clerical-intern", "barista"))
    (tmp_path / "x.yaml").write_text(good.replace("id: good", "id: other").replace("clerical-intern", "baker"))
    result = lint_paths([tmp_path])
    [unknown] = result.findings
    assert unknown.code == "unknown-role" and unknown.path.endswith("x.yaml")
    assert "barista" in unknown.message and "clerical-intern" in unknown.message


def test_the_service_s_ladder_is_the_bundled_one_with_a_folder_s_roles_over_it(tmp_path: Path) -> None:
    from cxtrain.scenario.library import bundled_path, load_library

    (tmp_path / "roles.yaml").write_text(
        "roles:\n  barista:\n    title: Barista\n    level: 1\n    line_of_sight: You pour it.\n"
        "  clerical-intern:\n    title: Post room\n    level: 1\n    line_of_sight: Letters matter.\n"
    )
    library = load_library([bundled_path(), tmp_path])
    assert library.roles["barista"].title == "Barista" and library.roles["clerical-intern"].title == "Post room"
    assert "frontline-associate" in library.roles and not library.findings


def test_json_summary_has_bounds_and_paths() -> None:
    result = lint_paths([FIXTURES / "good.yaml"])
    [summary] = result.as_dict()["modules"]
    assert summary["best"] == {"total": 110, "path": ["route"], "ending": "done"}
    assert summary["worst"] == {"total": 90, "path": ["keep"], "ending": "late"}
    assert summary["decision_nodes"] == 1 and summary["endings"] == 2
    assert summary["meters"]["customer"]["max"] == 100


def test_a_module_saved_with_an_upper_case_suffix_is_linted_too(tmp_path: Path) -> None:
    (tmp_path / "Shouting.YAML").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "notes.txt").write_text("not a module")
    result = lint_paths([tmp_path])
    assert [r.module.id for r in result.reports if r.module] == ["good"]


def test_several_findings_at_one_place_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "short.yaml").write_text("id: x-y\ntitle: T\n")
    result = lint_paths([tmp_path / "short.yaml"])
    missing = [f.message for f in result.findings if f.code == "missing-key"]
    assert len(missing) == 3 and all(f"'{key}'" in " ".join(missing) for key in ("role", "start", "nodes"))
    assert result.as_dict()["errors"] == 3


def test_a_folder_s_track_may_name_the_bundled_modules_the_service_offers_beside_it(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "mine.yaml").write_text(
        "format: 1\nid: mine\ntitle: Mine\nsummary: s\nmodules: [good, frontline-okafor-counter, no-such-module]\n"
    )
    findings = lint_paths([tmp_path]).findings
    assert [(f.code, "no-such-module" in f.message) for f in findings] == [("unknown-module", True)]


def test_a_folder_s_badges_are_checked_against_the_bundled_library_and_the_folder(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cxtrain.cli import main

    (tmp_path / "good.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "badges.yaml").write_text(
        "format: 1\nbadges:\n  care-specialist:\n    title: Care specialist\n"
        "    description: Passed three care modules.\n    criteria: Pass three modules of the care role.\n"
        "    rule: {role: customer-care-agent}\n"
    )
    result = CliRunner().invoke(main, ["lint", "--strict", str(tmp_path)])
    assert result.exit_code == 0, result.output
