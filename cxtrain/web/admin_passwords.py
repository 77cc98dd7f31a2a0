"""Admin pages: give someone a new password (shown once) or email them a link to choose one."""

from __future__ import annotations

import secrets

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from ..store import accounts
from ..store.models import User
from . import mailer
from .account_mail import send_links
from .admin import Page, _done_before, _edit_page, _mark_done, _user_or_404, bp
from .database import db
from .login_sessions import log_in
from .password_links import INVITATION, KINDS, RESET


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
        log_in(person, end_other_sessions=True)  # an admin resetting their own password stays here
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
