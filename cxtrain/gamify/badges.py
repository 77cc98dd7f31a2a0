"""Badges: what a learner has earned, by rules from a small vocabulary.

A badge's ``rule`` is a mapping of conditions; the badge is earned when every
condition holds (several keys mean "all of these"). The vocabulary, as trainers
write it in ``badges.yaml`` (docs/gamification.md has examples):

``passes: N``        passed at least N different modules
``score: X``         finished some module with a score of at least X (0..1)
``module: ID``       passed that module
``role: ID``         passed every module of that role
``own_role: all|N``  passed every module of the learner's own role, or N of them
``every_role: true`` passed a module of every ladder role that has modules
``track: ID|any``    passed every module of that track (``any``: of some track)
``team_track: ID|any`` the learner and every teammate (a team of two or more) have
                     each passed every module of that track, or of some track
``streak: N``        a streak of N days in a row, ever (the longest streak counts)
``xp: N``            at least N XP in total
``practice: N``      at least N correct daily-practice answers

Awarding is "once, at the moment the rule holds": :func:`new_badges` returns the
badges that hold now and were not awarded before. Storage must make the award
itself idempotent too (a unique key on learner and badge, insert-or-ignore), so two
finishes racing each other still award a badge once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from cxtrain.scenario import languages

from .records import Catalog, FinishedAttempt, activity_times, passed_modules
from .streaks import streak

ANY = "any"
"""The track id meaning "some track"; reserved, so no track may be called ``any``."""

SCORE_TOLERANCE = 1e-9
"""Scores are floats; a perfect play stored as 0.9999999999 still earns ``score: 1.0``."""


@dataclass(frozen=True, slots=True)
class Rule:
    """The conditions of one badge; ``None`` (or False) means the condition is not used."""

    passes: int | None = None
    score: float | None = None
    module: str | None = None
    role: str | None = None
    own_role: Literal["all"] | int | None = None
    every_role: bool = False
    track: str | None = None
    team_track: str | None = None
    streak: int | None = None
    xp: int | None = None
    practice: int | None = None

    def used(self) -> dict[str, Any]:
        """The conditions this rule uses, as written in the file."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is not None and value is not False:
                out[item.name] = value
        return out


@dataclass(frozen=True, slots=True)
class BadgeText:
    """What a learner reads of a badge, in one language (``language`` None: badges.yaml does not say)."""

    title: str
    description: str
    criteria: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Badge:
    """One badge as declared in badges.yaml; ``rule_at`` maps rule keys to (line, column)."""

    id: str
    title: str
    description: str
    criteria: str
    rule: Rule
    image: str | None = None
    language: str | None = None  # badges.yaml's `language:`, a BCP 47 tag like a module's
    translations: tuple[BadgeText, ...] = ()  # from the badge's `translations:`, tags normalised
    path: str = "<text>"
    line: int = 1
    column: int = 1
    rule_at: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)

    def text_for(self, language: str | None) -> BadgeText:
        """The badge's texts for a page in ``language``: the translation languages.pick chooses,
        else the file's own."""
        by_tag = {text.language or "": text for text in self.translations}
        tag = languages.pick(by_tag, language)
        if tag is not None:
            return by_tag[tag]
        return BadgeText(self.title, self.description, self.criteria, self.language)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "criteria": self.criteria,
            "image": self.image,
            "rule": self.rule.used(),
        }


