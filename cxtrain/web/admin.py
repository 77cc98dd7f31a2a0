"""Admin pages for accounts: the everyday part of `cxtrain users` in the browser.

Here: the blueprint and its admins-only guard, the list and search of accounts, and one
account's page where a person's name, job role, team and account role change. Passwords and
emailed links (admin_passwords), closing and reopening (admin_close), adding (admin_new) and
erasing (admin_erase) register their pages on the same blueprint. Everything goes through
:mod:`cxtrain.store.accounts` and the ORM, so the rules of the command line hold here too (the
last open admin stays, a new password ends the person's sessions, team boards follow a move).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response

from ..store import accounts
from ..store import reminders as reminder_store
from ..store.models import ROLES, User
from . import mailer
from .account_messages import account_message
from .database import db
from .password_links import INVITATION, RESET
from .rewards import reminders_default

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50
MAX_QUERY = 200
FIELDS = ("email", "name", "job_role", "team", "role")
# The forms that show a password once carry a one-off token; the last few used are kept in the
# session, so that a reload of the answer page (which sends the POST again) is recognised.
ONCE_FIELD = "once"
ONCE_KEPT = 20

Page = Response | str | tuple[str, int]


@bp.before_request
@login_required
def _admins_only() -> None:
    if current_user.role != "admin":
        abort(403)


@bp.context_processor
def _once_token() -> dict[str, Any]:
    return {"once_token": lambda: secrets.token_urlsafe(16)}


def _done_before() -> int | None:
    """The account a form with this one-off token already acted on (None: first time, or no token)."""
    token = request.form.get(ONCE_FIELD, "")
    for used, user_id in session.get("admin_once", []):
        if token and used == token:
            return int(user_id)
    return None


def _mark_done(user_id: int) -> None:
    token = request.form.get(ONCE_FIELD, "")
    if token and len(token) <= 64:
        session["admin_once"] = [*session.get("admin_once", [])[-(ONCE_KEPT - 1) :], [token, user_id]]


def _job_roles() -> Mapping[str, Any]:
    return current_app.extensions["cxtrain.catalog"].roles  # type: ignore[no-any-return]


def _user_or_404(user_id: int) -> User:
    user = db().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
def users() -> str:
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    try:
        page = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        page = 1
    conditions = []
    if query:
        conditions.append(
            or_(
                User.email.icontains(query, autoescape=True),
                User.name.icontains(query, autoescape=True),
                User.team.icontains(query, autoescape=True),
            )
        )
    session = db()
    total = int(session.scalar(select(func.count()).select_from(User).where(*conditions)) or 0)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    # One page at a time, by the unique index on email: the service may hold 100,000 learners.
    rows = session.scalars(
        select(User).where(*conditions).order_by(User.email).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "admin/users.html", users=rows, q=query, page=page, pages=pages, total=total, job_roles=_job_roles()
    )


def _read_form(user: User | None) -> tuple[dict[str, str], dict[str, str]]:
    """The submitted fields, stripped, and a message per field that cannot be saved as it is."""
    values = {name: request.form.get(name, "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    if user is None:
        values["email"] = accounts.normalise_email(values["email"])
        problem = accounts.email_problem(values["email"])
        if problem:
            errors["email"] = account_message(problem)
    errors.update(
        {field: account_message(p) for field, p in accounts.profile_problems(values["name"], values["team"]).items()}
    )
    job_role = values["job_role"]
    # A job role taken out of roles.yaml since it was given stays allowed on its own account, so
    # that saving another change does not fail on it.
    problem = accounts.job_role_problem(job_role, _job_roles())
    if problem and not (user is not None and job_role == user.job_role):
        errors["job_role"] = account_message(problem)
    if (
        "team" not in errors
        and values["team"]
        and user is not None
        and not user.active
        and values["team"] != (user.team or "")
    ):
        # A closed account is off the team boards; putting it in a team would count it there again.
        errors["team"] = gettext("A closed account is in no team; reopen it to put it in one.")
    if values["role"] not in ROLES:
        errors["role"] = gettext(
            "Unknown account role '%(role)s'; choose learner, trainer or admin.", role=values["role"]
        )
    return values, errors


def _edit_page(
    user: User,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    mail_error: str | None = None,
) -> str:
    if values is None:
        values = {"name": user.name, "job_role": user.job_role or "", "team": user.team or "", "role": user.role}
    return render_template(
        "admin/user.html",
        user=user,
        values=values,
        errors=errors or {},
        job_roles=_job_roles(),
        account_roles=ROLES,
        tokens=accounts.count_tokens(db(), user),
        # Shown, not offered: signing someone up for email is theirs to decide (docs/admin.md).
        reminders_on=reminder_store.wants_reminders(user, reminders_default()),
        mail_error=mail_error,
        **_link_context(),
    )


def _link_context() -> dict[str, Any]:
    """What the pages say about emailed links: whether email is set up, and how long each link lives."""
    return {
        "mail_missing": mailer.missing_settings(current_app.config),
        "reset_hours": int(RESET.valid_for.total_seconds() // 3600),
        "invitation_days": INVITATION.valid_for.days,
    }


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> Page:
    person = _user_or_404(user_id)
    if request.method == "GET":
        return _edit_page(person)
    session = db()
    values, errors = _read_form(person)
    if not errors:
        try:
            accounts.check_role_change(session, person, values["role"])
        except accounts.AccountError as exc:
            errors["role"] = account_message(exc)
    if errors:
        return _edit_page(person, values, errors), 422
    person.name = values["name"]
    person.job_role = values["job_role"] or None
    person.team = values["team"] or None  # through the ORM: the team aggregates follow its events
    person.role = values["role"]
    session.commit()
    flash(gettext("Saved %(email)s.", email=person.email))
    if person.id == current_user.id and person.role != "admin":
        return redirect(url_for("play.modules"))  # no admin pages for them any more
    return redirect(url_for("admin.user", user_id=person.id))


# The other pages register themselves on bp.
from . import admin_close, admin_erase, admin_new, admin_passwords  # noqa: E402,F401
