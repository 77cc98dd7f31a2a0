"""Learner pages: module list, play, history. Plain forms; play.js only enhances them (swapping in fragments)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from ..scenario import engine
from ..scenario.model import Module
from ..store import attempts as store
from . import progress, rewards, service
from .database import db
from .i18n import content_lang, role_lang, role_title
from .security import fragment_error, wants_fragment

bp = Blueprint("play", __name__)


@bp.before_request
def _logged_out_fragment() -> Response | None:
    # play.js cannot use a redirect to the login form (it would get a page that is not an
    # attempt), so a background choice from a logged-out page gets a 401 with a sentence.
    if wants_fragment() and not current_user.is_authenticated:
        return fragment_error(401)
    return None


@bp.before_request
@login_required
def _login() -> None:
    return None


@bp.get("/")
def index() -> Response:
    return redirect(url_for("play.modules"))


@bp.get("/modules")
def modules() -> str:
    session = db()
    entries = service.catalog().current(session)
    roles = service.catalog().roles
    attempts = store.user_attempts(session, current_user.id)
    best = store.best_attempts(attempts)
    resume = store.unfinished(attempts)
    grouped: dict[str, list] = {}
    # Within a role, the modules a learner reads in the pages' language come first: an organisation
    # that offers a module in several languages shows each reader theirs before the others.
    for entry in sorted(entries.values(), key=lambda e: (bool(content_lang(e.module.language)), e.module.title)):
        grouped.setdefault(entry.module.role, []).append(entry.module)
    ladder = sorted(grouped, key=lambda r: (r != current_user.job_role, roles[r].level if r in roles else 99, r))
    groups = [(role_title(roles.get(r), r), r, grouped[r], role_lang(roles.get(r))) for r in ladder]
    return render_template("play/modules.html", groups=groups, best=best, resume=resume)


@bp.get("/modules/<module_id>")
def module(module_id: str) -> str:
    session = db()
    try:
        entry = service.entry(session, module_id)
    except service.NotFound:
        abort(404)
    attempts = store.user_attempts(session, current_user.id, module_id)
    return render_template(
        "play/module.html",
        module=entry.module,
        attempts=attempts,
        best=store.best_attempts(attempts).get(module_id),
        resume=store.unfinished(attempts).get(module_id),
    )


@bp.post("/modules/<module_id>/attempts")
def start(module_id: str) -> Response:
    try:
        attempt, new = service.start_from_page(db(), current_user, module_id, _offered_attempt())
    except service.NotFound:
        abort(404)
    if not new:
        flash(gettext("You already had an attempt in progress at this module: here it is."))
    return redirect(url_for("play.attempt", attempt_id=attempt.id))


def _offered_attempt() -> int | None:
    """The attempt in progress the module page offered to resume (its hidden field), if any.
    Anything but a row id (a forged form: "²" is a digit to str.isdigit) reads as none."""
    value = request.form.get("resume", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


STALE_NOTICE = _l("That step was already taken (another tab or a double click); here is where you are.")
# The engine explains a refused choice in English for the API and the CLI; the page says it in
# the reader's language, by the refusal's code.
PLAY_ERRORS = {
    engine.StaleNode.code: STALE_NOTICE,
    engine.AttemptFinished.code: _l("This attempt has already reached an ending."),
}


def play_error(exc: engine.PlayError, choice: str) -> str:
    """What to tell a learner (or a trainer in preview) about the choice ``choice`` the engine refused."""
    if exc.code == engine.ChoiceUnavailable.code:
        return gettext("The choice “%(choice)s” is not available at this point.", choice=choice)
    return str(PLAY_ERRORS.get(exc.code) or gettext("That choice could not be taken."))


def _render(attempt_id: int, notice: object = None, status: int = 200, fragment: bool = False) -> tuple[str, int]:
    """The attempt page, or with ``fragment`` only its ``.cx-attempt`` element (see :func:`choose`)."""
    session = db()
    try:
        attempt, module = service.load(session, current_user, attempt_id)
    except service.NotFound:
        abort(404)
    state = store.state_of(attempt)
    view = service.view(session, current_user, attempt, module, service.last_outcome(module, state))
    view["steps"] = service.steps_text(module, state)
    return _respond(attempt.id, view, module, notice, status, fragment)


def _respond(
    attempt_id: int, view: dict[str, Any], module: Module | None, notice: object, status: int, fragment: bool
) -> tuple[str, int]:
    view["form_action"] = url_for("play.choose", attempt_id=attempt_id)
    view["csrf_token"] = generate_csrf()
    view["notice"] = str(notice) if notice is not None else None
    view["lang_attrs"] = content_lang(view["language"])
    rewards.badges_for_page(view.get("badges") or [])
    view["fragment"] = True  # only this page can answer the script with fragments; the preview cannot
    if view["finished"]:
        # Inside the partial, so a finishing step swapped in by play.js brings them too.
        view["next_links"] = {
            "module": url_for("play.module", module_id=view["module"]),
            "modules": url_for("play.modules"),
        }
    if not fragment:
        return render_template("play/attempt.html", view=view, module=module), status
    if view["finished"]:
        # The page header is not part of the fragment, so the new XP and level travel with it.
        bar = progress.level_bar()
        if bar is not None:
            view["level_bar_html"] = get_template_attribute("_level_bar.html", "level_bar")(bar)
    return render_template("play/_attempt.html", view=view), status


@bp.get("/attempts/<id:attempt_id>")
def attempt(attempt_id: int) -> tuple[str, int]:
    return _render(attempt_id)


@bp.post("/attempts/<id:attempt_id>/choose")
def choose(attempt_id: int) -> Response | tuple[str, int]:
    """Take one step from the attempt page's form.

    A plain form post is answered post/redirect/get. With the request header ``X-Cx-Fragment: 1``
    (sent by play.js) the answer is instead the re-rendered ``.cx-attempt`` element alone, 200 for
    the new state, or 409/400 with the notice, for the script to swap in. Either way CSRF is the
    form's ``csrf_token`` field (or the ``X-CSRFToken`` header) and someone else's attempt is 404.
    """
    node, choice = request.form.get("node", ""), request.form.get("choice", "")
    fragment = wants_fragment()
    try:
        view = service.choose(db(), current_user, attempt_id, node, choice)
    except service.NotFound:
        abort(404)
    except service.Conflict:
        return _render(attempt_id, STALE_NOTICE, 409, fragment)
    except engine.PlayError as exc:
        return _render(attempt_id, play_error(exc, choice), 400, fragment)
    if fragment:
        # service.choose already built the view the redirected page would show; render it directly.
        return _respond(attempt_id, view, None, None, 200, fragment=True)
    # Post/redirect/get: reloading the page never re-sends the choice.
    return redirect(url_for("play.attempt", attempt_id=attempt_id))


@bp.get("/history")
def history() -> str:
    session = db()
    attempts = store.user_attempts(session, current_user.id)
    entries = service.catalog().current(session)
    titles = {mid: e.module.title for mid, e in entries.items()}
    languages = {mid: e.module.language for mid, e in entries.items()}
    return render_template("play/history.html", attempts=attempts, titles=titles, languages=languages)
