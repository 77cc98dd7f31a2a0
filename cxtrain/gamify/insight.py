"""Team insight: which role's choices hurt the customer most, and who covers their own seat.

"A company is only as customer-centric as its weakest role": the weak wheel names
that role for a manager, from the outcomes of their team's finished attempts.

Definition. For each role, we average the *final customer meter* of its attempts,
scaled to 0..1 within the meter's range (so modules with different ranges compare).
The weak wheel is the role with the lowest average, among roles with at least
``min_attempts`` attempts (fewer says more about luck than about the role). Ties go
to the role with more customer-hurting missed choices per attempt, then to the
more junior role on the ladder. A customer-hurting miss is a step where the learner
left the best path (the ending page's "missed choices") with a choice that did less
for the customer meter than the best one.

Feed it each learner's latest finished attempt per module, so a replay that fixed
a mistake replaces the mistake.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from cxtrain.scenario.engine import AttemptState
from cxtrain.scenario.grading import best_choices_along
from cxtrain.scenario.model import Module

from .records import Catalog

CUSTOMER = "customer"
EMPLOYEE = "employee"
MIN_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """How one finished attempt left the customer and the team, meters scaled to 0..1."""

    learner_id: Hashable
    role: str
    module_id: str
    customer: float | None
    employee: float | None = None
    customer_misses: int = 0


@dataclass(frozen=True, slots=True)
class RoleStats:
    role: str
    attempts: int
    customer: float | None
    employee: float | None
    misses_per_attempt: float


@dataclass(frozen=True, slots=True)
class WeakWheel:
    role: str
    customer: float
    attempts: int
    by_role: tuple[RoleStats, ...]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a role's own modules the team members holding that role have passed."""

    role: str
    members: int
    modules: int
    passed: int
    share: float | None  # passed / (members * modules); None when there is nothing to pass


def _scaled(module: Module, state: AttemptState, meter_id: str) -> float | None:
    try:
        meter = module.meter(meter_id)
    except KeyError:
        return None
    return (state.meters[meter_id] - meter.min) / (meter.max - meter.min)


def customer_misses(module: Module, path: Sequence[tuple[str, str]]) -> int:
    """Missed choices along ``path`` whose choice did less for the customer than the best one."""
    count = 0
    for miss in best_choices_along(module, list(path)):
        node = module.nodes[str(miss["node"])]
        chosen, best = node.choice(str(miss["chosen"])), node.choice(str(miss["best"]))
        if chosen is None or best is None:
            continue
        if dict(chosen.effects).get(CUSTOMER, 0) < dict(best.effects).get(CUSTOMER, 0):
            count += 1
    return count


def outcome_of(module: Module, state: AttemptState, learner_id: Hashable) -> AttemptOutcome:
    """The outcome of a finished attempt, for :func:`weak_wheel`."""
    path = [(s.node, s.choice) for s in state.path]
    return AttemptOutcome(
        learner_id=learner_id,
        role=module.role,
        module_id=module.id,
        customer=_scaled(module, state, CUSTOMER),
        employee=_scaled(module, state, EMPLOYEE),
        customer_misses=customer_misses(module, path),
    )


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def role_stats(outcomes: Iterable[AttemptOutcome]) -> dict[str, RoleStats]:
    """Per role: attempts, average scaled customer and employee meters, customer-hurting misses per attempt."""
    grouped: dict[str, list[AttemptOutcome]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.role, []).append(outcome)
    return {
        role: RoleStats(
            role=role,
            attempts=len(items),
            customer=_mean([o.customer for o in items if o.customer is not None]),
            employee=_mean([o.employee for o in items if o.employee is not None]),
            misses_per_attempt=sum(o.customer_misses for o in items) / len(items),
        )
        for role, items in grouped.items()
    }


def weak_wheel(
    outcomes: Iterable[AttemptOutcome], ladder: Sequence[str] = (), min_attempts: int = MIN_ATTEMPTS
) -> WeakWheel | None:
    """The role whose choices hurt the customer most, or None when no role has enough attempts."""
    stats = role_stats(outcomes)
    order = {role: i for i, role in enumerate(ladder)}
    judged = [s for s in stats.values() if s.attempts >= min_attempts and s.customer is not None]
    by_role = tuple(sorted(stats.values(), key=lambda s: (order.get(s.role, len(order)), s.role)))
    if not judged:
        return None
    weakest = min(
        judged,
        key=lambda s: (s.customer or 0.0, -s.misses_per_attempt, order.get(s.role, len(order)), s.role),
    )
    return WeakWheel(weakest.role, weakest.customer or 0.0, weakest.attempts, by_role)


def role_coverage(
    catalog: Catalog, members: Iterable[tuple[Hashable, str | None, Collection[str]]]
) -> dict[str, Coverage]:
    """For each ladder role: of its own modules, how many its team members have passed.

    ``members`` are ``(learner_id, job_role, passed_module_ids)``; members without a
    job role are not counted anywhere.
    """
    holders: dict[str, list[Collection[str]]] = {role: [] for role in catalog.ladder}
    for _, job_role, passed in members:
        if job_role:
            holders.setdefault(job_role, []).append(set(passed))
    out: dict[str, Coverage] = {}
    for role, passes in holders.items():
        own = catalog.modules_of(role)
        done = sum(len(own & set(p)) for p in passes)
        possible = len(own) * len(passes)
        out[role] = Coverage(role, len(passes), len(own), done, done / possible if possible else None)
    return out
