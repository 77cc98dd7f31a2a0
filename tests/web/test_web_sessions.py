"""Logins kept on the server: logging out ends a login wherever its cookie went, and a login ends
when idle or old. The real app over its test client, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from gamifyhelpers import Clock
from sqlalchemy import func, select
from webhelpers import PASSWORD, change_password, csrf_from, login

from cxtrain.store.models import WebSession


@pytest.fixture
def clock(app) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    app.config["CLOCK"] = clock
    return clock


def _copy_of(app, client):  # type: ignore[no-untyped-def]
    """Another browser holding a copy of ``client``'s session cookie (a shared computer, a stolen cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _logged_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/history").status_code == 200


def _sessions(app) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return db.scalar(select(func.count()).select_from(WebSession))


def _log_out(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/history").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302


def _logout_ends_the_login_for_every_copy_of_its_cookie(app, client, learner) -> None:  # type: ignore[no-untyped-def]
    login(client, learner)
    copy = _copy_of(app, client)
    assert _logged_in(copy)  # the same login, until...
    _log_out(client)
    assert not _logged_in(client) and not _logged_in(copy)
    assert _sessions(app) == 0
    login(client, learner)  # logging in again starts a new one
    assert _logged_in(client) and not _logged_in(copy)


def test_logout_ends_the_login_for_every_copy_of_its_cookie(app, client, learner):
    _logout_ends_the_login_for_every_copy_of_its_cookie(app, client, learner)


@pytest.mark.postgres
@pytest.mark.app_on_postgres
def test_logout_ends_the_login_on_postgresql_too(app, client, learner):
    _logout_ends_the_login_for_every_copy_of_its_cookie(app, client, learner)


def test_two_browsers_have_two_logins_and_one_logout_ends_one(app, client, learner):
    phone = app.test_client()
    login(client, learner)
    login(phone, learner)
    assert _sessions(app) == 2
    _log_out(client)
    assert _logged_in(phone) and not _logged_in(client)


def test_a_login_ends_when_idle_and_when_old(app, client, learner, clock):
    login(client, learner)
    clock.advance(days=13)
    assert _logged_in(client)  # and that visit is noted...
    clock.advance(days=13)
    assert _logged_in(client)  # ...so 26 days on, 13 idle, it still holds
    clock.advance(days=14, minutes=1)
    assert not _logged_in(client)  # 14 days without a visit: over
    login(client, learner)
    for _ in range(6):  # used every 13 days (78 days), a login still ends 90 days after it began
        clock.advance(days=13)
        assert _logged_in(client)
    clock.advance(days=13)
    assert not _logged_in(client)


def test_the_limits_are_settings(app, client, learner, clock):
    app.config.update(SESSION_IDLE_DAYS=1, SESSION_MAX_DAYS=2)
    login(client, learner)
    clock.advance(hours=25)
    assert not _logged_in(client)


def test_a_new_password_ends_the_other_logins_and_keeps_this_one(app, client, learner):
    phone = app.test_client()
    login(phone, learner)
    login(client, learner)
    assert change_password(client, "a new passphrase").status_code == 302
    assert _logged_in(client) and not _logged_in(phone)
    assert _sessions(app) == 1  # the phone's row is gone, not only refused


def test_a_session_from_before_the_upgrade_logs_in_again(app, client, learner):
    login(client, learner)
    with client.session_transaction() as cookie:  # as a cookie from before migration 0013
        cookie.pop("_cx_sid")
    assert not _logged_in(client)
    assert login(client, learner, PASSWORD).status_code == 302 and _logged_in(client)


def test_the_export_lists_open_logins_without_their_ids(app, client, learner):
    login(client, learner)
    data = client.get("/api/me/export").get_json()
    [opened] = data["sessions"]
    assert set(opened) == {"created_at", "last_seen_at"}


def test_a_closed_and_reopened_account_does_not_bring_back_its_old_logins(app, client, learner, runner):
    from cxtrain.cli import main

    login(client, learner)
    copy = _copy_of(app, client)
    assert runner.invoke(main, ["users", "close", learner]).exit_code == 0
    assert runner.invoke(main, ["users", "reopen", learner]).exit_code == 0
    assert not _logged_in(copy) and _sessions(app) == 0


def test_serve_deletes_the_rows_of_logins_past_their_limits_when_it_starts(tmp_path):
    from datetime import UTC, datetime, timedelta

    from liveserver import LiveServer
    from sqlalchemy import create_engine, text
    from webhelpers import FIXTURES

    live = LiveServer(tmp_path / "instance", str(FIXTURES))
    assert live.cli("db", "upgrade").returncode == 0
    assert live.cli("users", "add", "gone@example.org", stdin=PASSWORD + "\n").returncode == 0
    now = datetime.now(UTC)
    engine = create_engine(f"sqlite:///{tmp_path / 'instance' / 'cxtrain.sqlite3'}")
    with engine.begin() as conn:
        for key, created, seen in (
            ("idle", now - timedelta(days=30), now - timedelta(days=20)),  # past 14 idle days
            ("old", now - timedelta(days=100), now - timedelta(hours=2)),  # past 90 days
            ("fresh", now - timedelta(days=2), now - timedelta(hours=1)),
        ):
            conn.execute(
                text("INSERT INTO web_sessions (id, user_id, created_at, last_seen_at) VALUES (:id, 1, :c, :s)"),
                {"id": key, "c": created, "s": seen},
            )
    live.start()
    try:
        with engine.connect() as conn:
            assert [row[0] for row in conn.execute(text("SELECT id FROM web_sessions"))] == ["fresh"]
    finally:
        live.stop()
        engine.dispose()
