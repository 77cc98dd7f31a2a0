"""Playing in the toy runtime: the handlers answer like the service's API, and grades publish once."""

from __future__ import annotations

from xblock_support import (
    BEST_PATH,
    MODULE_YAML,
    WORST_PATH,
    PlatformUserService,
    RecordingRuntime,
    call,
    grade,
    olx,
    play,
)

from cxtrain.playview import attempt_payload
from cxtrain.scenario import AttemptState, load_module


def test_first_view_starts_an_attempt(make_block, runtime):
    block = make_block()
    assert block.attempt == ""
    html = block.render("student_view").content
    assert "At the counter" in html
    assert "Search the back room" in html
    assert "Tell them you found it" not in html  # hidden until 'searched' is set
    assert AttemptState.from_json(block.attempt).node == "counter"
    assert block.attempts == 1
    stored = runtime.get_block(block.scope_ids.usage_id)  # a fresh object reads the store
    assert AttemptState.from_json(stored.attempt).node == "counter"
    block.render("student_view")
    assert block.attempts == 1  # viewing again does not start another


def test_first_choice_starts_an_attempt_without_a_view(make_block):
    block = make_block()
    status, answer = call(block, "choose", {"node": "counter", "choice": "search"})
    assert status == 200
    assert answer["node"]["id"] == "phone"
    assert block.attempts == 1


def test_answer_has_the_api_shape(make_block):
    block = make_block()
    status, answer = call(block, "choose", {"node": "counter", "choice": "search"})
    assert status == 200
    module = load_module(MODULE_YAML)
    state = AttemptState.from_json(block.attempt)
    expected = attempt_payload(module, state)
    for key in (*expected, "choice", "feedback", "feedback_html", "ripples", "deltas"):
        assert key in answer, key
    assert answer["finished"] is False
    assert answer["feedback"] == "You find it under a shelf."
    assert answer["deltas"] == {"customer": 20, "employee": -5}
    assert [c["id"] for c in answer["node"]["choices"]] == ["tell", "sorry"]
    assert "You find it under a shelf." in answer["html"]


def test_best_play_scores_one_and_publishes_grade_once(make_block, runtime):
    block = make_block(weight="3")
    block.render("student_view")
    answer = play(block, BEST_PATH)
    assert answer["finished"] is True
    assert answer["score"] == 1.0
    assert answer["passed"] is True
    assert answer["ending"]["id"] == "happy"
    assert runtime.of("grade") == [grade(1.0)]
    assert runtime.of("completion") == [{"completion": 1.0}]
    # A late double click or a replayed request neither changes nor re-publishes the grade.
    status, again = call(block, "choose", {"node": "phone", "choice": "tell"})
    assert status == 409
    assert again["error"] == "attempt-finished"
    assert again["attempt"]["finished"] is True
    assert len(runtime.of("grade")) == 1
    assert block.max_score() == 1.0


def test_choice_events_carry_the_path(make_block, runtime):
    block = make_block()
    play(block, WORST_PATH)
    events = runtime.of("cxtrain.scenario.choice")
    assert [(e["node"], e["choice"]) for e in events] == WORST_PATH
    first = events[0]
    assert first["module"] == "test-lost-parcel"
    assert first["version"] == load_module(MODULE_YAML).version
    assert first["meters"] == {"customer": 30, "employee": 50}
    (finished,) = runtime.of("cxtrain.scenario.finished")
    assert finished["score"] == 0.0
    assert finished["passed"] is False


def test_stale_node_answers_409_with_the_current_state(make_block):
    block = make_block()
    play(block, BEST_PATH[:1])
    status, answer = call(block, "choose", {"node": "counter", "choice": "form"})
    assert status == 409
    assert answer["error"] == "stale-node"
    assert answer["attempt"]["node"]["id"] == "phone"
    assert AttemptState.from_json(block.attempt).node == "phone"


def test_hidden_and_unknown_choices_answer_400(make_block):
    block = make_block()
    play(block, [("counter", "form")])
    status, answer = call(block, "choose", {"node": "phone", "choice": "tell"})
    assert (status, answer["error"]) == (400, "choice-unavailable")
    status, answer = call(block, "choose", {"node": "phone", "choice": "no-such-choice"})
    assert (status, answer["error"]) == (400, "choice-unavailable")
    assert AttemptState.from_json(block.attempt).node == "phone"


def test_malformed_requests_answer_400(make_block):
    block = make_block()
    assert call(block, "choose", ["counter", "search"])[0] == 400
    assert call(block, "choose", {"node": "counter"})[0] == 400
    assert call(block, "choose", {"node": 1, "choice": 2})[0] == 400


def test_the_browser_cannot_send_a_score(make_block, runtime):
    block = make_block()
    play(block, [("counter", "form")])
    status, answer = call(block, "choose", {"node": "phone", "choice": "sorry", "score": 1.0, "value": 1.0})
    assert status == 200
    assert answer["score"] == 0.0
    assert runtime.of("grade") == [grade(0.0)]


