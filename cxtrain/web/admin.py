"""Admin pages for accounts: the everyday part of `cxtrain users` in the browser.

List and search accounts, change a person's name, job role, team and account role, reset a
password (or email a link to choose one), close and reopen an account, add one. Everything goes through
:mod:`cxtrain.store.accounts` and the ORM, so the rules of the command line hold here too (the
last open admin stays, a new password ends the person's sessions, team boards follow a move).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required, login_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from ..store import accounts
from ..store import reminders as reminder_store
from ..store.models import ROLES, User
from . import mailer
from .account_mail import send_links
from .account_messages import account_message
from .database import db
from .password_links import INVITATION, KINDS, RESET
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
        {field: account_message(p) for field, p in accounts.length_problems(values["name"], values["team"]).items()}
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


def _one_time_password(person: User, password: str, created: bool, revoked: int = 0) -> Response:
    """The page that shows a generated password, once: it is never put in a URL or the session
    cookie, and browsers and proxies are told not to keep the response."""
    response = make_response(
        render_template("admin/password.html", user=person, password=password, created=created, revoked=revoked)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _new_password() -> str:
    return secrets.token_urlsafe(12)


@bp.post("/users/<id:user_id>/password")
def password(user_id: int) -> Response:
    person = _user_or_404(user_id)
    if _done_before() == person.id:
        # A reload of the one-time page: a second reset would silently replace a password the
        # admin may already have handed over.
        flash(
            gettext(
                "The password of %(email)s was already reset from this page (it was sent again, for instance by "
                "reloading it). The new password was shown once; if it was not handed over, reset it again.",
                email=person.email,
            )
        )
        return redirect(url_for("admin.user", user_id=person.id), 303)
    new = _new_password()
    accounts.set_password(person, new)  # the session mark changes: every session of theirs ends
    # A leaked password may have been used to make tokens; the box is ticked on the page.
    revoked = accounts.revoke_all_tokens(db(), person) if request.form.get("revoke_tokens") else 0
    db().commit()
    if person.id == current_user.id:
        login_user(person)  # an admin resetting their own password stays logged in here
    _mark_done(person.id)
    return _one_time_password(person, new, created=False, revoked=revoked)


@bp.post("/users/<id:user_id>/email-link")
def email_link(user_id: int) -> Page:
    """Email the person a link to choose a password: an invitation (someone new) or a reset link
    (someone who forgot). Nothing changes until they use it; their sessions go on till then."""
    person = _user_or_404(user_id)
    kind = KINDS.get(request.form.get("kind", ""))
    if kind is None:
        abort(400)
    if mailer.missing_settings(current_app.config):
        refusal = gettext("Email is not set up on this service, so no link can be sent; see the admin guide.")
        return _edit_page(person, mail_error=refusal), 422
    if not person.active:
        return _edit_page(person, mail_error=gettext("The account is closed; reopen it first.")), 422
    outcome = send_links(current_app._get_current_object(), [person], kind)  # type: ignore[attr-defined]
    if outcome.unsent:
        why = outcome.stopped or outcome.refused.get(person.email, "")
        failed = gettext("The email to %(email)s could not be sent: %(reason)s", email=person.email, reason=why)
        return _edit_page(person, mail_error=failed), 502
    if kind is INVITATION:
        flash(
            gettext(
                "An invitation was emailed to %(email)s; its link works for %(days)s days.",
                email=person.email,
                days=INVITATION.valid_for.days,
            )
        )
    else:
        flash(
            gettext(
                "A link to choose a new password was emailed to %(email)s; it works for %(hours)s hours.",
                email=person.email,
                hours=int(RESET.valid_for.total_seconds() // 3600),
            )
        )
    return redirect(url_for("admin.user", user_id=person.id), 303)


@bp.get("/users/<id:user_id>/close")
def confirm_close(user_id: int) -> Page:
    """What closing does, and the button that does it: one click on the account page must not end
    someone's access by mistake."""
    person = _user_or_404(user_id)
    if not person.active:
        flash(gettext("%(email)s is already closed.", email=person.email))
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template("admin/close.html", user=person)


