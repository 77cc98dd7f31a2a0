"""The instructor dashboard's "Reset Learner's Attempts", done to the stored state exactly as the LMS does it.

edx-platform (``lms/djangoapps/instructor/enrollment.py``, ``reset_student_attempts`` without
``delete_module``, through ``_reset_module_attempts``) loads the learner's ``StudentModule.state``
JSON (every user_state field of the block, by field name), sets its ``attempts`` key to 0 and saves
it; no block code runs and nothing else changes. The bulk "Reset attempts to zero" task
(``instructor_task``'s ``reset_attempts_module_state``) does the same, but only where the state
already has an ``attempts`` key above 0. The toy runtime keeps a learner's user_state fields for
a block in one dict, the counterpart of that JSON, so the helper below edits it the same way and
the next request reads it through a fresh block, as the LMS's next request would.

"Delete Learner's State" (the same function with ``delete_module``) deletes that
``StudentModule`` row instead: every user_state field of the block goes, and the learner's
XBlock preferences (``xp_total``, ``xp_by_block``), kept in another table, stay.
"""

from __future__ import annotations

import json
from typing import Any

from xblock.fields import Scope
from xblock.runtime import KeyValueStore
from xblock.test.toy_runtime import TOYRUNTIME_KVS
from xblock_support import BEST_PATH, MODULE_YAML, WORST_PATH, RecordingRuntime, call, grade, play

from cxtrain.scenario import AttemptState, load_module

XP = load_module(MODULE_YAML).xp_value
MIDDLE_PATH = [("counter", "search"), ("phone", "sorry")]  # a score of 7/11: round(XP * 7/11) XP


def _row(block: Any, scope: Scope, scope_id: Any, field_name: str) -> str:
    """The toy store's key of the row that holds ``field_name`` of this learner in ``scope``."""
    key = KeyValueStore.Key(
        scope=scope, user_id=block.scope_ids.user_id, block_scope_id=scope_id, field_name=field_name
    )
    return TOYRUNTIME_KVS._actual_key(key)


def _state_row(runtime: RecordingRuntime, block: Any) -> str:
    """The store's key for this learner's user_state in this block: its StudentModule row."""
    return _row(block, Scope.user_state, block.scope_ids.usage_id, "attempts")


def stored_state(runtime: RecordingRuntime, block: Any) -> dict[str, Any]:
    return json.loads(json.dumps(TOYRUNTIME_KVS.db_dict[_state_row(runtime, block)]))


def lms_reset_attempts(runtime: RecordingRuntime, block: Any) -> Any:
    """``_reset_module_attempts``: load the state JSON, set ``attempts`` to 0, save; return the next request's block."""
    row = _state_row(runtime, block)
    problem_state = json.loads(json.dumps(TOYRUNTIME_KVS.db_dict[row]))
    problem_state["attempts"] = 0
    TOYRUNTIME_KVS.db_dict[row] = json.loads(json.dumps(problem_state))
    return runtime.get_block(block.scope_ids.usage_id)


def lms_delete_state(runtime: RecordingRuntime, block: Any) -> Any:
    """``reset_student_attempts(delete_module=True)``: delete the row; return the next request's block."""
    del TOYRUNTIME_KVS.db_dict[_state_row(runtime, block)]
    return runtime.get_block(block.scope_ids.usage_id)


def as_before_the_xp_ledger(runtime: RecordingRuntime, block: Any) -> Any:
    """The stored data of a learner who played before ``xp_by_block``: only ``xp_awarded`` records the pay."""
    TOYRUNTIME_KVS.db_dict[_row(block, Scope.preferences, block.scope_ids.block_type, "xp_by_block")].pop("xp_by_block")
    return runtime.get_block(block.scope_ids.usage_id)


def test_the_counter_is_the_key_the_lms_resets(make_block, runtime):
    block = make_block(max_attempts="1")
    block.render("student_view")
    state = stored_state(runtime, block)
    # The bulk reset skips a state without an `attempts` key above 0: starting writes it.
    assert state["attempts"] == 1
    assert "attempts_started" not in state


