"""Links that let a person choose their password: "Forgot your password?" resets and invitations.

No table holds these links. A link carries the account id and the account's current link mark
(:func:`link_mark`, a digest of the password hash and of the time of the last login), signed with
the instance's SECRET_KEY by itsdangerous with a timestamp, the way Django's
PasswordResetTokenGenerator works:

- it cannot be forged or changed: the signature covers the id, the mark and the time;
- it expires: the signature's timestamp is checked against the kind's lifetime when it is read;
- it works once: setting a password changes the hash, so the mark in the link no longer matches
  and every link sent before (resets and invitations alike) stops working. Any other new password
  (changed on the Password page, or reset by an admin) ends them too, which is what one wants
  after a password was leaked;
- logging in ends it: someone who asked for a reset and then remembered their password leaves no
  working link behind in their mailbox.

Each kind has its own salt, so a reset link (24 hours) cannot pass for an invitation (7 days) and
gain its longer life, and no other signed value of the service (sessions, CSRF tokens, unsubscribe
links) can pass for either. The payload is signed, not encrypted: it shows an id and a digest of
an Argon2 hash (which holds its own random salt), as the session cookie already does.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from ..gamify.records import as_utc
from ..store.models import User


@dataclass(frozen=True)
class Kind:
    name: str
    salt: str
    valid_for: timedelta
    page: str  # the endpoint that opens the link (GET) and sets the password (POST)


RESET = Kind("reset", "cxtrain.password.reset", timedelta(hours=24), "auth.reset_password")
INVITATION = Kind("invitation", "cxtrain.password.invitation", timedelta(days=7), "auth.accept_invitation")
KINDS = {kind.name: kind for kind in (RESET, INVITATION)}


class Problem(StrEnum):
    """Why a link cannot set a password; the page says each in its own words."""

    EXPIRED = "expired"
    USED = "used"  # or the password changed another way, or the person logged in, since it was sent
    INVALID = "invalid"  # cut short, changed, signed with another key, or of an erased account
    CLOSED = "closed"


def _serializer(kind: Kind) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=kind.salt)


def link_mark(user: User) -> str:
    """What a link must match of the account: the session mark (a digest of the password hash) until
    the person has logged in, then a digest of the hash and the last login's time. An account never
    logged in since the upgrade that added the time keeps the mark its outstanding links carry."""
    if user.last_login_at is None:
        return user.session_mark
    # The same instant however the database hands it back (naive UTC from SQLite, aware from PostgreSQL).
    at = as_utc(user.last_login_at).isoformat()
    return hashlib.sha256(f"{user.password_hash}|{at}".encode()).hexdigest()[:16]


def token_for(user: User, kind: Kind) -> str:
    return _serializer(kind).dumps([user.id, link_mark(user)])


def link_for(user: User, kind: Kind) -> str:
    """The absolute link for an email. Call inside :func:`reminder_mail.public_context`: the link
    must be built on CXTRAIN_PUBLIC_URL, never on the request's Host header, which whoever sends
    the "Forgot" form chooses (a reset email pointing at their server would hand them the token)."""
    return url_for(kind.page, token=token_for(user, kind), _external=True)


def check(db: Session, token: str, kind: Kind) -> tuple[User | None, Problem | None]:
    """The account ``token`` lets choose a password, or None and why not."""
    try:
        user_id, mark = _serializer(kind).loads(token, max_age=int(kind.valid_for.total_seconds()))
    except SignatureExpired:
        return None, Problem.EXPIRED
    except (BadSignature, ValueError, TypeError):
        return None, Problem.INVALID
    # Only this service signs these, but a payload of the wrong shape must still be a refusal, not
    # a database error (an id beyond the column's range fails inside the driver).
    if type(user_id) is not int or not 0 < user_id < 2**63 or not isinstance(mark, str):
        return None, Problem.INVALID
    user = db.get(User, user_id)
    if user is None:
        return None, Problem.INVALID
    if not hmac.compare_digest(mark, link_mark(user)):
        return None, Problem.USED
    if not user.active:
        return None, Problem.CLOSED
    return user, None
