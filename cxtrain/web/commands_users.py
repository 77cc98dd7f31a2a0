"""`cxtrain users`: accounts for admins (add, invite, list, roles, close and reopen, passwords,
edits). Importing a staff list, exporting and erasing a person are in their own modules."""

from __future__ import annotations

import csv
import io
import secrets
import sys
from collections.abc import Sequence

import click
from flask import Flask
from sqlalchemy import select

from ..store import accounts
from ..store.models import ROLES, User
from . import mailer
from .command_context import cli_session, migrated_app
from .insight import safe_cell


@click.group()
def users() -> None:
    """Manage accounts (admins)."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _check_profile(app: Flask, name: str | None, job_role: str | None, team: str | None) -> None:
    """The same checks as an import or the admin page, before anything is written."""
    problem = accounts.job_role_problem(job_role or "", app.extensions["cxtrain.catalog"].roles)
    if problem:
        raise click.BadParameter(str(problem), param_hint="--job-role")
    for option, problem in accounts.profile_problems(name or "", team or "").items():
        raise click.BadParameter(str(problem), param_hint=f"--{option}")


def _existing_user(db, email: str) -> User:  # type: ignore[no-untyped-def]
    user = accounts.find_user(db, email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


def _require_mail(app: Flask) -> None:
    """Refuse before anything is written when this instance cannot send the invitations."""
    missing = mailer.missing_settings(app.config)
    if missing:
        raise click.ClickException(
            f"email is not set up: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing "
            "(see docs/admin.md, 'Email'). Nothing was changed."
        )


def _invite(app: Flask, people: Sequence[User]) -> None:
    """Email ``people`` their invitation, say what happened to each, and fail if any was not sent."""
    from .account_mail import send_links
    from .password_links import INVITATION

    outcome = send_links(app, people, INVITATION)
    days = INVITATION.valid_for.days
    for email in outcome.sent:
        click.echo(f"Invitation sent to {email} (the link works for {days} days).", err=True)
    for email, why in outcome.refused.items():
        click.echo(f"not sent: {email}: the mail server refused it ({why})", err=True)
    if outcome.stopped:
        click.echo(f"stopped: {outcome.stopped}", err=True)
    if outcome.unsent:
        raise click.ClickException(
            f"{len(outcome.unsent)} invitation{'s' if len(outcome.unsent) != 1 else ''} not sent. Once the "
            f"problem is fixed, send {'them' if len(outcome.unsent) != 1 else 'it'} with:\n"
            f"  cxtrain users invite {' '.join(outcome.unsent)}"
        )


@users.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True, help="Account role.")
@click.option("--job-role", help="Job role id from roles.yaml (decides which modules come first).")
@click.option("--team", help="Optional team name.")
@click.option("--name", default="", help="Display name.")
@click.option(
    "--invite", is_flag=True, help="Email them a link to choose their own password (for 7 days) instead of reading one."
)
def users_add(email: str, role: str, job_role: str | None, team: str | None, name: str, invite: bool) -> None:
    """Create an account; the password is read from standard input when it is not a terminal.

    With --invite no password is read: the person gets an email with a link to choose theirs."""
    app = migrated_app()
    _check_profile(app, name, job_role, team)
    if invite:
        _require_mail(app)
    with cli_session(app) as db:
        # An invited person's password is random and never shown, until they choose their own.
        password = secrets.token_urlsafe(32) if invite else _read_password()
        try:
            user = accounts.create_user(db, email, password, role, job_role, team, name)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        db.commit()
        click.echo(f"Created {user.role} {user.email}.")
        if invite:
            _invite(app, [user])


@users.command("invite")
@click.argument("emails", nargs=-1, required=True, metavar="EMAIL...")
def users_invite(emails: tuple[str, ...]) -> None:
    """Email people a link to choose their password (again), valid for 7 days.

    For an invitation that expired or went astray, or an account made without one. Earlier links
    keep working until the person sets a password; then all of them stop."""
    app = migrated_app()
    _require_mail(app)
    with cli_session(app) as db:
        people = {user.id: user for user in (_existing_user(db, email) for email in emails)}.values()
        closed = [user.email for user in people if not user.active]
        if closed:
            raise click.ClickException(
                f"closed: {', '.join(closed)}; reopen the account first (cxtrain users reopen). Nothing was sent."
            )
        _invite(app, list(people))


@users.command("list")
def users_list() -> None:
    """List accounts."""
    app = migrated_app()
    with cli_session(app) as db:
        # Through the csv module, and names and teams as spreadsheet-safe cells: a name typed
        # before names were checked may hold a tab, a line break or a leading '='.
        listing = io.StringIO()
        writer = csv.writer(listing, delimiter="\t", lineterminator="\n")
        for user in db.scalars(select(User).order_by(User.email)):
            team = safe_cell(user.team) if user.team else "-"
            closed = [] if user.active else ["closed"]
            writer.writerow([user.email, user.role, user.job_role or "-", team, safe_cell(user.name), *closed])
        click.echo(listing.getvalue(), nl=False)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(email: str, role: str) -> None:
    """Change an account's role (learner, trainer or admin)."""
    app = migrated_app()
    with cli_session(app) as db:
        user = _existing_user(db, email)
        try:
            accounts.check_role_change(db, user, role)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        user.role = role
        db.commit()
        click.echo(f"{user.email} is now {role}.")


