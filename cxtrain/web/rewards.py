"""Gamification in the service: feed the pure rules of cxtrain.gamify from storage, store what they decide.

Pages and the JSON API both call these functions. The clock is :func:`now`, which
reads ``app.config["CLOCK"]`` when set, so tests move time without sleeping.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import gamify
from ..gamify import Badge, BadgeContext, Catalog, Level, LevelCurve, Streak
from ..gamify.records import as_utc
from ..scenario.model import Module
from ..store import gamestate as gs
from ..store.attempts import state_of
from ..store.models import Attempt, User, UserBadge
from .catalog import Catalog as ModuleCatalog

Period = Literal["week", "all"]


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
        "awarded_at": as_utc(row.awarded_at),
        "assertion": f"/badges/assertions/{row.assertion_id}.json",
    }


def streak_of(db: Session, user: User, at: datetime | None = None) -> Streak:
    cat_roles: dict[str, str] = {}
    attempts = gs.finished_attempts(db, [user.id], cat_roles)[user.id]
    times = gamify.records.activity_times(attempts, gs.practice_times(db, user.id))
    return gamify.streak(times, user.timezone, at or now())


def _context(db: Session, user: User, cat: Catalog, at: datetime) -> BadgeContext:
    attempts = gs.finished_attempts(db, [user.id], dict(cat.module_roles))[user.id]
    mates = gs.teammate_ids(db, user)
    return BadgeContext.for_learner(
        cat,
        attempts,
        at,
        tz=user.timezone,
        job_role=user.job_role,
        practice_times=gs.practice_times(db, user.id),
        practice_xp=gs.practice_xp_total(db, user.id),
        practice_correct=gs.practice_correct(db, user.id),
        teammates_passed=list(gs.passed_by(db, mates).values()),
    )


def _check_badges(db: Session, user: User, at: datetime, attempt_id: int | None) -> list[str]:
    """Award every badge whose rule holds now and that the learner lacks (caller holds the learner lock).

    Returns the ids newly awarded to this learner; team badges that the learner's finish
    completed are awarded to their teammates too (see :func:`_award_team_badges`).
    """
    cat = catalog(db)
    ctx = _context(db, user, cat, at)
    have = {row.badge_id for row in gs.awarded(db, user.id)}
    fresh = gamify.new_badges(badges(), ctx, have)
    mine = gs.award_badges(db, user.id, [b.id for b in fresh if b.rule.team_track is None], at, attempt_id)
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
    mates = gs.teammate_ids(db, user) if team_done else []
    have = gs.awarded_among(db, mates, [b.id for b in team_done])
    mine: list[str] = []
    for uid in sorted([user.id, *mates]):
        if uid == user.id:
            mine = gs.award_badges(db, uid, own, at, attempt_id)
            continue
        lacking = [b for b in team_done if b.id not in have[uid]]
        mate = db.get(User, uid) if lacking else None
        if mate is None:
            continue
        # attempt_id stays None: the award belongs to no attempt of the mate's, and the
        # finisher's answer (badges_of_attempt) must not list a teammate's badge.
        fresh = gamify.new_badges(lacking, _context(db, mate, cat, at), have[uid])
        gs.award_badges(db, uid, [b.id for b in fresh], at, None)
    return mine


def award_finish(db: Session, user: User, attempt: Attempt, module: Module) -> None:
    """Pay a finished attempt its XP, queue its missed decisions for practice, award badges. Idempotent.

    Runs in its own transaction after the finishing choice has been committed; if it
    never ran (a crash in between), :func:`finish_rewards` runs it on the next view.
    """
    if attempt.finished_at is None or gs.finish_entry(db, attempt.id) is not None:
        return
    at = now()
    try:
        gs.lock_learner(db, user.id)
        if gs.finish_entry(db, attempt.id) is not None:  # another request got here first
            db.rollback()
            return
        already = gs.earned_on_module(db, user.id, module.id)
        xp = gamify.xp_for_finish(module.xp_value, float(attempt.score or 0.0), already)
        gs.add_xp(db, user.id, xp, gs.FINISH, at, module_id=module.id, attempt_id=attempt.id)
        path = [(step.node, step.choice) for step in state_of(attempt).path]
        missed = gamify.missed_decisions(module, path)
        existing = [gs.to_item(r) for r in gs.practice_rows(db, user.id, module.id)]
        gs.save_queue(db, user.id, gamify.items_from_attempt(module.id, missed, existing, at, user.timezone))
        db.flush()
        _check_badges(db, user, at, attempt.id)
        db.commit()
    except IntegrityError:
        db.rollback()  # the UNIQUE(attempt_id) lost a race we could not see: the other award stands


def finish_rewards(db: Session, user: User, attempt: Attempt, module: Module) -> Rewards:
    """What this finished attempt earned, from storage (so a reload shows the same as the JSON answer)."""
    award_finish(db, user, attempt, module)
    entry = gs.finish_entry(db, attempt.id)
    if entry is None:
        return Rewards()
    before = gs.xp_before(db, user.id, entry.id)
    up = gamify.level_up(before, before + entry.amount, curve())
    return Rewards(entry.amount, up, gs.badges_of_attempt(db, attempt.id))


# --- Practice


class PracticeError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _question(db: Session, row: Any) -> dict[str, Any] | None:
    module = modules().get(db, row.module_id)
    if module is None:
        return None
    question = gamify.practice_question(module, gs.to_item(row))
    if question is not None:
        question["id"] = row.id
        question["due_at"] = as_utc(row.due_at)
    return question


def due_questions(db: Session, user: User) -> list[dict[str, Any]]:
    """Today's questions, most overdue first; items whose module changed under them are skipped."""
    at = now()
    rows = {r.id: r for r in gs.due_rows(db, user.id, at)}
    picked = gamify.due_items([gs.to_item(r) for r in rows.values()], at)
    by_key = {(r.module_id, r.node_id): r for r in rows.values()}
    out = []
    for item in picked:
        question = _question(db, by_key[item.key])
        if question is not None:
            out.append(question)
    return out