def test_a_learner_out_of_attempts_plays_again_after_a_reset(make_block, runtime):
    block = make_block(max_attempts="1")
    play(block, WORST_PATH)
    assert runtime.of("grade") == [grade(0.0)]
    assert call(block, "restart", {})[1]["error"] == "no-attempts-left"
    assert "You have used all your attempts." in block.render("student_view").content
    before = stored_state(runtime, block)

    block = lms_reset_attempts(runtime, block)

    after = stored_state(runtime, block)
    assert after == {**before, "attempts": 0}  # scores, graded_attempts, the last attempt: all kept
    html = block.render("student_view").content
    assert "Attempts used: 0 · left: 1" in html
    assert "Play again" in html  # the finished attempt's ending, now with a way to start again
    assert len(runtime.of("grade")) == 1  # a reset publishes nothing

    status, answer = call(block, "restart", {})
    assert status == 200
    assert (answer["node"]["id"], answer["attempts_used"], answer["attempts_left"]) == ("counter", 1, 0)
    answer = play(block, BEST_PATH)
    assert answer["finished"] is True
    # Exactly one grade for the new attempt; best policy over every finished attempt, old ones included.
    assert runtime.of("grade") == [grade(0.0), grade(1.0)]
    assert runtime.of("completion") == [{"completion": 1.0}, {"completion": 1.0}]
    assert (block.scores, block.graded_attempts, block.attempts) == ([0.0, 1.0], 2, 1)
    assert [e["attempt"] for e in runtime.of("cxtrain.scenario.finished")] == [1, 1]

    # A replayed request grades nothing more, and the reset allowance is used up again.
    status, again = call(block, "choose", {"node": "phone", "choice": "tell"})
    assert (status, again["error"]) == (409, "attempt-finished")
    assert len(runtime.of("grade")) == 2
    assert call(block, "restart", {})[1]["error"] == "no-attempts-left"


def test_a_second_reset_gives_the_allowance_again(make_block, runtime):
    block = make_block(max_attempts="1", grading_policy="last")
    play(block, BEST_PATH)
    for expected in ([1.0, 0.0], [1.0, 0.0, 1.0]):
        block = lms_reset_attempts(runtime, block)
        assert call(block, "restart", {})[0] == 200
        play(block, WORST_PATH if len(expected) == 2 else BEST_PATH)
        assert block.scores == expected
        assert call(block, "restart", {})[1]["error"] == "no-attempts-left"
    assert [e["value"] for e in runtime.of("grade")] == [1.0, 0.0, 1.0]


def test_an_attempt_in_progress_at_the_reset_goes_on_as_the_first_after_it(make_block, runtime):
    block = make_block(max_attempts="2")
    play(block, BEST_PATH)
    call(block, "restart", {})
    play(block, BEST_PATH[:1])  # the second and last attempt, half played

    block = lms_reset_attempts(runtime, block)

    html = block.render("student_view").content
    assert "The phone rings" in html  # the learner is where they were
    assert "Attempts used: 1 · left: 1" in html
    assert stored_state(runtime, block)["attempts"] == 1  # the view saved it
    assert call(block, "restart", {})[1]["error"] == "attempt-in-progress"
    answer = play(block, BEST_PATH[1:])
    assert (answer["finished"], answer["attempts_used"], answer["attempts_left"]) == (True, 1, 1)
    assert len(runtime.of("grade")) == 2  # one per finished attempt
    assert call(block, "restart", {})[0] == 200
    play(block, WORST_PATH)
    assert len(runtime.of("grade")) == 3
    assert block.scores == [1.0, 1.0, 0.0]
    assert call(block, "restart", {})[1]["error"] == "no-attempts-left"


def test_a_choice_after_the_reset_also_counts_the_attempt_in_progress(make_block, runtime):
    block = make_block(max_attempts="1")
    play(block, BEST_PATH[:1])
    block = lms_reset_attempts(runtime, block)
    answer = play(block, BEST_PATH[1:])  # no view in between: the handler counts it
    assert (answer["finished"], answer["attempts_used"], answer["attempts_left"]) == (True, 1, 0)
    assert runtime.of("grade") == [grade(1.0)]
    assert call(block, "restart", {})[1]["error"] == "no-attempts-left"


