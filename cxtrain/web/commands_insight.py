"""`cxtrain insight rebuild`: recount the trainers' insight rollups from the raw events."""

from __future__ import annotations

import click
from sqlalchemy.exc import DBAPIError

from ..store import insight_rollup
from .command_context import cli_app, cli_session


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
    app = cli_app()
    with cli_session(app) as db:
        try:
            done = insight_rollup.rebuild(db)
        except DBAPIError as exc:
            raise click.ClickException(f"nothing was changed: {exc.orig}") from exc
    click.echo("Rebuilt the insight rollups from the raw events:")
    click.echo(
        f"  insight_edges: {_count(done.events, 'choice event')} in {_count(done.edge_rows, 'row')},"
        f" up to event {done.last_event_id} ({_count(done.live_events, 'newer event')} counted live until"
        f" {insight_rollup.SETTLE.seconds} s old)"
    )
    click.echo(
        f"  insight_scores: {_count(done.attempts, 'finished attempt')} in {_count(done.score_rows, 'row')},"
        f" finished up to {done.upto:%Y-%m-%d %H:%M:%S} UTC"
    )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"
