"""Admin pages: close the account of someone who has left, and reopen it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from ..store import accounts
from .account_messages import account_message
from .admin import Page, _edit_page, _user_or_404, bp
from .database import db


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
    problems = accounts.profile_problems(team=team)
    if problems:
        return _edit_page(person, errors={"account": account_message(problems["team"])}), 422
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
