"""The engine's rules, one test per sentence of the format's semantics."""

from __future__ import annotations

import json

import pytest

from cxtrain.scenario import (
    AttemptFinished,
    AttemptState,
    ChoiceUnavailable,
    StaleNode,
    choose,
    replay,
    result,
    start,
    visible_choices,
)

LOOP = """
meters:
  customer: {start: 90, min: 0, max: 100, weight: 2}
  employee: {start: 35}
start: a
nodes:
  a:
    text: A
    choices:
      - {id: boost, text: Boost, effects: {customer: 20, employee: -10}, next: b}
      - {id: calm, text: Calm, effects: {employee: 10}, set: [calmed], next: b}
  b:
    text: B
    choices:
      - {id: secret, text: Secret, when: calmed and employee >= 45, next: end}
      - {id: plain, text: Plain, next: end}
  end:
    ending: {title: End}
    text: Done.
ripples:
  - id: first
    when: employee < 30
    effects: {customer: -15, employee: 40}
    text: First fires.
  - id: second
    when: employee > 60
    effects: {customer: 1}
    text: Sees the first ripple's effect in the same step.
  - id: third
    when: employee < 30
    text: Never, because first already lifted employee above 30.
"""


def test_start_state(make) -> None:
    module = make(LOOP)
    state = start(module)
    assert state.node == "a" and dict(state.meters) == {"customer": 90, "employee": 35}
    assert not state.finished and state.path == () and state.version == module.version


def test_effects_clamp_and_ripples_fire_in_file_order(make) -> None:
    module = make(LOOP)
    outcome = choose(module, start(module), "a", "boost")
    # customer 90+20 clamps to 100; employee 35-10 = 25 < 30 fires 'first' (-15, +40)
    # which makes employee 65 > 60, so 'second' fires in the same step; 'third' does not.
    assert [r.id for r in outcome.ripples] == ["first", "second"]
    assert dict(outcome.state.meters) == {"customer": 86, "employee": 65}
    assert outcome.deltas == {"customer": -4, "employee": 30}
    assert outcome.state.fired == ("first", "second")


def test_ripple_fires_at_most_once(make) -> None:
    module = make(
        """
        start: a
        nodes:
          a:
            text: A
            choices:
              - {id: drop, text: Drop, effects: {employee: -30}, next: a2}
          a2:
            text: A2
            choices:
              - {id: drop, text: Drop, effects: {employee: -5}, next: end}
          end:
            ending: {title: E}
            text: E
        ripples:
          - {id: low, when: employee < 30, effects: {customer: -10}, text: Low}
        """
    )
    first = choose(module, start(module), "a", "drop")
    second = choose(module, first.state, "a2", "drop")
    assert [r.id for r in first.ripples] == ["low"] and second.ripples == ()
    assert second.state.meters["customer"] == 40


def test_conditions_hide_choices_and_flags_stick(make) -> None:
    module = make(LOOP)
    after_boost = choose(module, start(module), "a", "boost").state
    assert [c.id for c in visible_choices(module, after_boost)] == ["plain"]
    after_calm = choose(module, start(module), "a", "calm").state
    assert after_calm.flags == ("calmed",)
    assert [c.id for c in visible_choices(module, after_calm)] == ["secret", "plain"]


def test_hidden_unknown_stale_and_finished_are_refused(make) -> None:
    module = make(LOOP)
    state = choose(module, start(module), "a", "boost").state
    with pytest.raises(ChoiceUnavailable):
        choose(module, state, "b", "secret")
    with pytest.raises(ChoiceUnavailable):
        choose(module, state, "b", "nope")
    with pytest.raises(StaleNode):
        choose(module, state, "a", "boost")
    done = choose(module, state, "b", "plain").state
    assert done.finished
    with pytest.raises(AttemptFinished):
        choose(module, done, "end", "plain")


def test_state_round_trips_through_json(make) -> None:
    module = make(LOOP)
    state = replay(module, ["calm", "secret"])
    text = state.to_json()
    assert json.loads(text)["path"] == [["a", "calm"], ["b", "secret"]]
    assert AttemptState.from_json(text) == state


def test_replay_rebuilds_from_events(make) -> None:
    module = make(LOOP)
    by_ids = replay(module, ["boost", "plain"])
    by_events = replay(module, [("a", "boost"), ("b", "plain")])
    assert by_ids == by_events and by_ids.finished


def test_result_scores_against_best_and_worst(make) -> None:
    module = make(LOOP)
    best = result(module, replay(module, module.grade.best_path))
    worst = result(module, replay(module, module.grade.worst_path))
    assert best.score == 1.0 and best.passed
    assert worst.score == 0.0 and not worst.passed
