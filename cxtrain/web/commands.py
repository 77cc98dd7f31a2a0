"""`cxtrain serve`, `db`, `users`, `tokens`, `insight` (loaded lazily by cxtrain.cli)."""

from __future__ import annotations

import csv
import io
import secrets
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ..store import accounts, insight_rollup, migrate
from ..store.models import ROLES, User
from . import config, mailer
from .server import DEFAULT_THREADS, default_workers


def _app() -> Flask:
    """The app a caller handed in (Flask's test runner passes a ScriptInfo), else one from the environment."""
    from flask.cli import ScriptInfo

    from . import create_app

    ctx = click.get_current_context(silent=True)
    info = ctx.find_object(ScriptInfo) if ctx is not None else None
    return info.load_app() if info is not None else create_app()


def _session(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["cxtrain.sessionmaker"]()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", type=int, default=None, help="Worker processes (default: CPU cores + 1, at most 8).")
@click.option(
    "--threads",
    type=int,
    default=DEFAULT_THREADS,
    show_default=True,
    help="Threads per worker; more than 1 runs gunicorn's gthread workers instead of sync ones.",
)
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Run the web service (gunicorn), applying database migrations first."""
    from .server import run

    app = _app()  # also creates the instance folder and its secret key before workers fork
    migrate.upgrade(app.config["DATABASE_URL"])
    with _session(app) as db:
        if not accounts.admin_exists(db):
            click.echo(
                "No admin account yet. Create one with:\n"
                "  cxtrain users add you@example.org --role admin\n"
                "(run it with the same DATABASE_URL / CXTRAIN_INSTANCE as this server).",
                err=True,
            )
    _warm(app)
    app.extensions["cxtrain.engine"].dispose()  # no connection may cross the fork
    click.echo(f"cxtrain on http://{host}:{port} (database: {app.config['DATABASE_URL'].split('@')[-1]})", err=True)
    # The workers are forked from this app (gunicorn's preload) rather than each building its own,
    # so that they start with the library parsed and the lint findings loaded: a worker's first
    # request no longer parses every module file, and the memory stays shared until written.
    run(lambda: app, host, port, workers or default_workers(), threads, preload_app=True)


def _warm(app: Flask) -> None:
    """Load the library and the modules' lint findings before any worker starts (see Catalog.warm)."""
    started = time.perf_counter()
    with _session(app) as db:
        linted = app.extensions["cxtrain.catalog"].warm(db)
    if linted:
        seconds = time.perf_counter() - started
        click.echo(f"Linted {linted} modules for the trainers' module list in {seconds:.1f} s.", err=True)


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    url = config.from_environment()["DATABASE_URL"]
    migrate.upgrade(url)
    click.echo("Database is up to date.")


@click.group()
def users() -> None:
    """Manage accounts (admins)."""


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _accounts_app() -> Flask:
    """The app, with the database migrated: account commands are often the first thing run after
    an upgrade, and the users table may have gained a column."""
    app = _app()
    migrate.upgrade(app.config["DATABASE_URL"])
    return app


def _check_profile(app: Flask, name: str | None, job_role: str | None, team: str | None) -> None:
    """The same checks as an import or the admin page, before anything is written."""
    problem = accounts.job_role_problem(job_role or "", app.extensions["cxtrain.catalog"].roles)
    if problem:
        raise click.BadParameter(str(problem), param_hint="--job-role")
    for option, too_long in accounts.length_problems(name or "", team or "").items():
        raise click.BadParameter(str(too_long), param_hint=f"--{option}")


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
    app = _accounts_app()
    _check_profile(app, name, job_role, team)
    if invite:
        _require_mail(app)
    with _session(app) as db:
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
    app = _accounts_app()
    _require_mail(app)
    with _session(app) as db:
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
    app = _accounts_app()
    with _session(app) as db:
        for user in db.scalars(select(User).order_by(User.email)):
            state = "" if user.active else "\tclosed"
            click.echo(f"{user.email}\t{user.role}\t{user.job_role or '-'}\t{user.team or '-'}\t{user.name}{state}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(email: str, role: str) -> None:
    """Change an account's role (learner, trainer or admin)."""
    app = _accounts_app()
    with _session(app) as db:
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
    app = _accounts_app()
    with _session(app) as db:
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
    app = _accounts_app()
    with _session(app) as db:
        user = _existing_user(db, email)
        if user.active:
            click.echo(f"{user.email} is already open.")
            return
        if team is not None:
            too_long = accounts.length_problems(team=team.strip())
            if too_long:
                raise click.ClickException(str(too_long["team"]))
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
    app = _accounts_app()
    with _session(app) as db:
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
    app = _accounts_app()
    _check_profile(app, name, job_role, team)
    with _session(app) as db:
        user = _existing_user(db, email)
        if name is not None:
            user.name = name
        if job_role is not None:
            user.job_role = job_role or None
        if team is not None:
            user.team = team.strip() or None
        db.commit()
        click.echo(f"{user.email}: {user.job_role or 'no job role'}, {user.team or 'no team'}, name '{user.name}'.")


@users.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change, without changing anything.")
@click.option(
    "--invite",
    is_flag=True,
    help="Email new people without a password in the file a link to choose theirs, instead of printing one.",
)
def users_import(csv_file: str, dry_run: bool, invite: bool) -> None:
    """Create and update accounts from a CSV file (columns: email, name, job_role, team, role, password).

    New people get an account (a generated password when the file has none for them: printed as
    CSV on standard output, to hand out; with --invite, an email with a link to choose their own
    instead); people who have one get the file's name, job role and team. Roles and passwords of
    existing accounts are never changed. One bad row changes nothing."""
    from ..store import roster

    app = _accounts_app()
    if invite and not dry_run:
        _require_mail(app)
    data = Path(csv_file).read_bytes()  # a staff list: small enough to read whole
    try:
        # utf-8-sig: spreadsheet programs often start their CSV exports with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise click.ClickException(
            f"{csv_file}: line {line} is not UTF-8 text; save the file as 'CSV UTF-8' and import it again."
        ) from exc
    try:
        rows = roster.read_rows(io.StringIO(text, newline=""), app.extensions["cxtrain.catalog"].roles)
    except roster.RosterError as exc:
        raise click.ClickException(
            f"{csv_file}: nothing was imported.\n" + "\n".join(f"  {p}" for p in exc.problems)
        ) from exc
    with _session(app) as db:
        result = roster.apply(db, rows, invite=invite)
        if dry_run:
            db.rollback()
        else:
            db.commit()
        verb = "would be" if dry_run else "were"
        click.echo(
            f"{len(result.created)} accounts {verb} created, {len(result.updated)} updated, "
            f"{len(result.unchanged)} already up to date.",
            err=True,
        )
        if invite and dry_run:
            click.echo(f"{len(result.to_invite)} invitations would be sent.", err=True)
            for variable in mailer.missing_settings(app.config):
                click.echo(f"note: {variable} is not set; a real import with --invite would refuse.", err=True)
        elif result.to_invite:
            # Sent after the commit: an email must not carry a link to an account that is not there.
            invited = db.scalars(select(User).where(User.email.in_(result.to_invite)).order_by(User.id))
            _invite(app, list(invited))
    if result.passwords and not dry_run:
        click.echo("Generated passwords (shown once; hand each to its owner):", err=True)
        out = csv.writer(sys.stdout)
        out.writerow(["email", "password"])
        for email, password in result.passwords.items():
            out.writerow([email, password])


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def tokens_create(email: str, name: str) -> None:
    """Create a bearer token for an account and print it (shown once)."""
    app = _app()
    with _session(app) as db:
        user = accounts.find_user(db, email)
        if user is None:
            raise click.ClickException(f"No account for {email}.")
        _, token = accounts.create_token(db, user, name)
        db.commit()
        click.echo(token)


@tokens.command("list")
@click.argument("email")
def tokens_list(email: str) -> None:
    """List an account's tokens (ids and labels; the tokens themselves are not stored)."""
    app = _app()
    with _session(app) as db:
        user = accounts.find_user(db, email)
        if user is None:
            raise click.ClickException(f"No account for {email}.")
        for row in accounts.list_tokens(db, user):
            click.echo(f"{row.id}\t{row.name}\t{row.created_at:%Y-%m-%d %H:%M}")


@tokens.command("revoke")
@click.argument("email")
@click.argument("token_id", type=int, required=False)
@click.option("--all", "revoke_all", is_flag=True, help="Revoke every token of the account.")
def tokens_revoke(email: str, token_id: int | None, revoke_all: bool) -> None:
    """Revoke one of an account's tokens by id, or all of them with --all."""
    if (token_id is None) == (not revoke_all):
        raise click.UsageError("Give a token id (see `cxtrain tokens list`) or --all.")
    app = _app()
    with _session(app) as db:
        user = accounts.find_user(db, email)
        if user is None:
            raise click.ClickException(f"No account for {email}.")
        if revoke_all:
            revoked = accounts.revoke_all_tokens(db, user)
            db.commit()
            click.echo(f"Revoked {revoked} API token{'s' if revoked != 1 else ''}.")
            return
        assert token_id is not None
        if not accounts.revoke_token(db, user, token_id):
            raise click.ClickException(f"No token {token_id} for {email}.")
        db.commit()
        click.echo("Revoked.")


@click.group()
def insight() -> None:
    """Trainer insight maintenance."""


@insight.command("rebuild")
def insight_rebuild() -> None:
    """Recount the insight rollups from the raw choice events and attempts, in one transaction.

    For after restoring a backup, deleting users or editing rows by hand. Safe while the
    service runs: pages keep the old numbers until the new ones are committed. On PostgreSQL
    it locks only the four insight_* tables against the pages' own refreshes (reads go on,
    players never wait); on SQLite it holds the write lock while it counts, and play steps
    queue behind it. See docs/admin.md.
    """
    app = _app()
    with _session(app) as db:
        try:
            done = insight_rollup.rebuild(db)
        except DBAPIError as exc:
            raise click.ClickException(f"nothing was changed: {exc.orig}") from exc
    click.echo("Rebuilt the insight rollups from the raw events:")
    click.echo(
        f"  insight_edges: {done.events} choice events in {done.edge_rows} rows, up to event {done.last_event_id}"
        f" ({done.live_events} newer events are counted live until they are {insight_rollup.SETTLE.seconds} s old)"
    )
    click.echo(
        f"  insight_scores: {done.attempts} finished attempts in {done.score_rows} rows,"
        f" finished up to {done.upto:%Y-%m-%d %H:%M:%S} UTC"
    )


from . import commands_personal  # noqa: E402,F401 - registers `users export` and `users erase`
