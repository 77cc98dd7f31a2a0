"""`cxtrain users export` and `cxtrain users erase`: the GDPR's rights of access and erasure for admins.

Export answers a request from someone who cannot use "Download my data" (a closed account, a
request by letter). Erase is irreversible, so it asks for the email address to be typed again
unless --yes is given; what it removes and keeps is :mod:`cxtrain.store.erasure`.
"""

from __future__ import annotations

import json

import click

from ..store import accounts, erasure
from .command_context import cli_session, migrated_app
from .commands_users import users


@users.command("export")
@click.argument("email")
def users_export(email: str) -> None:
    """Print everything stored about a person as JSON (what their profile's "Download my data" gives)."""
    from . import my_data

    app = migrated_app()
    with app.app_context(), cli_session(app) as db:
        user = accounts.find_user(db, email)
        if user is None:
            raise click.ClickException(f"No account for {accounts.normalise_email(email)}.")
        click.echo(json.dumps(my_data.document(db, user), ensure_ascii=False, indent=1))


@users.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask to type the email address again (for scripts).")
def users_erase(email: str, yes: bool) -> None:
    """Erase a person for good (the right to erasure); it cannot be undone.

    Deletes the account (email, name, team, password, API tokens; every session ends) and their
    XP, badges and practice; they leave their team and the boards. Their attempts stay without an
    owner, so the insight counts stay as they are. The email address can then make a new account.
    Erasing an address that has no account (already erased) changes nothing."""
    address = accounts.normalise_email(email)
    app = migrated_app()
    with cli_session(app) as db:
        user = accounts.find_user(db, address)
        if user is None:
            click.echo(f"No account for {address}: nothing to erase (it may have been erased already).")
            return
        if not yes:
            counts = erasure.preview(db, user)
            click.echo(
                f"Erasing {address} deletes the account, {counts['xp_entries']} XP entries, {counts['badges']} badges,"
                f" its practice and {counts['tokens']} API tokens, for good; its {counts['attempts']} attempts stay,"
                " owned by nobody, in the insight counts."
            )
            typed = click.prompt("Type the email address to confirm", default="", show_default=False)
            if accounts.normalise_email(typed) != address:
                raise click.ClickException(f"Nothing was erased: '{typed}' is not {address}.")
        try:
            done = erasure.erase_user(db, user)
        except accounts.AccountError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Erased {address}: {done.xp_entries} XP entries, {done.badges} badges, {done.practice_items} practice"
        f" questions and {done.tokens} API tokens deleted; {done.attempts_kept} attempts kept without an owner."
    )
