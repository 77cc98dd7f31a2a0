"""`cxtrain reminders`: the daily reminder emails, sent by a command that cron runs (docs/admin.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from sqlalchemy.exc import SQLAlchemyError

from ..gamify.records import as_utc
from ..store import migrate
from . import reminders as run
from .command_context import cli_app, cli_session
from .health import expected_revision
from .rewards import now as service_now


@click.group()
def reminders() -> None:
    """Daily reminder emails to learners who asked for them."""


def _moment(value: str | None) -> datetime:
    if not value:
        return service_now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date and time, e.g. 2025-03-03T08:30+01:00") from exc
    return as_utc(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


@reminders.command("send")
@click.option("--dry-run", is_flag=True, help="Say who would get a reminder and why; send nothing, mark nothing.")
@click.option("--now", "at", metavar="ISO", help="Decide as if it were this moment (without a zone: UTC).")
def send(dry_run: bool, at: str | None) -> None:
    """Email today's reminder to every learner whose local morning it is and who has a reason:
    practice questions due, or a streak of 2 days or more that ends tonight.

    Meant to run every hour (or more often) from cron or a systemd timer: a learner gets at
    most one reminder a day, however often it runs. Exits 1 when the mail server cannot be used."""
    app = cli_app()
    with app.app_context():
        now = _moment(at)
        engine = app.extensions["cxtrain.engine"]
        try:
            schema = migrate.current(engine)
        except SQLAlchemyError as exc:
            raise click.ClickException(f"cannot reach the database: {exc}") from exc
        if schema != expected_revision():
            where = engine.url.render_as_string(hide_password=True)
            if schema is None:
                # Most often the command runs without the service's settings (cron has its own
                # environment): it opened an empty database of its own next to where it ran.
                raise click.ClickException(
                    f"the database {where} has no cxtrain tables. Run this command with the same "
                    "DATABASE_URL or CXTRAIN_INSTANCE as the service (cron and systemd timers do not "
                    "inherit your shell's)."
                )
            raise click.ClickException(
                f"the database {where} is at migration {schema}, not this release's {expected_revision()}; "
                "run `cxtrain db upgrade` first."
            )
        missing = run.missing_settings(app)
        if missing and not dry_run:  # refused even with nobody to remind now: found at set-up, not some morning
            raise click.ClickException(
                f"cannot send without {', '.join(missing)} (see docs/admin.md, 'Reminder emails')."
            )
        with cli_session(app) as db:
            planned, summary = run.plan(db, now, bool(app.config.get("REMINDERS_DEFAULT")))
            if dry_run:
                for reminder in planned:
                    click.echo(f"would send: {reminder.describe()}")
                for variable in missing:
                    click.echo(f"note: {variable} is not set; a real run would refuse to send.", err=True)
                summary.sent = len(planned)
                click.echo("Dry run, nothing sent. " + summary.line("Would send"))
                return
            try:
                run.send(app, db, planned, summary, click.echo)
            except run.RunError as exc:
                click.echo(exc.summary.line())
                raise click.ClickException(f"stopped: {exc}") from exc
            click.echo(summary.line())
