"""`cxtrain users import`: a staff list (CSV) becomes accounts, and updates them on the next import."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import click
from sqlalchemy import select

from ..store.models import User
from . import mailer
from .command_context import cli_session, migrated_app
from .commands_users import _invite, _require_mail, users


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

    app = migrated_app()
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
    with cli_session(app) as db:
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
