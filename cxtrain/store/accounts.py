"""Users, passwords (argon2) and API tokens (only their hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..display_names import has_control_characters, looks_like_email
from ..scenario.suggest import closest, one_of
from .models import ROLES, ApiToken, User, WebSession, utcnow

# The column sizes in models.py: PostgreSQL refuses a longer value with an error, not a message,
# so every way in (the CLI, a CSV import, the admin page) checks them first, here.
MAX_EMAIL, MAX_NAME, MAX_TEAM = 320, 200, 100

_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps login time the same either way,
# so the response time does not reveal which emails have accounts.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD = 8


# Every refusal of the account rules, by a stable code, with its English text. The command line
# and the CSV import print the English; the pages say the code in the reader's language
# (cxtrain/web/account_messages.py keeps one message per code, tested to match this English).
# A code is never renamed or reused: a page that does not know one shows its English.
MESSAGES: dict[str, str] = {
    "password-too-short": "A password needs at least %(count)s characters.",
    "email-invalid": "'%(email)s' is not an email address; it looks like name@example.org.",
    "email-too-long": "An email address has at most %(count)s characters.",
    "email-taken": "There is already an account for %(email)s.",
    "name-too-long": "A name has at most %(count)s characters.",
    "team-too-long": "A team name has at most %(count)s characters.",
    "name-is-email": "A display name cannot be an email address: colleagues see it on boards and team pages.",
    "name-control": "A name cannot contain line breaks, tabs or other control characters.",
    "team-control": "A team name cannot contain line breaks, tabs or other control characters.",
    "timezone-unknown": "Not a known time zone; use a name such as Europe/Paris or America/New_York.",
    "job-role-unknown": "Unknown job role '%(job_role)s'. The job roles are: %(job_roles)s.",
    "job-role-unknown-close": (
        "Unknown job role '%(job_role)s'. Did you mean '%(closest)s'? The job roles are: %(job_roles)s."
    ),
    "account-role-unknown": "Unknown account role '%(role)s'; use one of %(roles)s.",
    "last-admin": "%(email)s is the only admin; make someone else admin first.",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an account request cannot be honoured: a ``code`` of MESSAGES and the ``values`` its
    message names. ``str()`` is the English text."""

    code: str
    values: Mapping[str, str | int] = field(default_factory=dict)

    def __str__(self) -> str:
        return MESSAGES[self.code] % self.values


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; ``str()`` is the English message and
    ``problem`` (None for a bare message) says which rule, for a page to translate."""

    def __init__(self, problem: Problem | str) -> None:
        super().__init__(str(problem))
        self.problem = problem if isinstance(problem, Problem) else None


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(Problem("password-too-short", {"count": MIN_PASSWORD}))
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> Problem | None:
    """Why ``email`` (already normalised) cannot be an account's address, or None."""
    local, at, domain = email.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in email):
        return Problem("email-invalid", {"email": email})
    if len(email) > MAX_EMAIL:
        return Problem("email-too-long", {"count": MAX_EMAIL})
    return None


def profile_problems(name: str = "", team: str = "") -> dict[str, Problem]:
    """A problem per profile field that cannot be stored as given: longer than its column, a name
    that is an email address, control characters (see :mod:`cxtrain.display_names`)."""
    problems = {}
    if len(name) > MAX_NAME:
        problems["name"] = Problem("name-too-long", {"count": MAX_NAME})
    elif has_control_characters(name):
        problems["name"] = Problem("name-control")
    elif looks_like_email(name):
        problems["name"] = Problem("name-is-email")
    if len(team) > MAX_TEAM:
        problems["team"] = Problem("team-too-long", {"count": MAX_TEAM})
    elif has_control_characters(team):
        problems["team"] = Problem("team-control")
    return problems


def job_role_problem(job_role: str, known: Collection[str]) -> Problem | None:
    """Why ``job_role`` is not one of the library's job roles, with the closest one; None if it is
    (or is empty, or there is no library to check against)."""
    if not job_role or not known or job_role in known:
        return None
    near = closest(job_role, known)
    values = {"job_role": job_role, "job_roles": one_of(known, 20)}
    return (
        Problem("job-role-unknown-close", {**values, "closest": near}) if near else Problem("job-role-unknown", values)
    )


def last_admin(user: User) -> Problem:
    """The refusal to leave the service without an open admin."""
    return Problem("last-admin", {"email": user.email})