def test_an_attempt_broken_by_an_edit_after_the_reset_restarts_as_the_first(make_block, runtime):
    block = make_block(max_attempts="1")
    play(block, [("counter", "form")])
    block = lms_reset_attempts(runtime, block)
    block.yaml = MODULE_YAML.replace("id: form", "id: claim-form")
    html = block.render("student_view").content
    assert "was updated since your last visit" in html
    assert AttemptState.from_json(block.attempt).node == "counter"
    assert block.attempts == 1
    play(block, BEST_PATH)
    assert runtime.of("grade") == [grade(1.0)]
    assert call(block, "restart", {})[1]["error"] == "no-attempts-left"


def test_a_deleted_state_does_not_pay_the_blocks_xp_again(make_block, runtime):
    block = make_block(max_attempts="1")
    play(block, MIDDLE_PATH)
    partial = round(XP * 7 / 11)
    assert (block.xp_total, block.xp_awarded) == (partial, partial)

    block = lms_delete_state(runtime, block)

    assert (block.xp_awarded, block.scores, block.attempts) == (0, [], 0)  # the learner starts over...
    assert block.xp_total == partial  # ...and keeps their XP
    html = block.render("student_view").content
    assert "At the counter" in html
    assert stored_state(runtime, block)["xp_awarded"] == partial  # the view restored it from the ledger
    answer = play(block, MIDDLE_PATH)
    assert (answer["xp"], block.xp_total) == (partial, partial)  # the same result again pays nothing
    assert runtime.of("grade") == [grade(0.6364), grade(0.6364)]  # the attempt after the delete is graded

    # A better result still pays, but only the improvement on what the block paid before the delete.
    block = lms_delete_state(runtime, block)
    answer = play(block, BEST_PATH)
    assert (answer["xp"], block.xp_awarded) == (XP, XP)
    block = lms_delete_state(runtime, block)
    play(block, BEST_PATH)
    assert block.xp_total == XP

    # A copy of the block (a duplicate in Studio, a course re-run) has its own usage id: it pays.
    copy = make_block(max_attempts="1")
    assert play(copy, BEST_PATH)["xp"] == 2 * XP
    assert set(copy.xp_by_block) == {str(block.scope_ids.usage_id), str(copy.scope_ids.usage_id)}


def test_a_reset_of_attempts_keeps_what_the_block_paid(make_block, runtime):
    block = make_block(max_attempts="1")
    play(block, BEST_PATH)
    block = lms_reset_attempts(runtime, block)
    call(block, "restart", {})
    play(block, BEST_PATH)
    assert (block.xp_total, block.xp_awarded, block.xp_by_block) == (XP, XP, {str(block.scope_ids.usage_id): XP})


def test_a_learner_from_before_the_ledger_is_not_paid_twice(make_block, runtime):
    block = make_block()
    play(block, BEST_PATH)
    block = as_before_the_xp_ledger(runtime, block)
    assert (block.xp_total, block.xp_awarded, block.xp_by_block) == (XP, XP, {})

    call(block, "restart", {})
    play(block, BEST_PATH)
    assert block.xp_total == XP  # xp_awarded still counts where the ledger has no entry...
    assert block.xp_by_block == {str(block.scope_ids.usage_id): XP}  # ...and the finish wrote one

    block = lms_delete_state(runtime, block)
    play(block, BEST_PATH)
    assert block.xp_total == XP


def test_a_learner_from_before_the_ledger_gets_an_entry_on_their_first_visit(make_block, runtime):
    block = make_block(max_attempts="1")
    play(block, BEST_PATH)
    block = as_before_the_xp_ledger(runtime, block)

    block.render("student_view")  # no finish between the upgrade and the delete: the view records it
    block = lms_delete_state(runtime, block)

    assert block.xp_by_block == {str(block.scope_ids.usage_id): XP}
    play(block, BEST_PATH)
    assert block.xp_total == XP


def test_a_block_that_paid_nothing_adds_no_ledger_entry(make_block, runtime):
    block = make_block()
    block.render("student_view")
    play(block, WORST_PATH)
    assert (block.xp_total, block.xp_by_block) == (0, {})