def answer(db: Session, user: User, item_id: int, choice: str) -> dict[str, Any]:
    """Check one practice answer, reschedule the item, pay a little XP, keep the streak; raises PracticeError."""
    at = now()
    gs.lock_learner(db, user.id)  # a double submit waits here, then finds the item no longer due
    row = next((r for r in gs.practice_rows(db, user.id) if r.id == item_id), None)
    if row is None:
        db.rollback()
        raise PracticeError(404, "unknown-item", f"There is no practice item {item_id}.")
    module = modules().get(db, row.module_id)
    item = gs.to_item(row)
    if module is None or gamify.practice_question(module, item) is None:
        db.rollback()
        raise PracticeError(404, "item-gone", "This question's module changed; it has left your practice.")
    if item.learned or as_utc(item.due_at) > at:
        db.rollback()
        raise PracticeError(409, "not-due", "This question is not due yet.")
    if choice not in item.options:
        db.rollback()
        raise PracticeError(400, "unknown-choice", f"'{choice}' is not one of this question's choices.")
    correct = gamify.is_correct(item, choice)
    xp = gamify.practice_xp(correct, gs.practice_xp_today(db, user.id, at, user.timezone))
    before = gs.xp_total(db, user.id)
    new = gamify.schedule_after(item, correct, at, user.timezone)
    gs.update_item(db, row, new)
    gs.record_answer(db, user.id, row, choice, correct, xp, at)
    if xp:
        gs.add_xp(db, user.id, xp, gs.PRACTICE, at, module_id=row.module_id)
    db.flush()
    new_ids = _check_badges(db, user, at, None)
    db.commit()
    fresh = [b for b in gs.awarded(db, user.id) if b.badge_id in new_ids]
    rewards = Rewards(xp, gamify.level_up(before, before + xp, curve()), fresh)
    return {
        **gamify.answer_feedback(module, item, choice),
        **rewards.as_dict(),
        "feedback": gamify.answer_feedback(module, item, choice)["best_feedback"],
        "streak": streak_of(db, user, at).current,
        "next_due": None if new.learned else as_utc(new.due_at),
    }


# --- Profile


def profile(db: Session, user: User) -> dict[str, Any]:
    xp = gs.xp_total(db, user.id)
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
        "badges": [badge_dict(b) for b in gs.awarded(db, user.id)],
        "streak": run.current,
        "longest_streak": run.longest,
        "active_today": run.active_today,
        "leaderboard": gs.visibility(db, user.id, gamify.DEFAULT_VISIBILITY),
        "timezone": user.timezone,
    }


