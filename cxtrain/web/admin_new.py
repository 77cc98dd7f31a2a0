"""Admin pages: add an account, with a password shown once or an emailed invitation."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from ..store import accounts
from ..store.models import ROLES
from . import mailer
from .account_mail import send_links
from .account_messages import account_message
from .admin import Page, _done_before, _edit_page, _job_roles, _link_context, _mark_done, _read_form, _user_or_404, bp
from .admin_passwords import _new_password, _one_time_password
from .database import db
from .password_links import INVITATION


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
