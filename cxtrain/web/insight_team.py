"""The team view's numbers: who may see which team, and what each member and role has done.

The rules (passes, meters, weak wheel, coverage) are cxtrain.gamify's; this module only
feeds them from cxtrain.store.insight and decides who may look.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy.orm import Session

from ..display_names import shows_as_name
from ..gamify import Catalog as RuleCatalog
from ..gamify import Coverage, RoleStats, WeakWheel, role_coverage, weak_wheel
from ..gamify.insight import CUSTOMER, EMPLOYEE, AttemptOutcome, role_stats
from ..gamify.xp import round_half_up
from ..scenario import engine
from ..scenario.grading import option_values, start_state
from ..scenario.model import Module
from ..store import insight as queries
from ..store.models import User
from .catalog import Catalog

# Learners in these seats manage people: they see their own team (never another one).
MANAGER_JOB_ROLES = frozenset({"team-manager", "department-head", "executive", "ceo"})


class Forbidden(Exception):
    """The user may not see the team they asked for."""


def is_manager(user: User) -> bool:
    return bool(user.is_trainer or (user.job_role in MANAGER_JOB_ROLES and user.team))


def team_for(user: User, requested: str | None) -> str | None:
    """The team ``user`` may look at for a request naming ``requested`` (None: pick one).

    Trainers and admins see any team; a managing learner only their own; anyone else none.
    Checked on every request: the answer follows the user's current role and team.
    """
    if user.is_trainer:
        return requested or user.team
    if not is_manager(user):
        raise Forbidden
    if requested and requested != user.team:
        raise Forbidden
    return user.team


@dataclass(frozen=True, slots=True)
class MemberRow:
    user_id: int
    label: str  # English, as the CSV has it; the page says it with member_name
    email: str | None  # None when the viewer may not see emails
    job_role: str | None
    passed: frozenset[str]
    attempted: frozenset[str]
    customer: float | None
    employee: float | None
    own_passed: int
    own_total: int
    named: bool = True  # False: ``label`` is the role-and-number fallback of member_label


@dataclass(frozen=True, slots=True)
class RoleRow:
    role: str
    title: str
    members: int
    coverage: Coverage | None
    stats: RoleStats | None


@dataclass(frozen=True, slots=True)
class TeamReport:
    team: str
    members: list[MemberRow]
    roles: list[RoleRow]
    weak: WeakWheel | None
    modules: list[tuple[str, str, str]]  # (id, title, role) of the modules on offer, ladder order
    role_titles: dict[str, str] = field(default_factory=dict)


_Packed = tuple[str, tuple[int, ...], int, int]
_steps: dict[tuple[str, _Packed, str], tuple[_Packed, bool]] = {}
_STEPS_MAX = 500_000


def _step(module: Module, state: _Packed, node_id: str, choice_id: str) -> tuple[_Packed, bool] | None:
    """One step of grading.best_choices_along plus gamify.insight.customer_misses' test: the state
    after ``choice_id`` and whether it was a customer-hurting miss (None: the walk stops here)."""
    if state[0] != node_id:
        return None
    options = option_values(module, state)
    chosen = next((o for o in options if o[1].id == choice_id), None)
    if chosen is None:
        return None
    top = max(options, key=lambda o: o[0])
    hurt = dict(chosen[1].effects).get(CUSTOMER, 0) < dict(top[1].effects).get(CUSTOMER, 0)
    return chosen[2], top[0] > chosen[0] and hurt


def fast_customer_misses(module: Module, path: list[tuple[str, str]]) -> int:
    """gamify.insight.customer_misses, memoised per (version, state, choice).

    The team view needs it for every member's every module; replaying the grading per
    attempt cost about a millisecond each, while learners' paths share most of their
    states, so after a few pages nearly every step is a dictionary lookup.
    """
    if not module.exploration.complete:
        return 0  # best_choices_along reports nothing then either
    state: _Packed = start_state(module)
    count = 0
    for node_id, choice_id in path:
        key = (module.version, state, choice_id)
        hit = _steps.get(key)
        if hit is None:
            hit = _step(module, state, node_id, choice_id)
            if hit is None:
                break
            if len(_steps) >= _STEPS_MAX:  # crude bound on memory: start again
                _steps.clear()
            _steps[key] = hit
        state, miss = hit
        count += miss
    return count


def _scaled(module: Module, state: engine.AttemptState, meter_id: str) -> float | None:
    try:
        meter = module.meter(meter_id)
    except KeyError:
        return None
    return (state.meters[meter_id] - meter.min) / (meter.max - meter.min)


class OutcomeCache:
    """Outcomes by state JSON. A finished attempt's state never changes and names its module
    version, so its outcome (as gamify.insight.outcome_of computes it) is a pure function of it."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._items: OrderedDict[str, AttemptOutcome] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, module: Module, state_json: str) -> AttemptOutcome:
        with self._lock:
            found = self._items.get(state_json)
            if found is not None:
                self._items.move_to_end(state_json)
                return found
        state = engine.AttemptState.from_json(state_json)
        misses = fast_customer_misses(module, [(s.node, s.choice) for s in state.path])
        outcome = AttemptOutcome(
            None, module.role, module.id, _scaled(module, state, CUSTOMER), _scaled(module, state, EMPLOYEE), misses
        )
        with self._lock:
            self._items[state_json] = outcome
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return outcome


