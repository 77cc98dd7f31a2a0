"""The cut-text rule in a library's other files: roles.yaml, the track files and badges.yaml.

Each case writes a small library folder (roles, one module, one track, badges) with one text
cut by a '#', lints the folder as ``cxtrain lint`` does, and checks the warning and where it is.
Badges belong to cxtrain.gamify, above the scenario core, so their cases run the command itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxtrain.cli import main
from cxtrain.scenario import lint_paths

CODE = "text-cut-by-comment"

ROLES = """\
format: 1
roles:
  clerical-intern:
    title: Clerical intern
    level: 1
    line_of_sight: Every form you file is something a customer relies on.
"""

MODULE = """\
id: parcel
title: The parcel
role: clerical-intern
start: counter
nodes:
  counter:
    text: A parcel is missing.
    choices:
      - {id: listen, text: Listen, next: done, effects: {customer: 10}, feedback: She calms down.}
      - {id: shrug, text: Shrug, next: done, effects: {customer: -10}, feedback: She leaves.}
  done:
    ending: {title: The end}
    text: Done.
"""

TRACK = """\
format: 1
id: first-week
title: Your first week
summary: Where every parcel starts.
modules:
  - parcel
"""


def lint_library(tmp_path: Path, roles: str = ROLES, track: str = TRACK) -> list[tuple[str, int, int, str]]:
    (tmp_path / "roles.yaml").write_text(roles)
    (tmp_path / "parcel.yaml").write_text(MODULE)
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "first-week.yaml").write_text(track)
    findings = lint_paths([tmp_path]).findings
    assert not [f for f in findings if f.severity == "error"], [f.format() for f in findings]
    return [(Path(f.path).name, f.line, f.column, f.message) for f in findings if f.code == CODE]


def test_the_base_library_has_no_cut_text(tmp_path: Path) -> None:
    assert lint_library(tmp_path) == []


@pytest.mark.parametrize(
    "old, new, line, column, fix",
    [
        ("title: Clerical intern", "title: Clerical intern #1", 4, 28, 'title: "Clerical intern #1"'),
        (
            "line_of_sight: Every form you file",
            "line_of_sight: Form #12 you file",
            6,
            25,
            'line_of_sight: "Form #12 you file is something a customer relies on."',
        ),
    ],
    ids=["role title", "line of sight"],
)
def test_a_cut_text_in_roles_yaml_is_warned(
    tmp_path: Path, old: str, new: str, line: int, column: int, fix: str
) -> None:
    [(name, at_line, at_column, message)] = lint_library(tmp_path, roles=ROLES.replace(old, new))
    assert (name, at_line, at_column) == ("roles.yaml", line, column), message
    assert f"Put the whole text in quotes: {fix}" in message


@pytest.mark.parametrize(
    "old, new, line, column, fix",
    [
        ("title: Your first week", "title: Week #1 at the desk", 3, 13, 'title: "Week #1 at the desk"'),
        ("summary: Where every", "summary: Parcel #1 is where every", 4, 17, 'summary: "Parcel #1 is where every'),
        (
            "summary: Where every parcel starts.\n",
            "summary: Where every\n  # parcel starts.\n",
            5,
            3,
            'summary: "Where every # parcel starts."',
        ),
    ],
    ids=["track title", "track summary", "track summary over two lines"],
)
def test_a_cut_text_in_a_track_is_warned(tmp_path: Path, old: str, new: str, line: int, column: int, fix: str) -> None:
    [(name, at_line, at_column, message)] = lint_library(tmp_path, track=TRACK.replace(old, new))
    assert (name, at_line, at_column) == ("first-week.yaml", line, column), message
    assert f"Put the whole text in quotes: {fix}" in message


def test_a_track_or_roles_file_named_alone_is_checked_too(tmp_path: Path) -> None:
    lint_library(tmp_path)
    (tmp_path / "roles.yaml").write_text(ROLES.replace("title: Clerical intern", "title: Intern #1"))
    (tmp_path / "tracks" / "first-week.yaml").write_text(TRACK.replace("title: Your", "title: Week #1,"))
    found = lint_paths([tmp_path / "roles.yaml", tmp_path / "tracks" / "first-week.yaml"]).findings
    assert sorted((Path(f.path).name, f.line) for f in found if f.code == CODE) == [
        ("first-week.yaml", 3),
        ("roles.yaml", 4),
    ]


def test_notes_in_roles_and_tracks_stay_quiet(tmp_path: Path) -> None:
    roles = ROLES.replace("level: 1", "level: 1  # the first rung").replace(
        "title: Clerical intern", "title: Intern  # x"
    )
    track = TRACK.replace("  - parcel", "  - parcel #1 first").replace("format: 1", "format: 1 # yes")
    assert lint_library(tmp_path, roles=roles, track=track) == []


BADGES = """\
format: 1
badges:
  first-parcel:
    title: First parcel
    description: You passed your first module.
    criteria: Pass any module.
    rule: {passes: 1}
"""


def lint_badges(tmp_path: Path, badges: str) -> list[tuple[str, int, int, str]]:
    lint_library(tmp_path)
    (tmp_path / "badges.yaml").write_text(badges)
    outcome = CliRunner().invoke(main, ["lint", "--format", "json", str(tmp_path)])
    findings = json.loads(outcome.output)["findings"]
    assert not [f for f in findings if f["severity"] == "error"], findings
    return [(Path(f["path"]).name, f["line"], f["column"], f["message"]) for f in findings if f["code"] == CODE]


def test_the_base_badges_have_no_cut_text(tmp_path: Path) -> None:
    assert lint_badges(tmp_path, BADGES) == []


@pytest.mark.parametrize(
    "old, new, line, column, fix",
    [
        ("title: First parcel", "title: Parcel #1", 4, 19, 'title: "Parcel #1"'),
        (
            "description: You passed your",
            "description: You passed module #1, your",
            5,
            36,
            'description: "You passed module #1, your first module."',
        ),
        ("criteria: Pass any", "criteria: Pass #any", 6, 20, 'criteria: "Pass #any module."'),
        (
            "criteria: Pass any module.\n",
            "criteria: Pass any\n      # module.\n",
            7,
            7,
            'criteria: "Pass any # module."',
        ),
    ],
    ids=["badge title", "badge description", "badge criteria", "badge criteria over two lines"],
)
def test_a_cut_text_in_badges_yaml_is_warned(
    tmp_path: Path, old: str, new: str, line: int, column: int, fix: str
) -> None:
    [(name, at_line, at_column, message)] = lint_badges(tmp_path, BADGES.replace(old, new))
    assert (name, at_line, at_column) == ("badges.yaml", line, column), message
    assert f"Put the whole text in quotes: {fix}" in message


def test_notes_in_badges_stay_quiet_and_a_badges_file_named_alone_is_checked(tmp_path: Path) -> None:
    quiet = BADGES.replace("title: First parcel", "title: First parcel  # shown on the card").replace(
        "rule: {passes: 1}", "rule: {passes: 1} # one is enough"
    )
    assert lint_badges(tmp_path, quiet) == []
    (tmp_path / "badges.yaml").write_text(BADGES.replace("title: First parcel", "title: Parcel #1"))
    outcome = CliRunner().invoke(main, ["lint", str(tmp_path / "badges.yaml")])
    assert f"{tmp_path / 'badges.yaml'}:4:19: warning: " in outcome.output and f"[{CODE}]" in outcome.output