def find_user(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(db: Session, email: str, password: str) -> User | None:
    user = find_user(db, email)
    return user if check_password(user, password) else None


def record_login(user: User) -> None:
    """Note that ``user`` just logged in with their password (the caller commits); this also ends
    the password links sent before (see web/password_links.py)."""
    user.last_login_at = utcnow()


def create_user(
    db: Session,
    email: str,
    password: str,
    role: str = "learner",
    job_role: str | None = None,
    team: str | None = None,
    name: str = "",
) -> User:
    email = normalise_email(email)
    problem = email_problem(email) or next(iter(profile_problems(name, team or "").values()), None)
    if problem:
        raise AccountError(problem)
    if role not in ROLES:
        raise AccountError(Problem("account-role-unknown", {"role": role, "roles": ", ".join(ROLES)}))
    if find_user(db, email):
        raise AccountError(Problem("email-taken", {"email": email}))
    user = User(email=email, password_hash=hash_password(password), role=role, job_role=job_role, team=team, name=name)
    db.add(user)
    db.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def replace_password(db: Session, user: User, old_hash: str, password: str) -> bool:
    """Set ``password`` if the account's password hash is still ``old_hash``; False if it is not.

    One conditional UPDATE, so that of two requests carrying the same single-use link (a double
    click, two tabs) exactly one sets the password: the other waits for the first to commit
    (PostgreSQL's row lock, SQLite's write lock), then matches no row."""
    new_hash = hash_password(password)
    changed = db.execute(
        update(User)
        .where(User.id == user.id, User.password_hash == old_hash)
        .values(password_hash=new_hash)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    set_committed_value(user, "password_hash", new_hash)  # what the row now holds; nothing left to flush
    return True


def admin_exists(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))))


def close_account(db: Session, user: User) -> None:
    """Someone has left: no more logins, sessions or tokens (they are refused while the account is
    closed), off the boards and out of their team; attempts, XP and badges stay as history."""
    from .xp_ledger import set_listed

    if user.role == "admin" and _other_admins(db, user) == 0:
        raise AccountError(last_admin(user))
    user.active = False
    # Its logins end for good: a reopened account starts with none (a kept cookie stays dead).
    db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    user.team_when_closed = user.team
    user.team = None  # the team board and the manager's view follow through the ORM events
    set_listed(db, user.id, False)


def reopen_account(db: Session, user: User, team: str | None = None) -> None:
    """Let a closed account in again, in ``team`` (callers offer ``user.team_when_closed``)."""
    from .xp_ledger import set_listed

    user.active = True
    user.team = team or None
    user.team_when_closed = None
    set_listed(db, user.id, True)


def _other_admins(db: Session, user: User) -> int:
    """Open admins other than ``user``, counted with every open admin's row locked until commit.

    Two admins demoting or closing each other at the same moment then take turns: the second
    waits for the first to commit, and PostgreSQL re-reads the rows it waited for, so it sees one
    admin fewer and refuses. Locking in id order keeps the two from deadlocking. (SQLite has one
    writer at a time; there the second write fails rather than break the rule.)"""
    admins = select(User.id).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
    return sum(1 for admin_id in db.scalars(admins.with_for_update()) if admin_id != user.id)


def is_last_admin(db: Session, user: User) -> bool:
    """Whether ``user`` is the only open admin (the admin rows stay locked until commit, as above)."""
    return user.role == "admin" and user.active and _other_admins(db, user) == 0


def check_role_change(db: Session, user: User, role: str) -> None:
    """Refuse to leave the service without an admin."""
    if role != "admin" and is_last_admin(db, user):
        raise AccountError(last_admin(user))


def token_hash(token: str) -> str:
    """What is stored of a bearer token, and what a request's token is looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new bearer token; the plain token is returned once and never stored."""
    token = "cxt_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_hash(token), name=name[:100])
    db.add(row)
    db.flush()
    return row, token


# Built once: constructing the statement costs more than running it on SQLite.
_USER_FOR_TOKEN = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("h"), User.active.is_(True))
)


def user_for_token(db: Session, token: str) -> User | None:
    """The token's user in one query (users joined to api_tokens), run on every request: a revoked
    (deleted) token, or the token of a closed account, stops working at once, in every worker."""
    return db.scalar(_USER_FOR_TOKEN, {"h": token_hash(token)})


def list_tokens(db: Session, user: User) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def count_tokens(db: Session, user: User) -> int:
    return int(db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)) or 0)


def revoke_all_tokens(db: Session, user: User) -> int:
    """Delete every token of ``user`` (a leaked password may have made some); returns how many."""
    result = db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_token(db: Session, user: User, token_id: int) -> bool:
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return False
    db.delete(row)
    return True
