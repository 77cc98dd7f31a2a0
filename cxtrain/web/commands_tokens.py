"""`cxtrain tokens`: an account's API tokens, created, listed and revoked by an admin."""

from __future__ import annotations

import click

from ..store import accounts
from .command_context import cli_app, cli_session


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
def tokens_create(email: str, name: str) -> None:
    """Create a bearer token for an account and print it (shown once)."""
    app = cli_app()
    with cli_session(app) as db:
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
    app = cli_app()
    with cli_session(app) as db:
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
    app = cli_app()
    with cli_session(app) as db:
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
