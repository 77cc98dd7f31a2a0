"""ScorableXBlockMixin: rescoring, the persisted score and staff overrides, as edx-platform drives them."""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import etree
from xblock.fields import Scope
from xblock.scorable import Score
from xblock.test.toy_runtime import TOYRUNTIME_KVS
from xblock_support import BEST_PATH, WORST_PATH, LmsLocationMixin, RecordingRuntime, call, grade, play


@pytest.fixture
def runtime() -> Iterator[RecordingRuntime]:
    """Like conftest's, plus the ``location`` the LMS gives every block (rescore names it in its errors)."""
    TOYRUNTIME_KVS.clear()
    yield RecordingRuntime(mixins=(LmsLocationMixin,))
    TOYRUNTIME_KVS.clear()


def learner_state(block: Any) -> dict[str, Any]:
    """Every field a learner's play can change (all but content and settings), copied."""
    return {
        name: copy.deepcopy(field.read_from(block))
        for name, field in block.fields.items()
        if field.scope not in (Scope.content, Scope.settings)
    }


def best_then_worst(block: Any) -> None:
    play(block, BEST_PATH)
    status, _ = call(block, "restart", {})
    assert status == 200
    play(block, WORST_PATH)


def test_rescore_after_the_policy_changes_from_best_to_last(make_block, runtime):
    block = make_block()
    best_then_worst(block)
    assert block.scores == [1.0, 0.0]
    assert runtime.of("grade") == [grade(1.0), grade(1.0)]
    block.grading_policy = "last"  # the course team changes the setting in Studio
    block.rescore(only_if_higher=False)
    assert runtime.of("grade") == [grade(1.0), grade(1.0), grade(0.0, only_if_higher=False)]
    assert block.get_score() == Score(0.0, 1.0)
    assert block.graded_attempts == 2  # a rescore is not a finish
    assert len(runtime.of("completion")) == 2
    assert "Graded score (last attempt): <strong data-cxs-graded>0%" in block.render("student_view").content


def test_rescore_only_if_higher_keeps_a_higher_persisted_score(make_block, runtime):
    block = make_block(grading_policy="last")
    best_then_worst(block)
    assert block.get_score() == Score(0.0, 1.0)
    block.grading_policy = "best"
    block.rescore(only_if_higher=True)
    assert runtime.of("grade")[-1] == grade(1.0, only_if_higher=True)
    assert block.get_score() == Score(1.0, 1.0)
    block.grading_policy = "last"
    block.rescore(only_if_higher=True)
    # Published all the same (the platform makes the same comparison and keeps its grade) ...
    assert runtime.of("grade")[-1] == grade(0.0, only_if_higher=True)
    # ... and the block keeps the higher score too, so get_score still matches the gradebook.
    assert block.get_score() == Score(1.0, 1.0)


def test_rescore_before_a_finished_attempt_raises_value_error(make_block, runtime):
    block = make_block()
    assert not block.has_submitted_answer()
    with pytest.raises(ValueError, match="Cannot rescore unanswered problem"):
        block.rescore(only_if_higher=False)
    play(block, BEST_PATH[:1])  # started, not finished
    assert not block.has_submitted_answer()
    with pytest.raises(ValueError, match=str(block.scope_ids.usage_id)):
        block.rescore(only_if_higher=False)
    assert runtime.of("grade") == []


def test_get_score_after_a_finish_is_the_persisted_grade(make_block, runtime):
    block = make_block()
    assert block.get_score() == Score(0.0, 1.0)  # nothing graded yet
    play(block, WORST_PATH)
    assert block.has_submitted_answer()
    assert block.get_score() == Score(0.0, 1.0)
    call(block, "restart", {})
    play(block, BEST_PATH)
    stored = runtime.get_block(block.scope_ids.usage_id)  # a fresh object reads the store
    assert stored.get_score() == Score(1.0, 1.0)
    assert (stored.raw_earned, stored.raw_possible) == (1.0, 1.0)


def test_set_score_then_get_score_and_the_platform_override(make_block, runtime):
    block = make_block(weight="2")
    play(block, WORST_PATH)
    # edx-platform's "override score" task: 0.75 of max_score() points, divided by the weight
    # on both sides, passed to set_score, then publish_grade() with no arguments.
    block.set_score(Score(raw_earned=0.75 / 2, raw_possible=1.0 / 2))
    assert block.get_score() == Score(0.375, 0.5)
    block.publish_grade()
    assert runtime.of("grade")[-1] == {"value": 0.375, "max_value": 0.5, "only_if_higher": None}
    block.save()
    assert runtime.get_block(block.scope_ids.usage_id).get_score() == Score(0.375, 0.5)
    # The learner sees the gradebook's share, not the attempt's.
    assert "<strong data-cxs-graded>75%" in block.render("student_view").content
    assert block.scores == [0.0]  # the attempt's own score is history, not the grade


def test_calculate_score_changes_nothing(make_block, runtime):
    block = make_block()
    best_then_worst(block)
    block.grading_policy = "last"
    before, events = learner_state(block), len(runtime.events)
    assert block.calculate_score() == Score(0.0, 1.0)
    assert learner_state(block) == before
    assert len(runtime.events) == events
    assert block.get_score() == Score(1.0, 1.0)  # still what was published, until a rescore


def test_a_finish_publishes_exactly_once(make_block, runtime):
    block = make_block()
    play(block, BEST_PATH)
    assert runtime.of("grade") == [grade(1.0)]
    status, _ = call(block, "choose", {"node": "phone", "choice": "tell"})  # a replayed request
    assert status == 409
    block.render("student_view")
    runtime.get_block(block.scope_ids.usage_id).render("student_view")
    assert runtime.of("grade") == [grade(1.0)]
    block.rescore(only_if_higher=False)
    status, _ = call(block, "choose", {"node": "phone", "choice": "tell"})
    assert status == 409
    assert runtime.of("grade") == [grade(1.0), grade(1.0, only_if_higher=False)]
    assert block.graded_attempts == 1


def test_state_from_before_the_persisted_score(make_block, runtime):
    block = make_block(grading_policy="last")
    # What an older release left behind: finished attempts and their published grade, no raw_earned.
    block.scores = [1.0, 0.5]
    block.graded_attempts = 2
    assert not block.fields["raw_earned"].is_set_on(block)
    assert block.has_submitted_answer()
    assert block.get_score() == Score(0.5, 1.0)
    block.rescore(only_if_higher=True)
    assert block.get_score() == Score(0.5, 1.0)
    assert block.fields["raw_earned"].is_set_on(block)


def test_the_persisted_score_stays_out_of_olx(make_block, runtime):
    block = make_block(weight="2")
    play(block, BEST_PATH)
    assert "raw_earned" not in block.exported_attributes()
    out = io.BytesIO()
    runtime.export_to_xml(block, out)
    root = etree.fromstring(out.getvalue())
    assert set(root.keys()) == {"xblock-family", "weight"}