def update_profile(db: Session, user: User, data: dict[str, Any]) -> None:
    """Apply validated settings (name, leaderboard visibility, time zone) and commit."""
    if "name" in data:
        user.name = data["name"].strip()
    if "timezone" in data:
        user.timezone = data["timezone"]
    if "leaderboard" in data:
        gs.set_visibility(db, user.id, data["leaderboard"])
    db.commit()


# --- Leaderboards


@dataclass(frozen=True)
class _TeamPool:
    """The teams of a team board, ranked once for every viewer (what gamify.rank computes per call).

    ``teams``: every team shown (at least MIN_TEAM_SIZE members) at its XP per member;
    ``ranked``: those with XP, in gamify.rank's order, with their competition ``ranks``;
    ``index``: a team's place in ``ranked``.
    """

    teams: list[gamify.LeaderEntry]
    ranked: list[gamify.LeaderEntry]
    ranks: list[int]
    index: dict[str, int]


_team_cache: dict[tuple[str, str, Period, str], tuple[float, _TeamPool]] = {}
_team_lock = threading.Lock()


def _team_pool(db: Session, period: Period, at: datetime) -> _TeamPool:
    """Teams shown on a team board, ranked, cached per worker for LEADERBOARD_CACHE_SECONDS
    (default 30; 0 turns it off). A refresh reads one maintained row per team (team_stats)."""
    ttl = float(current_app.config.get("LEADERBOARD_CACHE_SECONDS", 30))
    week = gamify.week_start(at).date()
    key = (current_app.config["DATABASE_URL"], current_app.instance_path, period, week.isoformat())
    with _team_lock:
        hit = _team_cache.get(key)
        if ttl > 0 and hit and time.monotonic() - hit[0] < ttl:
            return hit[1]
    from ..gamify.leaderboard import MIN_TEAM_SIZE
    from ..store import boards

    teams = [
        gamify.LeaderEntry(learner_id=team, xp=gamify.round_half_up(total / n), name=team, visibility="named")
        for team, n, total in boards.team_totals(db, period, week, MIN_TEAM_SIZE)
        if n >= MIN_TEAM_SIZE
    ]
    ranked = sorted((t for t in teams if t.xp > 0), key=lambda e: (-e.xp, str(e.learner_id)))
    ranks: list[int] = []
    for i, team in enumerate(ranked):
        ranks.append(ranks[-1] if i and team.xp == ranked[i - 1].xp else i + 1)
    pool = _TeamPool(teams, ranked, ranks, {str(t.learner_id): i for i, t in enumerate(ranked)})
    with _team_lock:
        _team_cache[key] = (time.monotonic(), pool)
    return pool


def leaderboard(db: Session, user: User, period: Period, scope: Literal["everyone", "team"]) -> gamify.Board:
    """The board the learner sees; for ``team`` teams are ranked by XP per member (gamify.rank over team averages)."""
    from ..gamify.leaderboard import BoardRow, _window, display_name
    from ..store import boards

    at = now()
    if scope == "team":
        pool = _team_pool(db, period, at)
        mine = pool.index.get(user.team or "")
        if mine is None and user.team and any(t.learner_id == user.team for t in pool.teams):
            return gamify.rank(pool.teams, user.team)  # the viewer's team is shown at 0 XP: rank it in
        viewer: object = user.team if mine is not None else object()
        rows = tuple(
            BoardRow(pool.ranks[i], display_name(pool.ranked[i], viewer), pool.ranked[i].xp, i == mine)
            for i in _window(len(pool.ranked), mine, 5, 2)
        )
        return gamify.Board(rows, next((r for r in rows if r.you), None))
    placed = boards.board(db, user.id, period, gamify.week_start(at).date())
    who = boards.people(db, [p.user_id for p in placed])
    rows = []
    for p in placed:
        name, job_role, vis = who.get(p.user_id, ("", None, gamify.DEFAULT_VISIBILITY))
        entry = gamify.LeaderEntry(p.user_id, p.xp, name=name, role_title=role_title(job_role), visibility=vis)
        rows.append(BoardRow(p.rank, display_name(entry, user.id), p.xp, p.user_id == user.id))
    return gamify.Board(tuple(rows), next(r for r in rows if r.you))
