"""Gamification in the service: feed the pure rules of cxtrain.gamify from storage, store what they decide.

Here: the service's gamification settings (clock, level curve, badges), what a finished
attempt earns (XP, practice items, badges) and the learner's profile; practice answers are
in :mod:`.practice_questions` and leaderboards in :mod:`.leaderboards`, which use these.
Pages and the JSON API both call these functions. The clock is :func:`now`, which
reads ``app.config["CLOCK"]`` when set, so tests move time without sleeping.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import gamify
from ..gamify import Badge, BadgeContext, Catalog, Level, LevelCurve, Streak
from ..gamify.records import as_utc
from ..scenario.model import Module
from ..store import badge_awards, learner_records, practice_queue, xp_ledger
from ..store import reminders as reminder_store
from ..store.attempts import state_of
from ..store.models import Attempt, User, UserBadge
from .catalog import Catalog as ModuleCatalog
from .i18n import content_lang, html_lang


def now() -> datetime:
    clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
    return as_utc(clock()) if clock else datetime.now(UTC)


def modules() -> ModuleCatalog:
    return current_app.extensions["cxtrain.catalog"]


def curve() -> LevelCurve:
    if "cxtrain.levels" not in current_app.extensions:
        current_app.extensions["cxtrain.levels"] = LevelCurve.from_config(current_app.config.get("LEVEL_CURVE"))
    return current_app.extensions["cxtrain.levels"]


def badges() -> list[Badge]:
    """The library's badges.yaml (a CXTRAIN_SCENARIOS folder's replaces the bundled one), loaded once."""
    if "cxtrain.badges" not in current_app.extensions:
        path = gamify.badges_file_for(current_app.config.get("SCENARIO_FOLDERS") or [])
        current_app.extensions["cxtrain.badges"] = gamify.load_badges(path)
    return current_app.extensions["cxtrain.badges"]


def badge(badge_id: str) -> Badge | None:
    return next((b for b in badges() if b.id == badge_id), None)


def badges_for_page(awarded: list[dict[str, Any]]) -> None:
    """Give badges awarded by a finish or a practice answer (``badge_dict``s) the texts of the page's
    language, with ``lang_attrs`` for them; the API keeps badges.yaml's own texts and language."""
    for item in awarded:
        found = badge(item["id"])
        text = found.text_for(html_lang()) if found is not None else None
        if text is not None:
            item.update(title=text.title, description=text.description, language=text.language)
        item["lang_attrs"] = content_lang(item.get("language"))


def leaderboards_on() -> bool:
    value = current_app.config.get("LEADERBOARDS", os.environ.get("CXTRAIN_LEADERBOARDS", "on"))
    return str(value).strip().lower() not in {"off", "0", "false", "no"}


def catalog(db: Session) -> Catalog:
    """Plain ids of what is on offer now (uploads included), for the badge rules."""
    lib = modules().library
    entries = modules().current(db)
    return Catalog(
        ladder=tuple(role.id for role in lib.ladder()),
        role_titles={role.id: role.title for role in lib.roles.values()},
        module_roles={mid: e.module.role for mid, e in entries.items()},
        tracks={track.id: track.modules for track in lib.tracks.values()},
    )


def role_title(job_role: str | None) -> str | None:
    role = modules().roles.get(job_role or "")
    return role.title if role else None


@dataclass
class Rewards:
    """What one finish or practice answer brought: XP, a new level (or None), new badges."""

    xp: int = 0
    level_up: Level | None = None
    badges: list[UserBadge] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "xp": self.xp,
            "level_up": {"number": self.level_up.number, "name": self.level_up.name} if self.level_up else None,
            "badges": [badge_dict(b) for b in self.badges],
        }


def badge_dict(row: UserBadge) -> dict[str, Any]:
    found = badge(row.badge_id)
    return {
        "id": row.badge_id,
        "title": found.title if found else row.badge_id,
        "description": found.description if found else "",
        "language": found.language if found else None,
        "awarded_at": as_utc(row.awarded_at),
        "assertion": f"/badges/assertions/{row.assertion_id}.json",
    }


def streak_of(db: Session, user: User, at: datetime | None = None) -> Streak:
    cat_roles: dict[str, str] = {}
    attempts = learner_records.finished_attempts(db, [user.id], cat_roles)[user.id]
    times = gamify.records.activity_times(attempts, learner_records.practice_times(db, user.id))
    return gamify.streak(times, user.timezone, at or now())


def _context(db: Session, user: User, cat: Catalog, at: datetime) -> BadgeContext:
    attempts = learner_records.finished_attempts(db, [user.id], dict(cat.module_roles))[user.id]
    mates = learner_records.teammate_ids(db, user)
    return BadgeContext.for_learner(
        cat,
        attempts,
        at,
        tz=user.timezone,
        job_role=user.job_role,
        practice_times=learner_records.practice_times(db, user.id),
        practice_xp=xp_ledger.practice_xp_total(db, user.id),
        practice_correct=learner_records.practice_correct(db, user.id),
        teammates_passed=list(learner_records.passed_by(db, mates).values()),
    )


def check_badges(db: Session, user: User, at: datetime, attempt_id: int | None) -> list[str]:
    """Award every badge whose rule holds now and that the learner lacks (caller holds the learner lock).

    Returns the ids newly awarded to this learner; team badges that the learner's finish
    completed are awarded to their teammates too (see :func:`_award_team_badges`).
    """
    cat = catalog(db)
    ctx = _context(db, user, cat, at)
    have = {row.badge_id for row in badge_awards.awarded(db, user.id)}
    fresh = gamify.new_badges(badges(), ctx, have)
    mine = badge_awards.award_badges(db, user.id, [b.id for b in fresh if b.rule.team_track is None], at, attempt_id)
    return mine + _award_team_badges(db, user, cat, ctx, at, attempt_id, [b.id for b in fresh if b.rule.team_track])