@users.command("close")
@click.argument("email")
def users_close(email: str) -> None:
    """Close the account of someone who has left.

    They can no longer log in, their sessions and API tokens stop working, they leave their team
    and the boards. Their attempts, XP and badges are kept (and still count in insight)."""
    app = migrated_app()
    with cli_session(app) as db:
        user = _existing_user(db, email)
        if not user.active:
            click.echo(f"{user.email} is already closed.")
            return
        try:
            accounts.close_account(db, user)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        db.commit()
        click.echo(f"Closed {user.email}.")


@users.command("reopen")
@click.argument("email")
@click.option("--team", help="The team they join (default: the one they were in when their account was closed).")
@click.option("--no-team", is_flag=True, help="Join no team, not even the one they left.")
def users_reopen(email: str, team: str | None, no_team: bool) -> None:
    """Reopen a closed account: the person can log in again with their old password."""
    if team is not None and no_team:
        raise click.UsageError("Give --team or --no-team, not both.")
    app = migrated_app()
    with cli_session(app) as db:
        user = _existing_user(db, email)
        if user.active:
            click.echo(f"{user.email} is already open.")
            return
        if team is not None:
            problems = accounts.profile_problems(team=team.strip())
            if problems:
                raise click.ClickException(str(problems["team"]))
        rejoin = None if no_team else (team.strip() if team is not None else user.team_when_closed)
        accounts.reopen_account(db, user, rejoin)
        db.commit()
        click.echo(f"Reopened {user.email}" + (f", in team {user.team}." if user.team else "."))


@users.command("set-password")
@click.argument("email")
@click.option("--revoke-tokens", is_flag=True, help="Also revoke all of the account's API tokens.")
def users_set_password(email: str, revoke_tokens: bool) -> None:
    """Give an account a new password (read from standard input when it is not a terminal).

    Every session of the account ends at once (a forgotten password, or one somebody else knows);
    its API tokens keep working unless --revoke-tokens is given (do, if the password leaked)."""
    app = migrated_app()
    with cli_session(app) as db:
        user = _existing_user(db, email)
        try:
            accounts.set_password(user, _read_password())
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        revoked = accounts.revoke_all_tokens(db, user) if revoke_tokens else 0
        db.commit()
        click.echo(f"New password set for {user.email}; their sessions have ended.")
        if revoke_tokens:
            click.echo(f"Revoked {revoked} API token{'s' if revoked != 1 else ''}.")


@users.command("edit")
@click.argument("email")
@click.option("--name", help="Display name.")
@click.option("--job-role", help="Job role id from roles.yaml; an empty value clears it.")
@click.option("--team", help="Team name; an empty value takes the person out of their team.")
def users_edit(email: str, name: str | None, job_role: str | None, team: str | None) -> None:
    """Change a person's name, job role or team (a promotion, a move to another team)."""
    if name is None and job_role is None and team is None:
        raise click.UsageError("Say what to change: --name, --job-role or --team.")
    app = migrated_app()
    _check_profile(app, name, job_role, team)
    with cli_session(app) as db:
        user = _existing_user(db, email)
        if name is not None:
            user.name = name
        if job_role is not None:
            user.job_role = job_role or None
        if team is not None:
            user.team = team.strip() or None
        db.commit()
        click.echo(f"{user.email}: {user.job_role or 'no job role'}, {user.team or 'no team'}, name '{user.name}'.")


# The other `users` commands register themselves on the group.
from . import commands_import, commands_personal  # noqa: E402,F401
