"""Everything stored about one person, read for them (the GDPR's right of access).

One query per table, whatever the number of attempts: a learner with thousands of attempts
gets their file in a fraction of a second (the attempts' paths come from one join over their
choice events, in attempt and step order). Secrets are left out on purpose: the password hash,
the tokens' hashes and the badges' salts are not about the person, and would help an attacker
who got hold of the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..gamify.records import as_utc
from .models import (
    ApiToken,
    Attempt,
    ChoiceEvent,
    LearnerStats,
    ModuleVersion,
    PracticeAnswer,
    PracticeItemRow,
    User,
    UserBadge,
    WebSession,
    WeeklyXp,
    XpEntry,
)


def _utc(moment: Any) -> Any:
    return as_utc(moment) if moment is not None else None


def _rows(db: Session, *columns: Any, where: Any, order: Iterable[Any]) -> list[dict[str, Any]]:
    """The rows as dicts keyed by column name (labels where the file's name differs)."""
    result = db.execute(select(*columns).where(where).order_by(*order))
    return [dict(row._mapping) for row in result]


def account(user: User, stats: LearnerStats | None) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "job_role": user.job_role,
        "team": user.team,
        "role": user.role,
        "timezone": user.timezone,
        "created_at": _utc(user.created_at),
        "active": user.active,
        "team_when_closed": user.team_when_closed,
        "leaderboard": stats.visibility if stats else None,
        "reminders": user.reminders,
        "reminded_on": user.reminded_on,
        "language": user.language,
        "last_login_at": _utc(user.last_login_at),
    }


def attempts(db: Session, user_id: int) -> list[dict[str, Any]]:
    """Every attempt, oldest first, each with its path of choices (two queries in all).

    The steps are made in their JSON form (the time as ISO 8601 text): a long history has tens of
    thousands, and the API's schema passes them through rather than converting each again."""
    rows = _rows(
        db,
        Attempt.id,
        Attempt.module_id.label("module"),
        Attempt.module_version.label("version"),
        Attempt.started_at,
        Attempt.finished_at,
        Attempt.score,
        Attempt.passed,
        where=Attempt.user_id == user_id,
        order=(Attempt.id,),
    )
    events = db.execute(
        select(ChoiceEvent.attempt_id, ChoiceEvent.step, ChoiceEvent.node, ChoiceEvent.choice, ChoiceEvent.created_at)
        .join(Attempt, Attempt.id == ChoiceEvent.attempt_id)
        .where(Attempt.user_id == user_id)
        .order_by(ChoiceEvent.attempt_id, ChoiceEvent.step)
    )
    paths = {
        attempt_id: [{"step": s, "node": n, "choice": c, "at": as_utc(t).isoformat()} for _, s, n, c, t in group]
        for attempt_id, group in groupby(events, key=itemgetter(0))
    }
    for row in rows:
        row["started_at"], row["finished_at"] = _utc(row["started_at"]), _utc(row["finished_at"])
        row["path"] = paths.get(row["id"], [])
    return rows


def stored_data(db: Session, user: User) -> dict[str, Any]:
    """The person's rows from every table that holds any, in plain values (datetimes in UTC)."""
    uid = user.id
    stats = db.get(LearnerStats, uid)
    xp = _rows(
        db,
        XpEntry.amount,
        XpEntry.reason,
        XpEntry.module_id.label("module"),
        XpEntry.attempt_id,
        XpEntry.created_at.label("at"),
        where=XpEntry.user_id == uid,
        order=(XpEntry.id,),
    )
    weeks = _rows(db, WeeklyXp.week_start, WeeklyXp.xp, where=WeeklyXp.user_id == uid, order=(WeeklyXp.week_start,))
    badges = _rows(
        db,
        UserBadge.badge_id.label("id"),
        UserBadge.awarded_at,
        UserBadge.attempt_id,
        UserBadge.assertion_id,
        where=UserBadge.user_id == uid,
        order=(UserBadge.awarded_at, UserBadge.id),
    )
    items = _rows(
        db,
        PracticeItemRow.module_id.label("module"),
        PracticeItemRow.node_id.label("node"),
        PracticeItemRow.chosen,
        PracticeItemRow.best,
        PracticeItemRow.due_at,
        PracticeItemRow.learned,
        PracticeItemRow.interval_index,
        PracticeItemRow.correct_count,
        PracticeItemRow.wrong_count,
        where=PracticeItemRow.user_id == uid,
        order=(PracticeItemRow.id,),
    )
    answers = db.execute(
        select(
            PracticeAnswer.created_at.label("at"),
            PracticeItemRow.module_id.label("module"),
            PracticeItemRow.node_id.label("node"),
            PracticeAnswer.choice,
            PracticeAnswer.correct,
            PracticeAnswer.xp,
        )
        .outerjoin(PracticeItemRow, PracticeItemRow.id == PracticeAnswer.item_id)
        .where(PracticeAnswer.user_id == uid)
        .order_by(PracticeAnswer.id)
    )
    tokens = _rows(
        db, ApiToken.id, ApiToken.name, ApiToken.created_at, where=ApiToken.user_id == uid, order=(ApiToken.id,)
    )
    uploads = _rows(
        db,
        ModuleVersion.module_id.label("module"),
        ModuleVersion.version,
        ModuleVersion.created_at,
        where=ModuleVersion.author_id == uid,
        order=(ModuleVersion.id,),
    )
    sessions = _rows(
        db,
        WebSession.created_at,
        WebSession.last_seen_at,
        where=WebSession.user_id == uid,
        order=(WebSession.created_at,),
    )
    for row in sessions:
        row["created_at"], row["last_seen_at"] = _utc(row["created_at"]), _utc(row["last_seen_at"])
    for row in xp:
        row["at"] = _utc(row["at"])
    for row in badges:
        row["awarded_at"] = _utc(row["awarded_at"])
    for row in items:
        row["due_at"] = _utc(row["due_at"])
    for row in (*tokens, *uploads):
        row["created_at"] = _utc(row["created_at"])
    return {
        "account": account(user, stats),
        "xp_total": stats.xp_total if stats else 0,
        "attempts": attempts(db, uid),
        "xp": xp,
        "weekly_xp": weeks,
        "badges": badges,
        "practice_items": items,
        "practice_answers": [{**dict(row._mapping), "at": _utc(row.at)} for row in answers],
        "api_tokens": tokens,
        "module_uploads": uploads,
        "sessions": sessions,
    }