def _award_team_badges(
    db: Session, user: User, cat: Catalog, ctx: BadgeContext, at: datetime, attempt_id: int | None, own: list[str]
) -> list[str]:
    """Award ``own`` (team badges the learner has just earned) and every teammate's team badges that now hold.

    A team badge is earned by every member the moment the last one completes the track
    (docs/gamification.md), yet only the finisher's request runs: the members who finished
    earlier would otherwise wait for their own next finish. The ``team_track`` part of a
    rule is the same for every member (they share one team), so mates are only looked at
    once it holds for the learner. Mates are not locked: every rule condition only grows
    (passes, XP, streaks) and the award is insert-or-ignore, so a late or doubled check
    cannot be wrong. Members are awarded in id order, so two teammates finishing at the same
    moment insert the same keys in the same order and cannot deadlock on PostgreSQL.
    """
    team_done = [
        b for b in badges() if b.rule.team_track and gamify.holds(gamify.Rule(team_track=b.rule.team_track), ctx)
    ]
    mates = learner_records.teammate_ids(db, user) if team_done else []
    have = badge_awards.awarded_among(db, mates, [b.id for b in team_done])
    mine: list[str] = []
    for uid in sorted([user.id, *mates]):
        if uid == user.id:
            mine = badge_awards.award_badges(db, uid, own, at, attempt_id)
            continue
        lacking = [b for b in team_done if b.id not in have[uid]]
        mate = db.get(User, uid) if lacking else None
        if mate is None:
            continue
        # attempt_id stays None: the award belongs to no attempt of the mate's, and the
        # finisher's answer (badges_of_attempt) must not list a teammate's badge.
        fresh = gamify.new_badges(lacking, _context(db, mate, cat, at), have[uid])
        badge_awards.award_badges(db, uid, [b.id for b in fresh], at, None)
    return mine


def award_finish(db: Session, user: User, attempt: Attempt, module: Module) -> None:
    """Pay a finished attempt its XP, queue its missed decisions for practice, award badges. Idempotent.

    Runs in its own transaction after the finishing choice has been committed; if it
    never ran (a crash in between), :func:`finish_rewards` runs it on the next view.
    """
    if attempt.finished_at is None or xp_ledger.finish_entry(db, attempt.id) is not None:
        return
    at = now()
    try:
        xp_ledger.lock_learner(db, user.id)
        if xp_ledger.finish_entry(db, attempt.id) is not None:  # another request got here first
            db.rollback()
            return
        already = xp_ledger.earned_on_module(db, user.id, module.id)
        xp = gamify.xp_for_finish(module.xp_value, float(attempt.score or 0.0), already)
        xp_ledger.add_xp(db, user.id, xp, xp_ledger.FINISH, at, module_id=module.id, attempt_id=attempt.id)
        path = [(step.node, step.choice) for step in state_of(attempt).path]
        missed = gamify.missed_decisions(module, path)
        existing = [practice_queue.to_item(r) for r in practice_queue.practice_rows(db, user.id, module.id)]
        practice_queue.save_queue(
            db, user.id, gamify.items_from_attempt(module.id, missed, existing, at, user.timezone)
        )
        db.flush()
        check_badges(db, user, at, attempt.id)
        db.commit()
    except IntegrityError:
        db.rollback()  # the UNIQUE(attempt_id) lost a race we could not see: the other award stands


def finish_rewards(db: Session, user: User, attempt: Attempt, module: Module) -> Rewards:
    """What this finished attempt earned, from storage (so a reload shows the same as the JSON answer)."""
    award_finish(db, user, attempt, module)
    entry = xp_ledger.finish_entry(db, attempt.id)
    if entry is None:
        return Rewards()
    before = xp_ledger.xp_before(db, user.id, entry.id)
    up = gamify.level_up(before, before + entry.amount, curve())
    return Rewards(entry.amount, up, badge_awards.badges_of_attempt(db, attempt.id))


# --- Profile


def profile(db: Session, user: User) -> dict[str, Any]:
    xp = xp_ledger.xp_total(db, user.id)
    level = gamify.level_for(xp, curve())
    run = streak_of(db, user)
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "job_role": user.job_role,
        "team": user.team,
        "xp": xp,
        "level": level.number,
        "level_name": level.name,
        "level_progress": level.as_dict(),
        "badges": [badge_dict(b) for b in badge_awards.awarded(db, user.id)],
        "streak": run.current,
        "longest_streak": run.longest,
        "active_today": run.active_today,
        "leaderboard": xp_ledger.visibility(db, user.id, gamify.DEFAULT_VISIBILITY),
        "timezone": user.timezone,
        "language": user.language,
        "reminders": user.reminders,
        "reminders_on": reminder_store.wants_reminders(user, reminders_default()),
    }


def reminders_default() -> bool:
    """Whether an account that never chose gets reminder emails (CXTRAIN_REMINDERS_DEFAULT)."""
    return bool(current_app.config.get("REMINDERS_DEFAULT"))


def update_profile(db: Session, user: User, data: dict[str, Any]) -> None:
    """Apply validated settings (name, leaderboard visibility, time zone, page language, reminder
    choice: None follows the service's default again) and commit."""
    if "name" in data:
        user.name = data["name"].strip()
    if "timezone" in data:
        user.timezone = data["timezone"]
    if "language" in data:
        user.language = data["language"]
    if "reminders" in data:
        user.reminders = data["reminders"]
    if "leaderboard" in data:
        xp_ledger.set_visibility(db, user.id, data["leaderboard"])
    db.commit()
