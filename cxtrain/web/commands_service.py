"""`cxtrain serve` and `cxtrain db`: running the service and migrating its database."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from sqlalchemy.orm import Session

from ..store import accounts, migrate, web_sessions
from . import config
from .command_context import cli_app, cli_session
from .server import DEFAULT_THREADS, default_workers


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU cores + 1, at most 8)."
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=DEFAULT_THREADS,
    show_default=True,
    help="Threads per worker; more than 1 runs gunicorn's gthread workers instead of sync ones.",
)
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Run the web service (gunicorn), applying database migrations first."""
    from .server import port_in_use, run

    problem = port_in_use(host, port)
    if problem:
        hint = "is cxtrain already running? Stop it, or choose another port with --port."
        raise click.ClickException(f"{problem}; {hint}")
    app = cli_app()  # also creates the instance folder and its secret key before workers fork
    migrate.upgrade(app.config["DATABASE_URL"])
    with cli_session(app) as db:
        _end_stale_logins(app, db)
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


def _end_stale_logins(app: Flask, db: Session) -> None:
    """Logins past their idle or age limit are refused already; this deletes their rows, those
    of people who never came back included (a login's row is otherwise deleted at logout)."""
    idle, max_age = timedelta(days=app.config["SESSION_IDLE_DAYS"]), timedelta(days=app.config["SESSION_MAX_DAYS"])
    web_sessions.end_stale(db, None, datetime.now(UTC), idle, max_age)
    db.commit()


def _warm(app: Flask) -> None:
    """Load the library and the modules' lint findings before any worker starts (see Catalog.warm)."""
    started = time.perf_counter()
    with cli_session(app) as db:
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
    applied = migrate.upgrade_and_report(url)
    if not applied:
        click.echo("The database was up to date: no migration to apply.")
        return
    click.echo(f"Applied {len(applied)} migration(s):")
    for line in applied:
        click.echo(f"  {line}")
    click.echo("The database is up to date.")