@bp.post("/users/<id:user_id>/close")
def close(user_id: int) -> Page:
    person = _user_or_404(user_id)
    if person.id == current_user.id:
        refusal = gettext("You cannot close your own account; ask another admin.")
        return _edit_page(person, errors={"account": refusal}), 422
    if not person.active:
        flash(gettext("%(email)s was already closed.", email=person.email))
        return redirect(url_for("admin.user", user_id=person.id))
    try:
        accounts.close_account(db(), person)
    except accounts.AccountError as exc:
        return _edit_page(person, errors={"account": account_message(exc)}), 422
    db().commit()
    flash(
        gettext(
            "Closed %(email)s: they can no longer log in, and their sessions and API tokens have stopped.",
            email=person.email,
        )
    )
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<id:user_id>/reopen")
def reopen(user_id: int) -> Page:
    person = _user_or_404(user_id)
    team = request.form.get("team", "").strip()
    too_long = accounts.length_problems(team=team)
    if too_long:
        return _edit_page(person, errors={"account": account_message(too_long["team"])}), 422
    if person.active:
        flash(gettext("%(email)s was already open.", email=person.email))
        return redirect(url_for("admin.user", user_id=person.id))
    accounts.reopen_account(db(), person, team or None)
    db().commit()
    if person.team:
        flash(gettext("Reopened %(email)s, in team %(team)s.", email=person.email, team=person.team))
    else:
        flash(gettext("Reopened %(email)s.", email=person.email))
    return redirect(url_for("admin.user", user_id=person.id))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user() -> Page:
    if request.method == "GET":
        values = {"email": "", "name": "", "job_role": "", "team": "", "role": "learner"}
        return _new_page(values, {})
    added = _done_before()
    if added is not None:
        # A reload of the one-time page: the account exists, its password was shown; say so
        # instead of refusing the address as taken.
        person = _user_or_404(added)
        if request.form.get("access") == "invite":
            flash(
                gettext(
                    "The account for %(email)s was already added from this page (it was sent again, for instance "
                    "by reloading it). If the invitation did not reach them, send it again below.",
                    email=person.email,
                )
            )
        else:
            flash(
                gettext(
                    "The account for %(email)s was already added from this page (it was sent again, for instance "
                    "by reloading it). Its password was shown once; if it was lost, reset it below.",
                    email=person.email,
                )
            )
        return redirect(url_for("admin.user", user_id=person.id), 303)
    values, errors = _read_form(None)
    invite = request.form.get("access") == "invite"
    if invite and mailer.missing_settings(current_app.config):
        errors["access"] = gettext("Email is not set up on this service: choose to be shown a password.")
    if errors:
        return _new_page(values, errors, invite), 422
    session = db()
    # An invited person's password is random and never shown, until they choose their own.
    generated = secrets.token_urlsafe(32) if invite else _new_password()
    try:
        person = accounts.create_user(
            session,
            values["email"],
            generated,
            values["role"],
            values["job_role"] or None,
            values["team"] or None,
            values["name"],
        )
        session.commit()
    except accounts.AccountError as exc:
        session.rollback()
        return _new_page(values, {"email": account_message(exc)}, invite), 422
    except IntegrityError:  # the same address added at the same moment in another tab
        session.rollback()
        taken = account_message(accounts.Problem("email-taken", {"email": values["email"]}))
        return _new_page(values, {"email": taken}, invite), 422
    _mark_done(person.id)
    if not invite:
        return _one_time_password(person, generated, created=True)
    outcome = send_links(current_app._get_current_object(), [person], INVITATION)  # type: ignore[attr-defined]
    if outcome.unsent:
        why = outcome.stopped or outcome.refused.get(person.email, "")
        failed = gettext(
            "The account for %(email)s was added, but the invitation could not be sent: %(reason)s. Send it "
            "again below, or reset the password to hand one over.",
            email=person.email,
            reason=why,
        )
        return _edit_page(person, mail_error=failed), 502
    flash(
        gettext(
            "Added %(email)s and emailed them an invitation; its link works for %(days)s days.",
            email=person.email,
            days=INVITATION.valid_for.days,
        )
    )
    return redirect(url_for("admin.user", user_id=person.id), 303)


def _new_page(values: Mapping[str, str], errors: Mapping[str, str], invite: bool | None = None) -> str:
    context = _link_context()
    if invite is None:  # the first view: invite when email can be sent
        invite = not context["mail_missing"]
    return render_template(
        "admin/new.html",
        values=values,
        errors=errors,
        job_roles=_job_roles(),
        account_roles=ROLES,
        invite=invite,
        **context,
    )


from . import admin_erase  # noqa: E402,F401 - registers the Erase pages on bp
