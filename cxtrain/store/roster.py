"""Accounts from a CSV file: how an admin brings a whole organisation in, and keeps it in step.

The file has a header row; ``email`` is required, ``name``, ``job_role``, ``team``, ``role`` and
``password`` are optional. A person without an account gets one (with a generated password
when the file has none for them); a person who has one gets the file's name, job role and team,
so that re-importing an updated staff list moves people between teams and roles. The account
role (learner, trainer, admin) and the password are never changed for an existing account: an
old export must not demote an admin or reset anyone's password.

Every row is checked before anything is written, and the whole file goes in as one transaction:
a file with one bad row changes nothing, and the message names its line.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..scenario.suggest import did_you_mean
from .accounts import (
    MIN_PASSWORD,
    AccountError,
    create_user,
    email_problem,
    job_role_problem,
    normalise_email,
    profile_problems,
)
from .models import ROLES, User

COLUMNS = ("email", "name", "job_role", "team", "role", "password")


class RosterError(ValueError):
    """The file cannot be imported; ``problems`` lists each one with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    email: str
    values: dict[str, str]


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Passwords this import generated, to hand to their owners (never stored in the clear).
    passwords: dict[str, str] = field(default_factory=dict)
    # New people to invite instead (apply(..., invite=True)): they choose their password from an email.
    to_invite: list[str] = field(default_factory=list)


def read_rows(lines: Iterable[str], job_roles: Collection[str]) -> list[Row]:
    """The file's rows, checked; raises RosterError listing every problem found."""
    reader = csv.DictReader(lines)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    problems = _header_problems(header)
    if problems:
        raise RosterError(problems)
    reader.fieldnames = header
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if None in record:  # more cells than the header has columns
            problems.append(f"line {line}: more cells than the header has columns; quote cells that hold commas")
            continue
        values = {key: (value or "").strip() for key, value in record.items()}
        if not any(values.values()):
            continue  # a blank line, often at the end of a spreadsheet export
        problems.extend(f"line {line}: {p}" for p in _row_problems(values, job_roles))
        email = normalise_email(values.get("email", ""))
        if email in seen:
            problems.append(f"line {line}: {email} is already on line {seen[email]}; keep one row per person")
        seen.setdefault(email, line)
        rows.append(Row(line, email, values))
    if problems:
        raise RosterError(problems)
    if not rows:
        raise RosterError(["the file has a header but no people"])
    return rows


def _header_problems(header: list[str]) -> list[str]:
    if not header:
        return ["the file is empty; the first line must name the columns, e.g. email,name,job_role,team"]
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and separator in header[0]:
            # A spreadsheet set to a European locale saves "CSV" with ';' between the cells.
            return [
                f"line 1: the columns are separated by {name}, not commas; save the file as "
                "'CSV UTF-8 (comma delimited)', or replace the separators with commas"
            ]
    problems = []
    for name in header:
        if name not in COLUMNS:
            problems.append(
                f"line 1: unknown column '{name}'.{did_you_mean(name, COLUMNS)} The columns are {', '.join(COLUMNS)}."
            )
    if "email" not in header:
        problems.append("line 1: there is no 'email' column; every person needs one")
    return problems


def _row_problems(values: dict[str, str], job_roles: Collection[str]) -> list[str]:
    checks = [
        email_problem(normalise_email(values.get("email", ""))),
        *profile_problems(values.get("name", ""), values.get("team", "")).values(),
        job_role_problem(values.get("job_role", ""), job_roles),
    ]
    problems = [str(problem) for problem in checks if problem]
    role = values.get("role", "")
    if role and role not in ROLES:
        problems.append(f"unknown account role '{role}'; use one of {', '.join(ROLES)}")
    password = values.get("password", "")
    if password and len(password) < MIN_PASSWORD:
        problems.append(f"the password needs at least {MIN_PASSWORD} characters (or leave it empty to generate one)")
    return problems


def apply(db: Session, rows: list[Row], invite: bool = False) -> ImportResult:
    """Create or update the accounts of ``rows`` (flushed, not committed: the caller commits once).

    A new person without a password in the file gets a generated one, listed in ``passwords``; with
    ``invite``, one nobody is told instead, and they are listed in ``to_invite``."""
    result = ImportResult()
    existing = {u.email: u for u in db.scalars(select(User).where(User.email.in_([r.email for r in rows])))}
    for row in rows:
        user = existing.get(row.email)
        if user is None:
            # An invited person's password is random and never shown: it is there only until they
            # choose theirs (which also ends the invitation's link, see web/password_links.py).
            generated = secrets.token_urlsafe(32 if invite else 12)
            password = row.values.get("password") or generated
            try:
                create_user(
                    db,
                    row.email,
                    password,
                    row.values.get("role") or "learner",
                    row.values.get("job_role") or None,
                    row.values.get("team") or None,
                    row.values.get("name", ""),
                )
            except AccountError as exc:  # read_rows checked the same rules; kept for a clear message
                raise RosterError([f"line {row.line}: {exc}"]) from exc
            if row.values.get("password"):
                pass  # the admin chose it and hands it over
            elif invite:
                result.to_invite.append(row.email)
            else:
                result.passwords[row.email] = password
            result.created.append(row.email)
            continue
        changed = False
        for column in ("name", "job_role", "team"):
            if column not in row.values:
                continue  # a column the file does not have is left as it is
            value: str | None = row.values[column]
            if column != "name":
                value = value or None  # an empty cell clears the job role or team
            if getattr(user, column) != value:
                setattr(user, column, value)
                changed = True
        (result.updated if changed else result.unchanged).append(row.email)
    db.flush()
    return result
