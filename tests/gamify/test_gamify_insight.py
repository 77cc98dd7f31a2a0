"""Team insight: the weak wheel and each role's coverage of its own modules."""

from __future__ import annotations

import pytest

from cxtrain.gamify import AttemptOutcome, outcome_of, role_coverage, weak_wheel
from cxtrain.scenario import replay


def outcomes(role: str, customers: list[float], misses: int = 0) -> list[AttemptOutcome]:
    return [AttemptOutcome(f"{role}-{i}", role, "m", c, 0.5, misses) for i, c in enumerate(customers)]


def test_the_weak_wheel_is_the_role_with_the_lowest_customer_meter():
    data = [
        *outcomes("ceo", [0.9, 0.8, 0.7]),
        *outcomes("clerical-intern", [0.4, 0.5, 0.3]),
        *outcomes("frontline-associate", [0.1, 0.2]),
    ]  # only two attempts: not judged
    wheel = weak_wheel(data, ladder=("clerical-intern", "frontline-associate", "ceo"))
    assert wheel is not None
    assert (wheel.role, wheel.attempts) == ("clerical-intern", 3)
    assert wheel.customer == pytest.approx(0.4)
    assert [s.role for s in wheel.by_role] == ["clerical-intern", "frontline-associate", "ceo"]
    assert weak_wheel(data, min_attempts=2).role == "frontline-associate"


def test_ties_go_to_more_customer_hurting_misses_then_the_junior_role():
    tie = [*outcomes("ceo", [0.5] * 3, misses=2), *outcomes("clerical-intern", [0.5] * 3, misses=1)]
    assert weak_wheel(tie, ladder=("clerical-intern", "ceo")).role == "ceo"
    even = [*outcomes("ceo", [0.5] * 3), *outcomes("clerical-intern", [0.5] * 3)]
    assert weak_wheel(even, ladder=("clerical-intern", "ceo")).role == "clerical-intern"


def test_no_weak_wheel_without_enough_data():
    assert weak_wheel([]) is None
    assert weak_wheel(outcomes("ceo", [0.1])) is None
    assert weak_wheel([AttemptOutcome("x", "ceo", "m", None)] * 5) is None  # no customer meter at all


def test_outcome_of_a_played_module(fork):
    state = replay(fork, ["wait", "hide"])
    outcome = outcome_of(fork, state, learner_id=1)
    # customer 50 - 20 - 5 = 25 of 0..100; employee 50 - 10 = 40
    assert (outcome.role, outcome.customer, outcome.employee) == ("clerical-intern", 0.25, 0.4)
    # 'wait' hurt the customer against 'help'; 'hide' did too (-5 against 'tell's 0)
    assert outcome.customer_misses == 2
    assert outcome_of(fork, replay(fork, ["help", "thank"]), 1).customer_misses == 0


def test_role_coverage_counts_own_modules_passed_by_role_holders(catalog):
    members = [
        (1, "clerical-intern", {"i1", "f1"}),
        (2, "clerical-intern", {"i1", "i2"}),
        (3, "executive", set()),
        (4, None, {"i1", "i2"}),
    ]
    coverage = role_coverage(catalog, members)
    intern = coverage["clerical-intern"]
    assert (intern.members, intern.modules, intern.passed, intern.share) == (2, 2, 3, 0.75)
    assert coverage["executive"].share is None  # no modules to pass
    assert coverage["ceo"].members == 0 and coverage["ceo"].share is None
