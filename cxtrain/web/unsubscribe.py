"""Stopping the reminder emails from the email itself, without logging in.

The link carries a token signed with the instance's SECRET_KEY (itsdangerous, salted for this
purpose only, so no other signed value of the service can pass for one). It names the account
and a digest of its email address: should an id ever be reused, an old link cannot reach
somebody else. It stays valid for a year, because people unsubscribe from old emails too.

Opening the link (GET) only asks: mail scanners and link previews follow links, and must not
unsubscribe anybody. The button POSTs back to the same address, and so do mail clients that
offer "Unsubscribe" themselves (RFC 8058 one-click, body ``List-Unsubscribe=One-Click``). That
POST needs no CSRF token: the signature is what authenticates it, and a forged request would
have to carry it, so this one view is exempt. A wrong, cut or tampered token answers 400.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Blueprint, current_app, render_template, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..store import reminders as store
from ..store.models import User
from .database import db
from .extensions import csrf

bp = Blueprint("reminders", __name__)

SALT = "cxtrain.reminders.unsubscribe"
VALID_FOR = timedelta(days=366)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _email_mark(email: str) -> str:
    # A digest, not the address: the token is signed, not secret, and links end up in logs.
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:16]


def token_for(user: User) -> str:
    return _serializer().dumps([user.id, _email_mark(user.email)])


def unsubscribe_url(user: User) -> str:
    """The absolute link (needs a request context whose base is the public URL)."""
    return url_for("reminders.unsubscribe", token=token_for(user), _external=True)


def user_for(token: str) -> tuple[User | None, str]:
    """The account a token names, or None and why not ("expired" or "invalid")."""
    try:
        user_id, mark = _serializer().loads(token, max_age=int(VALID_FOR.total_seconds()))
        user = db().get(User, int(user_id))
    except SignatureExpired:
        return None, "expired"
    except (BadSignature, ValueError, TypeError):
        return None, "invalid"
    if user is None or mark != _email_mark(user.email):
        return None, "invalid"
    return user, ""


@bp.route("/reminders/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> tuple[str, int, dict[str, str]]:
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    profile = url_for("progress.profile")
    user, problem = user_for(token)
    if user is None:
        return render_template("reminders/unsubscribe.html", state=problem, profile_url=profile), 400, headers
    state = "confirm"
    if request.method == "POST":
        store.switch_off(db(), user.id)
        state = "done"
    return render_template("reminders/unsubscribe.html", state=state, profile_url=profile), 200, headers
