"""The small pure parts: grading policy, attempts, XP levels, YAML normalisation, stats."""

from __future__ import annotations

import pytest
from cxtrain_xblock import gamify, scoring, stats
from cxtrain_xblock.content import lint_yaml, normalize_yaml
from xblock_support import MODULE_YAML


@pytest.mark.parametrize(
    ("policy", "scores", "expected"),
    [("best", [], None), ("best", [0.5, 1.0, 0.25], 1.0), ("last", [0.5, 1.0, 0.25], 0.25)],
)
def test_policy_score(policy, scores, expected):
    assert scoring.policy_score(policy, scores) == expected


def test_attempts():
    assert scoring.attempts_left(0, 5) is None
    assert scoring.may_start(0, 99)
    assert scoring.attempts_left(2, 1) == 1
    assert not scoring.may_start(2, 2)


def test_xp_pays_only_the_improvement_and_levels_follow_the_shared_curve():
    assert gamify.xp_earned(40, 0.5, 0) == 20
    assert gamify.xp_earned(40, 1.0, 20) == 20
    assert gamify.xp_earned(40, 0.25, 40) == 0
    assert gamify.level(0).number == 1
    assert gamify.level(100).number == 2
    assert gamify.level(99).xp_next == 100


def test_normalize_yaml_is_idempotent():
    once = normalize_yaml("\n\n  a: 1\n  b:\n    c: 2   \n\n").text
    assert once == "a: 1\nb:\n  c: 2\n"
    assert normalize_yaml(once).text == once


def test_lint_positions_follow_the_text_as_typed():
    broken = "\n\n" + MODULE_YAML.replace("next: happy", "next: nowhere")
    report = lint_yaml(broken)
    assert report.module is None
    (finding,) = [f for f in report.findings if f.severity == "error"]
    line = broken.splitlines().index("        next: nowhere") + 1
    assert (finding.line, finding.column) == (line, 15)


def test_stats_reset_when_the_module_changes():
    counted = stats.count_choice({}, "v1", "counter", "search")
    assert counted["choices"] == {"counter": {"search": 1}}
    assert stats.count_choice(counted, "v2", "counter", "form")["choices"] == {"counter": {"form": 1}}


def test_shared_css_is_confined_to_the_block():
    from cxtrain_xblock.rendering import scope_css

    css = """/* c */ :root { --a: 1; } body, .x { color: red; }
    @media (max-width: 30rem) { main { padding: 0; } }
    @font-face { font-family: X; src: local(X); }"""
    scoped = scope_css(css, ".cxscenario")
    assert ".cxscenario {--a: 1;}" in scoped
    assert ".cxscenario, .cxscenario .x {color: red;}" in scoped
    assert "@media (max-width: 30rem) {\n.cxscenario main {padding: 0;}" in scoped
    assert "@font-face {" in scoped and ".cxscenario @font-face" not in scoped
