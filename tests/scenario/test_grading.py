"""Grading on small modules whose best and worst totals are worked out by hand."""

from __future__ import annotations

from cxtrain.scenario import replay, result


def test_cycle_with_clamping(make) -> None:
    # 'up' loops back to 'a' and adds 3 to customer (range 0..10, start 5):
    # customer can be 5, 8 or 10 (clamped) at the ending; employee stays 50.
    module = make(
        """
        meters:
          customer: {start: 5, min: 0, max: 10}
          employee: {start: 50}
        start: a
        nodes:
          a:
            text: A
            choices:
              - {id: up, text: Up, effects: {customer: 3}, next: a}
              - {id: go, text: Go, next: end}
          end:
            ending: {title: E}
            text: E
        """
    )
    grade = module.grade
    assert (grade.best, grade.worst) == (60, 55)
    assert grade.best_path == ("up", "up", "go")  # the shortest path to the clamped maximum
    assert grade.worst_path == ("go",)
    assert grade.exact and grade.states == 6  # a and end, each with customer 5, 8 or 10
    assert result(module, replay(module, ["up", "up", "up", "up", "go"])).score == 1.0
    assert result(module, replay(module, ["up", "go"])).score == 0.6


def test_conditions_and_weights(make) -> None:
    # customer weight 3, employee weight 1. The generous choice is only offered after
    # 'prepare' set a flag, so the greedy first step is not the best one.
    module = make(
        """
        meters:
          customer: {weight: 3}
          employee: {}
        start: a
        nodes:
          a:
            text: A
            choices:
              - {id: rush, text: Rush, effects: {customer: 5, employee: -5}, next: b}
              - {id: prepare, text: Prepare, effects: {employee: -10}, set: [ready], next: b}
          b:
            text: B
            choices:
              - {id: wow, text: Wow, when: ready, effects: {customer: 20}, next: end}
              - {id: ok, text: Ok, effects: {customer: 2}, next: end}
          end:
            ending: {title: E}
            text: E
        """
    )
    # rush+ok: c57 e45 -> 216; prepare+wow: c70 e40 -> 250; prepare+ok: c52 e40 -> 196
    assert (module.grade.best, module.grade.worst) == (250, 196)
    assert module.grade.best_path == ("prepare", "wow")
    assert module.grade.worst_path == ("prepare", "ok")
    assert round(result(module, replay(module, ["rush", "ok"])).score, 4) == round(20 / 54, 4)


def test_ripples_count_once_and_change_the_bounds(make) -> None:
    # Dropping employee below 40 costs 10 customer once, even if it happens twice.
    module = make(
        """
        start: a
        nodes:
          a:
            text: A
            choices:
              - {id: push, text: Push, effects: {customer: 15, employee: -15}, next: b}
              - {id: steady, text: Steady, effects: {customer: 5}, next: b}
          b:
            text: B
            choices:
              - {id: push, text: Push again, effects: {customer: 15, employee: -15}, next: end}
              - {id: steady, text: Steady, effects: {customer: 5}, next: end}
          end:
            ending: {title: E}
            text: E
        ripples:
          - {id: burnout, when: employee < 40, effects: {customer: -10}, text: Burnout shows.}
        """
    )
    # push,push: c 50+15-10+15 = 70, e 20 -> 90 ; steady,steady: c60 e50 -> 110
    # push,steady: c 50+15-10+5 = 60, e35 -> 95 ; steady,push: c 55+15-10 = 60 e35 -> 95
    assert (module.grade.best, module.grade.worst) == (110, 90)
    assert module.grade.worst_path == ("push", "push")


def test_unreachable_ending_never_counts(make) -> None:
    # The 'gold' ending needs customer > 95, which no play can reach: it must not set the best.
    module = make(
        """
        start: a
        nodes:
          a:
            text: A
            choices:
              - {id: gold, text: Gold, when: customer > 95, next: gold}
              - {id: fine, text: Fine, effects: {customer: 10}, next: end}
              - {id: poor, text: Poor, effects: {customer: -10}, next: end}
          gold:
            ending: {title: Gold}
            text: G
          end:
            ending: {title: E}
            text: E
        """
    )
    assert (module.grade.best, module.grade.worst) == (110, 90)


def test_constant_module_scores_one(make) -> None:
    module = make(
        """
        start: a
        nodes:
          a:
            text: A
            choices:
              - {id: x, text: X, next: end}
              - {id: y, text: Y, next: end}
          end:
            ending: {title: E}
            text: E
        """
    )
    assert module.grade.best == module.grade.worst == 100
    assert result(module, replay(module, ["y"])).score == 1.0


def test_worked_example_in_the_authoring_guide() -> None:
    """docs/authoring.md works an example by hand; keep the guide and the grader in step."""
    import re
    from pathlib import Path

    from cxtrain.scenario import lint_text

    doc = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text()
    text = re.search(r"## A first module\n\n```yaml\n(.*?)```", doc, re.S).group(1)
    report = lint_text(text, "authoring-example.yaml")
    assert report.findings == [] and report.module is not None
    module = report.module
    assert (module.grade.best, module.grade.worst) == (190, 115)
    assert round(result(module, replay(module, ["walk", "shrug"])).score, 2) == 0.73
    for row in ("| walk, own |", "| walk, shrug |", "| forward, shrug |", "0.73, passed"):
        assert row in doc