def test_restart_and_best_policy(make_block, runtime):
    block = make_block(max_attempts="2")
    play(block, BEST_PATH)
    status, answer = call(block, "restart", {})
    assert status == 200
    assert answer["node"]["id"] == "counter"
    assert answer["attempts_left"] == 0
    play(block, WORST_PATH)
    # Best policy: the second, worse attempt keeps the grade at 1.0, published once per attempt.
    assert runtime.of("grade") == [grade(1.0), grade(1.0)]
    assert block.scores == [1.0, 0.0]
    status, answer = call(block, "restart", {})
    assert (status, answer["error"]) == (403, "no-attempts-left")


def test_last_policy_counts_the_last_attempt(make_block, runtime):
    block = make_block(grading_policy="last")
    play(block, BEST_PATH)
    call(block, "restart", {})
    play(block, WORST_PATH)
    assert [e["value"] for e in runtime.of("grade")] == [1.0, 0.0]


def test_restart_refused_during_an_attempt(make_block):
    block = make_block()
    play(block, BEST_PATH[:1])
    status, answer = call(block, "restart", {})
    assert (status, answer["error"]) == (409, "attempt-in-progress")


def test_xp_is_shared_across_blocks_and_never_farmed(make_block, runtime):
    first = make_block()
    play(first, BEST_PATH)
    xp_per_module = load_module(MODULE_YAML).xp_value
    assert first.xp_total == xp_per_module
    call(first, "restart", {})
    play(first, BEST_PATH)
    assert first.xp_total == xp_per_module  # replaying the same block earns nothing more
    second = make_block(olx(MODULE_YAML.replace("test-lost-parcel", "test-lost-parcel-2")))
    assert second.xp_total == xp_per_module  # preferences scope: the same learner's total
    answer = play(second, BEST_PATH)
    assert answer["xp"] == 2 * xp_per_module
    assert answer["level"] == 1


def test_attempt_survives_an_edit_that_keeps_its_path(make_block):
    block = make_block()
    play(block, BEST_PATH[:1])
    block.yaml = MODULE_YAML.replace("They come to collect it.", "They come by at five.")
    status, answer = call(block, "choose", {"node": "phone", "choice": "tell"})
    assert status == 200
    assert answer["version"] == block.current_module().version
    assert answer["feedback"] == "They come by at five."


def test_unconfigured_block(make_block):
    block = make_block("<cxscenario/>")
    assert "not been set up" in block.render("student_view").content
    status, answer = call(block, "choose", {"node": "a", "choice": "b"})
    assert (status, answer["error"]) == (404, "no-module")


def test_other_learners_have_their_own_state(make_block, runtime):
    block = make_block()
    play(block, BEST_PATH)
    other_runtime = RecordingRuntime("learner-2")
    other = other_runtime.get_block(block.scope_ids.usage_id)
    assert other.attempt == ""
    assert other.xp_total == 0
    assert other.stats["finished"] == 1  # per-block summary is shared


def test_an_edit_that_breaks_an_unfinished_path_restarts_it_for_free(make_block):
    block = make_block(max_attempts="1")
    play(block, [("counter", "form")])
    block.yaml = MODULE_YAML.replace("id: form", "id: claim-form")
    html = block.render("student_view").content
    assert "was updated since your last visit" in html
    assert AttemptState.from_json(block.attempt).node == "counter"
    assert block.attempts == 1


def test_a_choice_sent_from_the_page_before_the_edit_says_the_module_was_updated(make_block):
    # The learner's page still shows the old node; the next choice meets the restarted attempt.
    block = make_block(max_attempts="1")
    play(block, [("counter", "form")])
    node = AttemptState.from_json(block.attempt).node
    block.yaml = MODULE_YAML.replace("id: form", "id: claim-form")
    status, answer = call(block, "choose", {"node": node, "choice": "anything"})
    assert status == 409 and "was updated since your last visit" in answer["message"]
    assert "already taken" not in answer["message"]
    assert answer["attempt"]["notice"] == answer["message"] and "was updated" in answer["attempt"]["html"]
    assert answer["attempt"]["node"]["id"] == "counter" and block.attempts == 1


def test_an_edit_after_the_last_attempt_gives_no_extra_attempt(make_block):
    block = make_block(max_attempts="1")
    play(block, WORST_PATH)
    block.yaml = MODULE_YAML.replace("id: form", "id: claim-form")
    html = block.render("student_view").content
    assert "You have used all your attempts." in html
    assert block.attempts == 1
    status, answer = call(block, "choose", {"node": "counter", "choice": "search"})
    assert (status, answer["error"]) == (403, "no-attempts-left")


def test_staff_see_choice_statistics_in_the_lms(make_block, runtime):
    block = make_block()
    play(block, BEST_PATH)
    assert "what learners chose" not in block.render("student_view").content
    runtime._services["user"] = PlatformUserService(staff=False)
    assert "what learners chose" not in block.render("student_view").content
    runtime._services["user"] = PlatformUserService(staff=True)
    html = block.render("student_view").content
    assert "Staff: what learners chose in this block" in html
    assert "Search the back room with them waiting</td><td>1</td><td>100%" in html