@dataclass(frozen=True, slots=True)
class BadgeContext:
    """Everything the rules look at for one learner, at one moment.

    ``teammates_passed`` holds, for each *other* member of the learner's team, the
    module ids they have passed (empty when the learner has no team).
    """

    catalog: Catalog
    attempts: Sequence[FinishedAttempt] = ()
    job_role: str | None = None
    longest_streak: int = 0
    xp: int = 0
    practice_correct: int = 0
    teammates_passed: Sequence[Collection[str]] = ()

    @classmethod
    def for_learner(
        cls,
        catalog: Catalog,
        attempts: Sequence[FinishedAttempt],
        now: datetime,
        tz: str | None = None,
        job_role: str | None = None,
        practice_times: Iterable[datetime] = (),
        practice_xp: int = 0,
        practice_correct: int = 0,
        teammates_passed: Sequence[Collection[str]] = (),
    ) -> BadgeContext:
        """A context derived from the learner's records: streak from activity, XP from attempts."""
        times = activity_times(attempts, practice_times)
        return cls(
            catalog=catalog,
            attempts=tuple(attempts),
            job_role=job_role,
            longest_streak=streak(times, tz, now).longest,
            xp=sum(a.xp_earned for a in attempts) + practice_xp,
            practice_correct=practice_correct,
            teammates_passed=tuple(frozenset(p) for p in teammates_passed),
        )


def _tracks(catalog: Catalog, wanted: str) -> list[tuple[str, ...]]:
    if wanted == ANY:
        return [mods for mods in catalog.tracks.values() if mods]
    mods = catalog.tracks.get(wanted)
    return [mods] if mods else []


def holds(rule: Rule, ctx: BadgeContext) -> bool:
    """Whether every condition of ``rule`` holds for the learner in ``ctx``."""
    catalog = ctx.catalog
    passed = passed_modules(ctx.attempts)
    checks: list[bool] = []
    if rule.passes is not None:
        checks.append(len(passed) >= rule.passes)
    if rule.score is not None:
        checks.append(any(a.score >= rule.score - SCORE_TOLERANCE for a in ctx.attempts))
    if rule.module is not None:
        checks.append(rule.module in passed)
    if rule.role is not None:
        mods = catalog.modules_of(rule.role)
        checks.append(bool(mods) and mods <= passed)
    if rule.own_role is not None:
        checks.append(_own_role(rule.own_role, ctx, passed))
    if rule.every_role:
        roles = catalog.roles_with_modules()
        passed_roles = {a.role for a in ctx.attempts if a.passed}
        checks.append(bool(roles) and set(roles) <= passed_roles)
    if rule.track is not None:
        checks.append(any(set(mods) <= passed for mods in _tracks(catalog, rule.track)))
    if rule.team_track is not None:
        team = [passed, *(frozenset(p) for p in ctx.teammates_passed)]
        checks.append(
            len(team) >= 2 and any(all(set(mods) <= p for p in team) for mods in _tracks(catalog, rule.team_track))
        )
    if rule.streak is not None:
        checks.append(ctx.longest_streak >= rule.streak)
    if rule.xp is not None:
        checks.append(ctx.xp >= rule.xp)
    if rule.practice is not None:
        checks.append(ctx.practice_correct >= rule.practice)
    # A rule with no conditions never holds: the loader refuses one, and a badge for
    # nothing at all would be handed to everyone by mistake.
    return bool(checks) and all(checks)


def _own_role(want: Literal["all"] | int, ctx: BadgeContext, passed: frozenset[str]) -> bool:
    if not ctx.job_role:
        return False
    if want == "all":
        mods = ctx.catalog.modules_of(ctx.job_role)
        return bool(mods) and mods <= passed
    own_passed = {a.module_id for a in ctx.attempts if a.passed and a.role == ctx.job_role}
    return len(own_passed) >= int(want)


def badges_earned(badges: Iterable[Badge], ctx: BadgeContext) -> set[str]:
    """Ids of the badges whose rules hold now."""
    return {badge.id for badge in badges if holds(badge.rule, ctx)}


def new_badges(badges: Iterable[Badge], ctx: BadgeContext, already_awarded: Collection[str]) -> list[Badge]:
    """Badges to award now: their rule holds and they were not awarded before, in file order.

    Calling it again after storing the result returns nothing new; a badge once
    awarded is kept even if its rule later stops holding (a new teammate, an edited track).
    """
    awarded = set(already_awarded)
    return [badge for badge in badges if badge.id not in awarded and holds(badge.rule, ctx)]
