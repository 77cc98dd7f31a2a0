"""API routes of the learner's own progress: profile, leaderboards, daily practice (issue 6)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Response, jsonify, request
from flask_login import current_user

from ... import gamify
from ...store import practice_queue
from ...store.accounts import Problem, profile_problems
from .. import leaderboards, my_data, practice_questions, rewards
from ..database import db
from . import bp
from .errors import ApiError
from .schemas import (
    LeaderboardSchema,
    MeSchema,
    MeUpdateSchema,
    PracticeAnswerRequestSchema,
    PracticeResultSchema,
    PracticeSchema,
)
from .views import _load


def valid_timezone(name: str) -> bool:
    """Only real IANA zones: a typo must be refused, not silently read as UTC by the streak rules."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def check_profile(data: dict[str, object]) -> dict[str, list[Problem]]:
    """Errors beyond the schema's, by field, as the account rules' codes: the API says them in
    English (``str``), the profile page in the reader's language (``account_message``)."""
    errors: dict[str, list[Problem]] = {}
    if "timezone" in data and not valid_timezone(str(data["timezone"])):
        errors["timezone"] = [Problem("timezone-unknown")]
    if "name" in data:
        # Boards and team pages show names to colleagues: never an address, never a forged line.
        errors.update({field: [problem] for field, problem in profile_problems(name=str(data["name"])).items()})
    return errors


@bp.get("/me")
def me() -> Response:
    return jsonify(MeSchema().dump(rewards.profile(db(), current_user)))


@bp.patch("/me")
def update_me() -> Response:
    data = _load(MeUpdateSchema())
    errors = check_profile(data)
    if errors:
        said = {field: [str(problem) for problem in problems] for field, problems in errors.items()}
        raise ApiError(400, "invalid-fields", "Some fields are missing or invalid.", said)
    session = db()
    rewards.update_profile(session, current_user, data)
    return jsonify(MeSchema().dump(rewards.profile(session, current_user)))


@bp.get("/me/export")
def export_me() -> Response:
    """Everything stored about the caller (the GDPR's right of access); only ever the caller's own."""
    response = jsonify(my_data.document(db(), current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/leaderboard")
def leaderboard() -> Response:
    if not rewards.leaderboards_on():
        raise ApiError(404, "leaderboards-off", "Leaderboards are switched off here.")
    period = request.args.get("period", "week")
    scope = request.args.get("scope", "everyone")
    errors = {}
    if period not in ("week", "all"):
        errors["period"] = ["Must be one of: week, all."]
    if scope not in ("everyone", "team"):
        errors["scope"] = ["Must be one of: everyone, team."]
    if errors:
        raise ApiError(400, "invalid-fields", "Some fields are missing or invalid.", errors)
    board = leaderboards.leaderboard(db(), current_user, period, scope)  # type: ignore[arg-type]
    return jsonify(LeaderboardSchema().dump({"period": period, "scope": scope, **board.as_dict()}))


@bp.get("/practice")
def practice() -> Response:
    session = db()
    items, answered = practice_questions.todays_practice(session, current_user)
    data = {
        "items": items,
        "answered_today": answered,
        "daily_limit": gamify.DAILY_LIMIT,
        "streak": rewards.streak_of(session, current_user).current,
        "next_due": practice_queue.next_due(session, current_user.id),
    }
    return jsonify(PracticeSchema().dump(data))


@bp.post("/practice/<int:item_id>")
def answer_practice(item_id: int) -> Response:
    data = _load(PracticeAnswerRequestSchema())
    try:
        result = practice_questions.answer(db(), current_user, item_id, data["choice"])
    except practice_questions.PracticeError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from exc
    return jsonify(PracticeResultSchema().dump(result))
