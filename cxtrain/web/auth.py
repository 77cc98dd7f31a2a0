"""Log in, log out, change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..store import accounts
from . import account_mail
from .account_messages import account_message
from .database import db
from .extensions import limiter, login_limit
from .login_sessions import log_in, log_out

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("play.modules")


def new_password_problem(new: str, confirm: str) -> str | None:
    """Why ``new`` (typed twice, the second time as ``confirm``) cannot be the password, in the reader's language."""
    if new != confirm:
        return gettext("The two new passwords differ.")
    if len(new) < accounts.MIN_PASSWORD:  # the store says so too, in English only
        return gettext("A password needs at least %(count)s characters.", count=accounts.MIN_PASSWORD)
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> Response | str:
    error = None
    if request.method == "POST":
        user = accounts.authenticate(db(), request.form.get("email", ""), request.form.get("password", ""))
        if user is not None and log_in(user):  # Flask-Login refuses a closed account
            new_csrf_token()
            accounts.record_login(user)
            db().commit()
            return redirect(safe_next(request.args.get("next")))
        if user is not None:
            error = gettext("This account has been closed. Ask your administrator if you need it again.")
        else:
            error = gettext("Wrong email or password.")
    return render_template(
        "auth/login.html", error=error, email=request.form.get("email", ""), can_reset=account_mail.mail_ready()
    )


@bp.post("/logout")
def logout() -> Response:
    log_out()
    return redirect(url_for("auth.login"))


def new_csrf_token() -> None:
    """Forget the CSRF token of the session as it was before this login: a token read off the
    login page (or planted with a session cookie) must not carry over into the account."""
    session.pop("csrf_token", None)
    g.pop("csrf_token", None)


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])  # it checks the current password: no guessing at speed
@login_required
def password() -> Response | str:
    error = None
    if request.method == "POST":
        session = db()
        user = session.merge(current_user._get_current_object())  # type: ignore[attr-defined]
        new = request.form.get("new_password", "")
        if not accounts.check_password(user, request.form.get("current_password", "")):
            error = gettext("Your current password is not right.")
        elif problem := new_password_problem(new, request.form.get("confirm_password", "")):
            error = problem
        else:
            try:
                accounts.set_password(user, new)
            except accounts.AccountError as exc:
                error = account_message(exc)
            else:
                session.commit()
                log_in(user, end_other_sessions=True)  # this browser carries on; every other one ends
                flash(gettext("Your password has been changed; you have been logged out everywhere else."))
                return redirect(url_for("play.modules"))
    return render_template("auth/password.html", error=error)


from . import password_pages  # noqa: E402,F401 - registers "Forgot your password?" and the emailed links' pages
