"""The command line, driven through click's runner and as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from cxtrain import __version__
from cxtrain.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "lint"
GOOD = str(FIXTURES / "good.yaml")


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def test_version() -> None:
    assert run("--version").output.strip() == f"cxtrain, version {__version__}"


def test_lint_clean_exits_zero() -> None:
    outcome = run("lint", GOOD)
    assert outcome.exit_code == 0, outcome.output


def test_lint_error_format_and_exit_code() -> None:
    outcome = run("lint", str(FIXTURES / "unknown-node.yaml"))
    assert outcome.exit_code == 1
    first = outcome.output.splitlines()[0]
    assert first.startswith(f"{FIXTURES / 'unknown-node.yaml'}:20:15: error: ")
    assert first.endswith("[unknown-node]")


def test_strict_turns_warnings_into_errors() -> None:
    path = str(FIXTURES / "missing-feedback.yaml")
    assert run("lint", path).exit_code == 0
    strict = run("lint", "--strict", path)
    assert strict.exit_code == 1 and ": error: " in strict.output


def test_lint_json() -> None:
    outcome = run("lint", "--format", "json", GOOD, str(FIXTURES / "unreachable-node.yaml"))
    data = json.loads(outcome.output)
    assert {m["id"] for m in data["modules"]} == {"good", "unreachable-node"}
    assert data["warnings"] == 1 and data["errors"] == 0
    assert data["findings"][0]["code"] == "unreachable-node"


def test_missing_path_is_an_error() -> None:
    outcome = run("lint", "does-not-exist.yaml")
    assert outcome.exit_code == 1 and "[not-found]" in outcome.output


def test_schema_is_valid_and_accepts_a_module_but_not_a_typo() -> None:
    schema = json.loads(run("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    module = yaml.safe_load((FIXTURES / "good.yaml").read_text())
    jsonschema.validate(module, schema)
    module["nodes"]["desk"]["choices"][0]["nxt"] = "done"
    validator = jsonschema.Draft202012Validator(schema)
    assert any("nxt" in e.message for e in validator.iter_errors(module))
    assert "description" in schema["properties"]["role"]


def test_scripted_play_json() -> None:
    outcome = run("play", GOOD, "--path", "route", "--json")
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output) == {
        "module": "good",
        "path": ["route"],
        "ending": "done",
        "meters": {"customer": 60, "employee": 50},
        "total": 110,
        "score": 1.0,
        "passed": True,
    }


def test_scripted_play_prints_each_step_as_a_learner_meets_it() -> None:
    outcome = run("play", GOOD, "--path", "route")
    assert outcome.exit_code == 0, outcome.output
    lines = [line for line in outcome.output.splitlines() if line]
    assert lines[0] == "Fixture good"
    situation, chosen = lines.index("A letter arrives."), lines.index("  > Route it to Care today")
    feedback = lines.index("Care gets it in time.")
    assert situation < chosen < feedback < lines.index("Ending: On time")
    assert lines[feedback + 1] == "Customer experience: 60/100  Employee experience: 50/100"
    assert lines[-1] == "Score 100% (passed; pass mark 70%)."


def test_scripted_play_refuses_an_unknown_choice() -> None:
    outcome = run("play", GOOD, "--path", "rout", "--json")
    assert outcome.exit_code != 0
    assert "step 1" in outcome.output and "route, keep" in outcome.output


def test_play_refuses_a_broken_module() -> None:
    outcome = run("play", str(FIXTURES / "unknown-node.yaml"))
    assert outcome.exit_code != 0 and "[unknown-node]" in outcome.output


def test_interactive_play_shows_meters_and_ending() -> None:
    outcome = run("play", GOOD, input="5\n2\n")
    assert outcome.exit_code == 0, outcome.output
    assert "Please type a number from 1 to 2." in outcome.output
    assert "The customer waits." in outcome.output
    assert "Customer experience: 40/100" in outcome.output
    assert "Ending: Late" in outcome.output and "Score 0%" in outcome.output


def test_console_script_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cxtrain.cli", "play", GOOD, "--path", "keep", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["passed"] is False


def test_lint_survives_a_deeply_nested_file(tmp_path: Path) -> None:
    # A separate process: before the depth limit, PyYAML's C composer overflowed the stack (SIGSEGV).
    deep = tmp_path / "deep.yaml"
    deep.write_text("id: deep\nnodes: " + "[" * 100_000 + "]" * 100_000 + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "cxtrain.cli", "lint", str(deep)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert f"{deep}:2:" in done.stdout and "[yaml-depth]" in done.stdout and "Traceback" not in done.stderr


def test_library_listing_by_role(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "t.yaml").write_text("id: t\ntitle: Walk\nmodules: [good]\n")
    outcome = run("library", str(tmp_path))
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[0] == "Clerical intern (clerical-intern)"
    assert lines[1].split()[:3] == ["good", "5", "min"]
    assert "Track t: Walk" in outcome.output
    markdown = run("library", "--markdown", str(tmp_path)).output
    assert "| **Fixture good** (`good`) | 5 | 1 | 2 |" in markdown
    assert "1. Fixture good (Clerical intern, `good`)" in markdown


def test_library_lists_what_it_can_and_exits_1_when_a_module_was_left_out(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    for args in (("library", str(tmp_path)), ("library", "--markdown", str(tmp_path))):
        outcome = run(*args)
        assert outcome.exit_code == 1 and "good" in outcome.output and "broken.yaml:" in outcome.output, args


def test_lint_checks_badges_of_a_library_folder(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text((FIXTURES / "good.yaml").read_text())
    (tmp_path / "badges.yaml").write_text(
        "badges:\n  first:\n    title: First\n    description: Passed one.\n    rule: {passes: 1, role: ceo-x}\n"
    )
    outcome = run("lint", str(tmp_path))
    assert outcome.exit_code == 1
    line = next(x for x in outcome.output.splitlines() if "[unknown-role]" in x)
    assert line.startswith(f"{tmp_path / 'badges.yaml'}:5:") and "Did you mean 'ceo'?" in line
    alone = run("lint", str(tmp_path / "badges.yaml"))
    assert "[unknown-role]" in alone.output


def test_bundled_library_including_badges_and_tracks_is_strict_clean() -> None:
    from cxtrain.scenario import bundled_path

    outcome = run("lint", "--strict", str(bundled_path()))
    assert outcome.exit_code == 0, outcome.output


def test_schema_into_a_missing_folder_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    result = run("schema", "-o", str(tmp_path / "no-such-folder" / "schema.json"))
    assert result.exit_code == 1 and "Cannot write" in result.output and "No such file or directory" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_port_and_worker_counts_out_of_range_are_refused_before_anything_starts() -> None:
    for args in (
        ("preview", "--port", "70000", "scenarios"),
        ("preview", "--port", "0", "scenarios"),  # the system's pick: the printed links could not name it
        ("serve", "--port", "-1"),
        ("serve", "--workers", "0"),
        ("serve", "--threads", "0"),
    ):
        result = run(*args)
        assert result.exit_code == 2 and "is not in the range" in result.output, args


def test_interactive_play_at_a_single_choice_asks_for_1(tmp_path: Path) -> None:
    module = tmp_path / "one.yaml"
    module.write_text(
        "id: one\ntitle: One way\nrole: clerical-intern\nstart: a\nnodes:\n"
        "  a:\n    text: Only one thing to do.\n    choices:\n      - {id: go, text: Go, next: b}\n"
        "  b:\n    text: Done.\n    ending: {title: Done}\n"
    )
    outcome = run("play", str(module), input="2\n1\n")
    assert outcome.exit_code == 0, outcome.output
    assert "Please type 1." in outcome.output and "from 1 to 1" not in outcome.output


def test_an_empty_roles_file_is_not_told_to_start_like_a_module(tmp_path: Path) -> None:
    roles = tmp_path / "roles.yaml"
    roles.write_text("")
    outcome = run("lint", "--roles", str(roles), GOOD)
    assert outcome.exit_code == 1 and f"{roles}:1:1: error: The file is empty." in outcome.output
    assert "A module starts with" not in outcome.output


def test_lint_json_gives_every_meter_weight_as_a_number_of_one_kind() -> None:
    outcome = run("lint", "--format", "json", GOOD)
    [module] = json.loads(outcome.output)["modules"]
    weights = [meter["weight"] for meter in module["meters"].values()]
    assert weights and all(isinstance(w, float) for w in weights)  # 1.0 as written 2.0 is, not 1
