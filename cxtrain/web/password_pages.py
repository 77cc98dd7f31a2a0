"""Choosing a password from an emailed link, and "Forgot your password?", which emails one.

The Forgot form answers the same way for every well-formed address, with or without an open
account, and takes the same time (the email is sent by :class:`account_mail.Outbox`), so it tells
nobody who has an account. It is rate limited per client and per address typed.

A link's page (GET) only shows the form: mail scanners and link previews open links, and must not
use them up. The form posts the token back in its body to an address without it, so the token
appears in the URL (and in an access log, see server.py) once, not on every try. These pages are
sent with ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``: the token leaves in no
Referer and stays in no cache.
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response

from ..store import accounts
from . import account_mail
from .auth import bp, new_csrf_token, new_password_problem
from .database import db
from .extensions import limiter, reset_email_limit, reset_limit, typed_email
from .login_sessions import log_in
from .password_links import INVITATION, RESET, Kind, Problem, check

LINK_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
ASKED = "reset_asked_for"  # the session key of the address last typed into the Forgot form


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(reset_limit, methods=["POST"])
@limiter.limit(reset_email_limit, key_func=typed_email, methods=["POST"])
def forgot_password() -> Response | tuple[str, int]:
    ready = account_mail.mail_ready()
    email = accounts.normalise_email(request.form.get("email", ""))
    error = None
    if request.method == "POST" and ready:
        if not email:
            error = gettext("Enter the email address of your account.")
        elif accounts.email_problem(email):
            error = gettext("This is not an email address; it looks like name@example.org.")
        else:
            account_mail.queue_reset(current_app._get_current_object(), email, str(get_locale() or ""))  # type: ignore[attr-defined]
            session[ASKED] = email
            return redirect(url_for("auth.forgot_password_sent"), 303)
    page = render_template("auth/forgot.html", ready=ready, error=error, email=email)
    return page, 422 if error else 200


@bp.get("/password/forgot/sent")
def forgot_password_sent() -> str:
    return render_template("auth/forgot_sent.html", email=session.get(ASKED, ""), hours=_hours(RESET))


@bp.get("/password/reset/<token>", endpoint="reset_password")
@bp.post("/password/reset", endpoint="reset_password")
def reset_password(token: str | None = None) -> Response:
    return _choose(RESET, token)


@bp.get("/password/invitation/<token>", endpoint="accept_invitation")
@bp.post("/password/invitation", endpoint="accept_invitation")
def accept_invitation(token: str | None = None) -> Response:
    return _choose(INVITATION, token)


def _hours(kind: Kind) -> int:
    return int(kind.valid_for.total_seconds() // 3600)


def _choose(kind: Kind, token: str | None) -> Response:
    """The page of a link: the form to choose a password, what went wrong with it, or the way in."""
    if token is None:
        token = request.form.get("token", "")
    user, problem = check(db(), token, kind)
    error = None
    status = 200
    if user is None:
        status = 400
    elif request.method == "POST":
        new = request.form.get("new_password", "")
        error = new_password_problem(new, request.form.get("confirm_password", ""))
        if error:
            status = 422
        elif accounts.replace_password(db(), user, user.password_hash, new):
            log_in(user, end_other_sessions=True)  # with the new password: every other session ends
            new_csrf_token()
            accounts.record_login(user)
            db().commit()
            if kind is INVITATION:
                flash(gettext("Welcome! Your password is saved and you are logged in."))
            else:
                flash(gettext("Your new password is saved and you are logged in; every other session has ended."))
            response = redirect(url_for("play.modules"), 303)
            response.headers.update(LINK_HEADERS)
            return response
        else:  # the same link used a moment ago, in another tab or by a double click
            db().rollback()
            user, problem, status = None, Problem.USED, 400
    page = render_template(
        "auth/choose_password.html",
        kind=kind.name,
        user=user,
        problem=problem,
        token=token,
        error=error,
        action=url_for(kind.page),
        can_reset=account_mail.mail_ready(),
        hours=_hours(kind),
        days=_hours(kind) // 24,
    )
    response = make_response(page, status)
    response.headers.update(LINK_HEADERS)
    return response