_outcomes = OutcomeCache()


def rule_catalog(db: Session, catalog: Catalog) -> RuleCatalog:
    """The gamify catalogue of what is on offer now (uploads included), for coverage."""
    library = catalog.library
    return RuleCatalog(
        ladder=tuple(r.id for r in library.ladder()),
        role_titles={r.id: r.title for r in library.roles.values()},
        module_roles={mid: e.module.role for mid, e in catalog.current(db).items()},
    )


def member_label(user: User, show_email: bool, titles: dict[str, str]) -> str:
    """A name for the member: their name, else (for trainers) the email, else role and number.
    A name that is an address (typed before names were checked) counts as none."""
    if shows_as_name(user.name):
        return user.name
    if show_email:
        return user.email
    return f"{titles.get(user.job_role or '', 'Member')} #{user.id}"


def member_name(row: MemberRow, titles: dict[str, str]) -> str:
    """The member's name on the page, in the page's language (member_label's fallback translated)."""
    if row.named:
        return row.label
    title = titles.get(row.job_role or "")
    if title:
        # Translators: a team member without a name, by their job role's title and account number.
        return gettext("%(role)s #%(number)s", role=title, number=row.user_id)
    return gettext("Member #%(number)s", number=row.user_id)


def team_report(db: Session, catalog: Catalog, team: str, show_email: bool) -> TeamReport:
    rules = rule_catalog(db, catalog)
    titles = dict(rules.role_titles)
    members = queries.team_members(db, team)
    per_member: dict[int, list[AttemptOutcome]] = {m.id: [] for m in members}
    passed: dict[int, set[str]] = {m.id: set() for m in members}
    attempted: dict[int, set[str]] = {m.id: set() for m in members}
    outcomes: list[AttemptOutcome] = []
    for row in queries.team_results(db, team):
        attempted[row.user_id].add(row.module_id)
        if row.passed:
            passed[row.user_id].add(row.module_id)
        module = catalog.pinned(db, row.module_id, row.module_version)
        if module is None:  # its text was deleted by hand: the pass still counts, the meters cannot
            continue
        shared = _outcomes.get(module, row.state_json)
        outcome = AttemptOutcome(
            row.user_id, shared.role, shared.module_id, shared.customer, shared.employee, shared.customer_misses
        )
        per_member[row.user_id].append(outcome)
        outcomes.append(outcome)
    rows = []
    for user in members:
        own = rules.modules_of(user.job_role) if user.job_role else frozenset()
        mine = per_member[user.id]
        rows.append(
            MemberRow(
                user_id=user.id,
                label=member_label(user, show_email, titles),
                email=user.email if show_email else None,
                job_role=user.job_role,
                passed=frozenset(passed[user.id]),
                attempted=frozenset(attempted[user.id]),
                customer=_mean([o.customer for o in mine]),
                employee=_mean([o.employee for o in mine]),
                own_passed=len(own & passed[user.id]),
                own_total=len(own),
                named=shows_as_name(user.name) or show_email,
            )
        )
    coverage = role_coverage(rules, [(m.id, m.job_role, passed[m.id]) for m in members])
    stats = role_stats(outcomes)
    weak = weak_wheel(outcomes, rules.ladder)
    role_ids = list(rules.ladder) + sorted((set(stats) | set(coverage)) - set(rules.ladder))
    roles = [
        RoleRow(r, titles.get(r, r), sum(1 for m in members if m.job_role == r), coverage.get(r), stats.get(r))
        for r in role_ids
    ]
    order = {r: i for i, r in enumerate(rules.ladder)}
    entries = catalog.current(db)
    modules = sorted(
        ((mid, e.module.title, e.module.role) for mid, e in entries.items()),
        key=lambda t: (order.get(t[2], len(order)), t[1]),
    )
    return TeamReport(team, rows, roles, weak, modules, titles)


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def percent(value: float | None) -> str:
    """A share as a whole percent, halves up (72.5 is 73, as a manager checking by hand gets)."""
    return "" if value is None else f"{round_half_up(value * 100)}"
