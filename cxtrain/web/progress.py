"""Learner progress pages (badges, leaderboard, daily practice, profile) and the public Open Badges documents.

Plain forms with CSRF tokens; every page works without JavaScript. The Open Badges
documents are public on purpose: a verifier fetches them without logging in. They
reveal no email (the recipient is a salted hash) and an assertion's id is 128 random
bits, so awards cannot be enumerated.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from .. import gamify
from ..store import badge_awards, practice_queue, xp_ledger
from ..store import reminders as reminder_store
from . import i18n, leaderboards, my_data, practice_questions, rewards, service
from .account_messages import account_message
from .api.me import check_profile
from .database import db
from .i18n import available_languages

bp = Blueprint("progress", __name__)

PUBLIC = {"progress.issuer", "progress.badge_class", "progress.badge_image", "progress.assertion"}
TIMEZONE_CHOICES = (
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


# The practice service explains a refusal in English for the API; the page says it in the
# learner's language, by its code.
PRACTICE_ERRORS = {
    "unknown-item": _l("There is no such practice question."),
    "item-gone": _l("This question's module changed; it has left your practice."),
    # The page lists only due questions: one that is not due was answered a moment ago (sent
    # again, or from the page the Back button brought back).
    "not-due": _l("You have already answered this question; your first answer is the one that counts."),
    "unknown-choice": _l("That is not one of this question's choices."),
    "daily-limit": _l("You have answered today's questions. The next ones come tomorrow."),
}


@bp.before_request
def _login() -> Any:
    if request.endpoint in PUBLIC:
        return None
    return login_required(lambda: None)()


def level_bar() -> dict[str, Any] | None:
    """The header level bar's figures for the current user (``xp``, ``level``), or None when logged out."""
    if not current_user.is_authenticated:
        return None
    xp = xp_ledger.xp_total(db(), current_user.id)
    return {"xp": xp, "level": gamify.level_for(xp, rewards.curve())}


@bp.app_context_processor
def _level_bar() -> dict[str, Any]:
    """``cx_level()`` for base.html: computed only when a logged-in page actually renders the bar."""
    return {"cx_level": level_bar, "cx_leaderboards_on": rewards.leaderboards_on}


def _base() -> str:
    return current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")


# --- Open Badges 2.0 (public)


def _issuer_doc() -> dict[str, Any]:
    name = current_app.config.get("ISSUER_NAME", "cxtrain")
    return gamify.issuer(_base(), name, email=current_app.config.get("ISSUER_EMAIL"))


@bp.get("/badges/issuer.json")
def issuer() -> Response:
    return jsonify(_issuer_doc())


@bp.get("/badges/<badge_id>.json")
def badge_class(badge_id: str) -> Response:
    found = rewards.badge(badge_id)
    if found is None:
        abort(404)
    return jsonify(gamify.badge_class(found, _base()))


@bp.get("/badges/<badge_id>.svg")
def badge_image(badge_id: str) -> Response:
    found = rewards.badge(badge_id)
    if found is None:
        abort(404)
    # ?lang=: drawn with the title the badges page shows in that language. Without it, the
    # badges.yaml text, as the Open Badges export (whose BadgeClass points here) says it.
    lang = request.args.get("lang")
    title = found.text_for(lang).title if lang else None
    return Response(gamify.badge_svg(found, title=title), mimetype="image/svg+xml")


@bp.get("/badges/assertions/<assertion_id>.json")
def assertion(assertion_id: str) -> Response:
    found = badge_awards.assertion(db(), assertion_id)
    badge = rewards.badge(found[0].badge_id) if found else None
    if found is None or badge is None:
        abort(404)
    row, user = found
    return jsonify(gamify.open_badge_assertion(badge, user.email, row.awarded_at, _base(), row.assertion_id, row.salt))


# --- Pages


@bp.get("/badges")
def badges() -> str:
    mine = {row.badge_id: row for row in badge_awards.awarded(db(), current_user.id)}
    return render_template("progress/badges.html", badges=rewards.badges(), mine=mine)


