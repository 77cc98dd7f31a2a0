"""Web fixtures: the small fixture module, accounts, bearer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from liveserver import LiveServer
from mailhelpers import SmtpServer
from webhelpers import FIXTURES, PASSWORD, add_user, token_for


@pytest.fixture
def scenario_folders() -> list[str]:
    return [str(FIXTURES)]


@pytest.fixture
def learner(app) -> str:  # type: ignore[no-untyped-def]
    add_user(app, "learner@example.org")
    return "learner@example.org"


@pytest.fixture
def trainer(app) -> str:  # type: ignore[no-untyped-def]
    add_user(app, "trainer@example.org", "trainer")
    return "trainer@example.org"


@pytest.fixture
def auth(client, learner) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return token_for(client, learner)


@pytest.fixture
def live_learner(tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    """A real `cxtrain serve` on a fresh instance with one frontline learner: (server, email)."""
    email = "learner@example.org"
    live = LiveServer(tmp_path / "instance", str(FIXTURES))
    assert live.cli("db", "upgrade").returncode == 0
    added = live.cli("users", "add", email, "--job-role", "frontline-associate", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    live.start()
    yield live, email
    live.stop()


@pytest.fixture
def live_team(tmp_path: Path) -> Iterator[LiveServer]:
    """A real `cxtrain serve` with a team "Eastgate" (a frontline learner and its team manager), a trainer
    and an admin; the accounts get ids 1 to 4 in that order."""
    live = LiveServer(tmp_path / "instance", str(FIXTURES))
    assert live.cli("db", "upgrade").returncode == 0
    for email, options in (
        ("learner@example.org", ["--job-role", "frontline-associate", "--team", "Eastgate"]),
        ("manager@example.org", ["--job-role", "team-manager", "--team", "Eastgate", "--name", "Morgan Manager"]),
        ("trainer@example.org", ["--role", "trainer"]),
        ("admin@example.org", ["--role", "admin", "--name", "Ada Admin"]),
    ):
        added = live.cli("users", "add", email, *options, stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    live.start()
    yield live
    live.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server in this process, keeping what it receives."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def public_url() -> str:
    """The service's public address for links in emails (a module may override it)."""
    return "https://cx.example.org/training"


@pytest.fixture
def mail_app(app, smtp: SmtpServer, public_url: str):  # type: ignore[no-untyped-def]
    """The app set up to send email through ``smtp``."""
    app.config.update(SMTP_URL=smtp.url, MAIL_FROM="cxtrain <cxtrain@example.org>", PUBLIC_URL=public_url)
    return app


@pytest.fixture
def live_mail(tmp_path: Path) -> Iterator[tuple[LiveServer, SmtpServer]]:
    """A real `cxtrain serve` whose emails go to a real SMTP server in this process, with one frontline
    learner (account 1, learner@example.org); its access log is written to ``tmp_path / "access.log"``."""
    with SmtpServer() as smtp:
        live = LiveServer(tmp_path / "instance", str(FIXTURES))
        live.extra_env = {
            "CXTRAIN_SMTP_URL": smtp.url,
            "CXTRAIN_MAIL_FROM": "cxtrain <cxtrain@example.org>",
            "CXTRAIN_PUBLIC_URL": live.url,
            "CXTRAIN_ACCESS_LOG": str(tmp_path / "access.log"),
        }
        assert live.cli("db", "upgrade").returncode == 0
        added = live.cli(
            "users", "add", "learner@example.org", "--job-role", "frontline-associate", stdin=PASSWORD + "\n"
        )
        assert added.returncode == 0, added.stderr
        live.start()
        yield live, smtp
        live.stop()
