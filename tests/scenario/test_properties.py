"""Property-based tests over generated modules (hypothesis)."""

from __future__ import annotations

import random

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxtrain.scenario import AttemptState, choose, lint_text, replay, result, start, visible_choices

CONDITIONS = ["customer >= 40", "employee < 60", "not helped", "helped or customer > 55", "customer != employee"]


@st.composite
def modules(draw: st.DrawFn) -> str:
    decisions = draw(st.integers(1, 6))
    endings = draw(st.integers(1, 3))
    names = [f"n{i}" for i in range(decisions)] + [f"e{i}" for i in range(endings)]
    nodes: dict[str, dict] = {}
    for i in range(decisions):
        choices = []
        for j in range(draw(st.integers(1, 3))):
            choice = {
                "id": f"c{j}",
                "text": f"Choice {j}",
                "next": draw(st.sampled_from(names)),
                "feedback": "Because.",
                "effects": {
                    "customer": draw(st.integers(-30, 30)),
                    "employee": draw(st.integers(-30, 30)),
                },
            }
            if draw(st.booleans()):
                choice["when"] = draw(st.sampled_from(CONDITIONS))
            if draw(st.integers(0, 3)) == 0:
                choice["set"] = ["helped"]
            choices.append(choice)
        nodes[f"n{i}"] = {"text": f"Node {i}", "choices": choices}
    for i in range(endings):
        nodes[f"e{i}"] = {"text": "End.", "ending": {"title": f"Ending {i}"}}
    # 'helped' must be set somewhere for conditions that read it
    first = nodes["n0"]["choices"][0]
    first.setdefault("set", ["helped"])
    meters = {
        "customer": {"start": draw(st.integers(20, 80)), "weight": draw(st.sampled_from([1, 2, 3]))},
        "employee": {"start": draw(st.integers(20, 80)), "max": draw(st.sampled_from([80, 100]))},
    }
    ripples = []
    if draw(st.booleans()):
        ripples.append({"id": "slump", "when": "employee < 35", "effects": {"customer": -10}, "text": "Slump."})
    body = {
        "id": "generated",
        "title": "Generated",
        "role": "clerical-intern",
        "meters": meters,
        "start": "n0",
        "nodes": nodes,
        "ripples": ripples,
    }
    return yaml.safe_dump(body, sort_keys=False)


def random_play(module, seed: int, limit: int = 60) -> list[AttemptState]:
    rng = random.Random(seed)
    state = start(module)
    states = [state]
    for _ in range(limit):
        if state.finished:
            break
        options = visible_choices(module, state)
        assert options, "lint allowed a state with no visible choice"
        state = choose(module, state, state.node, rng.choice(options).id).state
        states.append(state)
    return states


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(modules(), st.integers(0, 10_000))
def test_scores_stay_in_unit_interval_and_lint_clean_modules_never_fail(text: str, seed: int) -> None:
    report = lint_text(text, "generated.yaml")
    assert report.module is not None, [f.format() for f in report.findings]
    module = report.module
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        return  # the property below is about modules that lint allows
    for state in random_play(module, seed):
        assert AttemptState.from_json(state.to_json()) == state
        if state.finished:
            score = result(module, state).score
            assert 0.0 <= score <= 1.0


@SETTINGS
@given(modules())
def test_best_path_scores_one_and_worst_zero(text: str) -> None:
    report = lint_text(text, "generated.yaml")
    module = report.module
    assert module is not None
    grade = module.grade
    if not grade.exact:
        return
    best = replay(module, grade.best_path)
    worst = replay(module, grade.worst_path)
    assert best.finished and worst.finished
    assert result(module, best).score == 1.0
    if grade.best > grade.worst:
        assert result(module, worst).score == 0.0