@bp.get("/leaderboard")
def leaderboard() -> tuple[str, int]:
    if not rewards.leaderboards_on():
        return render_template("progress/leaderboard_off.html"), 404
    period = request.args.get("period", "week")
    scope = request.args.get("scope", "everyone")
    period = period if period in ("week", "all") else "week"
    scope = scope if scope in ("everyone", "team") else "everyone"
    board = leaderboards.leaderboard(
        db(),
        current_user,
        period,  # type: ignore[arg-type]
        scope,  # type: ignore[arg-type]
        title_of=lambda job_role: i18n.role_title(job_role) if job_role in service.catalog().roles else None,
    )
    visibility = xp_ledger.visibility(db(), current_user.id, gamify.DEFAULT_VISIBILITY)
    return render_template(
        "progress/leaderboard.html",
        board=board,
        period=period,
        scope=scope,
        visibility=visibility,
        shown_name=leaderboards.shown_name,
    ), 200


@bp.get("/practice")
def practice() -> str:
    session = db()
    items, answered = practice_questions.todays_practice(session, current_user)
    return render_template(
        "progress/practice.html",
        items=items,
        done_for_today=answered >= gamify.DAILY_LIMIT,
        streak=rewards.streak_of(session, current_user),
        next_due=practice_queue.next_due(session, current_user.id),
    )


@bp.post("/practice/<int:item_id>")
def answer(item_id: int) -> tuple[str, int]:
    choice = request.form.get("choice", "")
    try:
        result = practice_questions.answer(db(), current_user, item_id, choice)
        rewards.badges_for_page(result["badges"])
    except practice_questions.PracticeError as exc:
        error = str(PRACTICE_ERRORS.get(exc.code, exc.message))
        return render_template("progress/practice_result.html", error=error, result=None), exc.status
    return render_template("progress/practice_result.html", result=result, error=None), 200


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> tuple[str, int]:
    session = db()
    errors: dict[str, list[str]] = {}
    saved = False
    if request.method == "POST":  # CSRF is checked by CSRFProtect for every form post
        data = {
            "name": request.form.get("name", "").strip()[:200],
            "leaderboard": request.form.get("leaderboard", ""),
            "timezone": request.form.get("timezone", "").strip(),
        }
        if data["leaderboard"] not in gamify.VISIBILITIES:
            errors["leaderboard"] = [gettext("Choose one of the options.")]
        errors.update({field: [account_message(p) for p in found] for field, found in check_profile(data).items()})
        remind = request.form.get("reminders")  # absent from older forms: leave the setting alone
        if remind not in (None, "on", "off"):
            errors["reminders"] = [gettext("Choose one of the options.")]
        # Absent (a form from before the setting existed) keeps the saved choice; empty means "my browser's".
        language = request.form.get("language", current_user.language or "")
        if language and language not in available_languages():
            errors["language"] = [gettext("Choose one of the languages in the list.")]
        if not errors:
            if remind is not None:
                reminder_store.choose(current_user, remind == "on", rewards.reminders_default())
            rewards.update_profile(session, current_user, {**data, "language": language or None})
            refresh()  # this very answer is already in the new language
            saved = True
    me = rewards.profile(session, current_user)
    zones = TIMEZONE_CHOICES if me["timezone"] in TIMEZONE_CHOICES else (me["timezone"], *TIMEZONE_CHOICES)
    status = 400 if errors else 200
    reminders_on = reminder_store.wants_reminders(current_user, rewards.reminders_default())
    return render_template(
        "progress/profile.html",
        me=me,
        errors=errors,
        saved=saved,
        zones=zones,
        form=request.form,
        reminders_on=reminders_on,
    ), status


@bp.get("/profile/my-data.json")
def my_data_file() -> Response:
    """The profile's "Download my data": the caller's own data, as a file (see docs/learners.md)."""
    return my_data.download(db(), current_user)
