"""The admin's Erase page: the right to erasure in the browser (`cxtrain users erase` on the command line).

Irreversible, so it asks more than Close does: its own page says what goes and what stays, and
the admin types the person's email address to confirm. An admin never erases their own account
here, and the last open admin is never erased. What erasing does is :mod:`cxtrain.store.erasure`.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..store import accounts, erasure
from ..store.models import User
from .account_messages import account_message
from .admin import Page, _user_or_404, bp
from .database import db

OWN = _l("You cannot erase your own account; ask another admin.")


def _page(person: User, error: str | None = None, typed: str = "", status: int = 200) -> Page:
    page = render_template(
        "admin/erase.html", user=person, counts=erasure.preview(db(), person), error=error, typed=typed
    )
    return (page, status) if status != 200 else page


@bp.get("/users/<id:user_id>/erase")
def confirm_erase(user_id: int) -> Page:
    return _page(_user_or_404(user_id))


@bp.post("/users/<id:user_id>/erase")
def erase(user_id: int) -> Page:
    person = db().get(User, user_id)
    if person is None:
        # Sent twice (a double click, a reload): the first one erased it; nothing is left to do.
        flash(gettext("There is no account %(id)s any more: nothing to erase.", id=user_id))
        return redirect(url_for("admin.users"), 303)
    typed = request.form.get("confirm_email", "")[:400]
    if person.id == current_user.id:
        return _page(person, str(OWN), typed, 422)
    if accounts.normalise_email(typed) != person.email:
        message = gettext(
            "Nothing was erased: type %(email)s exactly, as it is shown, to erase this account.", email=person.email
        )
        return _page(person, message, typed, 422)
    email = person.email
    try:
        done = erasure.erase_user(db(), person)
    except accounts.AccountError as exc:
        return _page(db().get(User, user_id) or person, account_message(exc), typed, 422)
    current_app.logger.info("admin %s erased account %s", current_user.id, done.user_id)
    flash(
        ngettext(
            "Erased %(email)s: the account, its XP, badges, practice and API tokens are gone; "
            "its %(num)s attempt stays, owned by nobody, in the insight counts.",
            "Erased %(email)s: the account, its XP, badges, practice and API tokens are gone; "
            "its %(num)s attempts stay, owned by nobody, in the insight counts.",
            done.attempts_kept,
            email=email,
        )
    )
    return redirect(url_for("admin.users"), 303)
