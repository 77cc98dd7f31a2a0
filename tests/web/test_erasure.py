"""Erasing a person (the right to erasure): `cxtrain users erase` and the admin's Erase page.

The identity and the game go, the attempts stay without an owner, and every derived number
(team boards, leaderboards, insight counts) equals a recount from scratch afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from erasehelpers import (
    ADMIN,
    COLLEAGUE,
    LEARNER,
    assert_erased_and_consistent,
    insight_numbers,
    played_team,
    rebuilt_numbers,
    sessionmaker,
)
from sqlalchemy import select
from webhelpers import add_user, csrf_from, login

from cxtrain.cli import main
from cxtrain.store import accounts, erasure, insight_rollup
from cxtrain.store.models import Attempt, ChoiceEvent, User


def _exists(app, email: str) -> bool:  # type: ignore[no-untyped-def]
    with sessionmaker(app)() as db:
        return accounts.find_user(db, email) is not None


def _id(app, email: str) -> int:  # type: ignore[no-untyped-def]
    with sessionmaker(app)() as db:
        return db.scalar(select(User.id).where(User.email == email))  # type: ignore[return-value]


# --- the command line


def test_erase_from_the_command_line_leaves_everything_consistent(app, runner):
    team = played_team(app)
    before = insight_numbers(app)
    assert before.started == 4 and before.edges

    wrong = runner.invoke(main, ["users", "erase", LEARNER], input="colleague@example.org\n")
    assert (
        wrong.exit_code == 1
        and "Nothing was erased: 'colleague@example.org' is not learner@example.org" in wrong.output
    )
    assert _exists(app, LEARNER)

    result = runner.invoke(main, ["users", "erase", LEARNER], input=LEARNER.upper() + "\n")
    assert result.exit_code == 0, result.output
    assert "its 3 attempts stay, owned by nobody" in result.output  # said before asking
    assert f"Erased {LEARNER}: 2 XP entries" in result.output and "3 attempts kept without an owner" in result.output
    # Its times are cut to the day, but an attempt finished after the insight clock stays after it.
    with sessionmaker(app)() as db:
        clock = insight_rollup.scores_clock(db)
        kept = db.execute(select(Attempt.started_at, Attempt.finished_at).where(Attempt.user_id.is_(None))).all()
    finishes = [insight_rollup.as_utc(f) for _, f in kept if f is not None]
    assert len(kept) == 3 and len(finishes) == 2  # the last attempt was left unfinished
    for moment in [insight_rollup.as_utc(s) for s, _ in kept] + finishes:
        assert moment in (moment.replace(hour=0, minute=0, second=0, microsecond=0), clock + timedelta(microseconds=1))
    assert clock + timedelta(microseconds=1) in finishes or clock.date() != datetime.now(UTC).date()

    assert_erased_and_consistent(app, team, before)


def test_erasing_twice_or_nobody_is_harmless(app, runner, learner):
    assert runner.invoke(main, ["users", "erase", learner, "--yes"]).exit_code == 0
    for _ in range(2):
        again = runner.invoke(main, ["users", "erase", learner, "--yes"])
        assert again.exit_code == 0 and "nothing to erase (it may have been erased already)" in again.output


def test_the_last_open_admin_is_never_erased(app, runner):
    add_user(app, "boss@example.org", "admin", None)
    refused = runner.invoke(main, ["users", "erase", "boss@example.org", "--yes"])
    assert refused.exit_code == 1 and "boss@example.org is the only admin" in refused.output
    assert _exists(app, "boss@example.org")

    add_user(app, "deputy@example.org", "admin", None)
    assert runner.invoke(main, ["users", "close", "deputy@example.org"]).exit_code == 0
    # A closed admin is not one of the open admins: erasing it leaves boss, the open one.
    assert runner.invoke(main, ["users", "erase", "deputy@example.org", "--yes"]).exit_code == 0
    assert runner.invoke(main, ["users", "erase", "boss@example.org", "--yes"]).exit_code == 1


def test_old_choice_events_are_dated_to_the_day_and_young_ones_keep_their_time(app, client, learner, auth):
    """The edges watermark relies on young events looking young (see insight_rollup.SETTLE)."""
    from gamifyhelpers import play

    play(client, auth)
    with sessionmaker(app)() as db:
        ids = list(db.scalars(select(ChoiceEvent.id).order_by(ChoiceEvent.id)))
        old = db.get(ChoiceEvent, ids[0])
        old.created_at = datetime.now(UTC) - timedelta(hours=1)
        db.commit()
        young_before = insight_rollup.as_utc(db.get(ChoiceEvent, ids[1]).created_at)
        erasure.erase_user(db, db.get(User, _id(app, learner)))
        db.expire_all()
        first, second = (insight_rollup.as_utc(db.get(ChoiceEvent, i).created_at) for i in ids)
    assert first == first.replace(hour=0, minute=0, second=0, microsecond=0)
    assert second == young_before


def test_a_trainers_uploads_stay_without_an_author(app, runner, trainer):
    from webhelpers import save_hidden_choice_module

    from cxtrain.store.models import ModuleVersion

    save_hidden_choice_module(app)
    with sessionmaker(app)() as db:
        db.execute(ModuleVersion.__table__.update().values(author_id=_id(app, trainer)))
        db.commit()
    exported = runner.invoke(main, ["users", "export", trainer])
    assert '"module":"hidden-choice"' in exported.output.replace(" ", "").replace("\n", "")
    assert runner.invoke(main, ["users", "erase", trainer, "--yes"]).exit_code == 0
    with sessionmaker(app)() as db:
        [row] = db.scalars(select(ModuleVersion))
        assert (row.module_id, row.author_id) == ("hidden-choice", None)


# --- the admin page


@pytest.fixture
def as_admin(app, client):  # type: ignore[no-untyped-def]
    add_user(app, ADMIN, "admin", None)
    login(client, ADMIN)
    return client


def _erase(client, user_id: int, typed: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/admin/users/{user_id}/erase")
    token = (
        csrf_from(page.get_data(as_text=True))
        if page.status_code == 200
        else csrf_from(client.get("/admin/users").get_data(as_text=True))
    )
    return client.post(f"/admin/users/{user_id}/erase", data={"csrf_token": token, "confirm_email": typed})


def test_erase_from_the_admin_page(app):
    team = played_team(app)
    before = insight_numbers(app)
    client = app.test_client()
    login(client, ADMIN)
    account = client.get(f"/admin/users/{team.learner_id}").get_data(as_text=True)
    assert f'href="/admin/users/{team.learner_id}/erase"' in account
    page = client.get(f"/admin/users/{team.learner_id}/erase").get_data(as_text=True)
    assert "Erase learner@example.org for good?" in page
    assert "their 3 attempt(s) stay without an owner" in page and "2 XP entries, 2 badge(s)" in page
    assert '<label for="confirm_email">' in page

    mismatch = _erase(client, team.learner_id, COLLEAGUE)
    assert mismatch.status_code == 422
    text = mismatch.get_data(as_text=True)
    assert "Nothing was erased: type learner@example.org exactly" in text and 'aria-invalid="true"' in text
    assert f'value="{COLLEAGUE}"' in text and _exists(app, LEARNER)
    assert _erase(client, team.learner_id, "").status_code == 422

    done = _erase(client, team.learner_id, f" {LEARNER} ")
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/users")
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f"Erased {LEARNER}: the account, its XP, badges, practice and API tokens are gone" in listing
    assert_erased_and_consistent(app, team, before)

    # Sent again (a reload, a double click): nothing more happens.
    token = csrf_from(listing)
    twice = client.post(f"/admin/users/{team.learner_id}/erase", data={"csrf_token": token, "confirm_email": LEARNER})
    assert twice.status_code == 303
    assert "nothing to erase" in client.get("/admin/users").get_data(as_text=True)
    assert client.get(f"/admin/users/{team.learner_id}/erase").status_code in (200, 404)  # a new account may reuse it


def test_an_admin_cannot_erase_their_own_account(app, as_admin):
    own = _id(app, ADMIN)
    add_user(app, "deputy@example.org", "admin", None)  # not the last admin: still refused
    page = as_admin.get(f"/admin/users/{own}/erase").get_data(as_text=True)
    assert "This is your own account: another admin can erase it." in page and "confirm_email" not in page
    assert "another admin can erase it" in as_admin.get(f"/admin/users/{own}").get_data(as_text=True)
    refused = _erase(as_admin, own, ADMIN)
    assert refused.status_code == 422
    assert "You cannot erase your own account; ask another admin." in refused.get_data(as_text=True)
    assert _exists(app, ADMIN)


def test_only_admins_erase_and_only_with_the_csrf_token(app, client, learner, trainer):
    learner_id = _id(app, learner)
    paths = (f"/admin/users/{learner_id}/erase",)
    for path in paths:
        assert client.get(path).status_code == 302  # to the login page
    for email in (learner, trainer):
        login(client, email)
        token = csrf_from(client.get("/modules").get_data(as_text=True))
        assert client.get(paths[0]).status_code == 403
        denied = client.post(paths[0], data={"csrf_token": token, "confirm_email": learner})
        assert denied.status_code == 403
        client.post("/logout", data={"csrf_token": token})
    assert _exists(app, learner)

    add_user(app, ADMIN, "admin", None)
    login(client, ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(paths[0], data={"confirm_email": learner}).status_code == 400
    assert _exists(app, learner)
    assert client.get("/admin/users/999999/erase").status_code == 404
    assert client.get("/admin/users/99999999999999999999999/erase").status_code == 404


def test_erase_refuses_the_last_admin_in_the_store(app):
    """Through the page an admin is always there to act; the store refuses anyway (a race, the CLI)."""
    uid = add_user(app, "boss@example.org", "admin", None)
    with sessionmaker(app)() as db, pytest.raises(accounts.AccountError, match="only admin"):
        erasure.erase_user(db, db.get(User, uid))
    assert _exists(app, "boss@example.org")
    assert rebuilt_numbers(app).started == 0
