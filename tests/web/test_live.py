"""Against a real `cxtrain serve` (gunicorn) over HTTP: the API, the CLI, and kill -9 mid-attempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from liveserver import LiveServer
from webhelpers import FIXTURES, MODULE, PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path / "instance", str(FIXTURES))
    assert live.cli("db", "upgrade").returncode == 0
    added = live.cli(
        "users",
        "add",
        "live@example.org",
        "--role",
        "learner",
        "--job-role",
        "frontline-associate",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    live.start()
    yield live
    live.stop()


def _token(server: LiveServer) -> dict[str, str]:
    response = requests.post(
        server.url + "/api/tokens", json={"email": "live@example.org", "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 201
    return {"Authorization": "Bearer " + response.json()["token"]}


def test_live_api_and_kill_mid_attempt(server: LiveServer, tmp_path: Path):
    auth = _token(server)
    secret = tmp_path / "instance" / "secret_key"
    assert secret.stat().st_mode & 0o777 == 0o600
    response = requests.get(server.url + "/api/modules", headers=auth, timeout=10)
    assert MODULE in {m["id"] for m in response.json()}
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    bad = requests.post(
        server.url + "/api/attempts", data="{oops", headers={**auth, "Content-Type": "application/json"}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["error"] == "invalid-json"
    attempt = requests.post(server.url + "/api/attempts", json={"module": MODULE}, headers=auth, timeout=10).json()
    url = f"{server.url}/api/attempts/{attempt['id']}/choices"
    first = requests.post(url, json={"node": "counter", "choice": "listen"}, headers=auth, timeout=10)
    assert first.status_code == 200

    server.kill()  # kill -9, mid-attempt
    server.start()

    resumed = requests.get(f"{server.url}/api/attempts/{attempt['id']}", headers=auth, timeout=10).json()
    assert resumed["node"]["id"] == "follow-up" and resumed["step"] == 1
    last = requests.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth, timeout=10).json()
    assert last["finished"] is True and last["passed"] is True and last["score"] == 1.0


def test_cli_users(server: LiveServer):
    assert server.cli("users", "add", "boss@example.org", "--role", "admin", stdin=PASSWORD + "\n").returncode == 0
    assert server.cli("users", "set-role", "live@example.org", "trainer").returncode == 0
    listing = server.cli("users", "list").stdout
    assert "boss@example.org\tadmin" in listing and "live@example.org\ttrainer" in listing
    duplicate = server.cli("users", "add", "boss@example.org", stdin=PASSWORD + "\n")
    assert duplicate.returncode != 0 and "already" in duplicate.stderr
    token = server.cli("tokens", "create", "boss@example.org").stdout.strip()
    assert (
        requests.get(server.url + "/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["role"]
        == "admin"
    )


def _lint_rows(instance: Path) -> int:
    from sqlalchemy import func, select

    from cxtrain.store.db import make_engine
    from cxtrain.store.models import LintCacheEntry

    engine = make_engine(f"sqlite:///{instance / 'cxtrain.sqlite3'}", pooled=False)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(LintCacheEntry)).scalar_one()
    finally:
        engine.dispose()


def _lint_status(session: requests.Session, url: str, module_id: str) -> str:
    page = session.get(url + "/trainer/modules", timeout=10).text
    row = next(r for r in page.split("<tr>") if f"<code>{module_id}</code>" in r)
    return row.split('<span class="status', 1)[1].split(">", 1)[1].split("<", 1)[0]


def test_serve_lints_the_library_before_its_workers_start(tmp_path: Path):
    """The findings are stored before the first request, the forked workers list them at once,
    and a restart lints only the text that changed."""
    library = tmp_path / "library"
    library.mkdir()
    text = (FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8").replace("id: web-fixture", "id: live-lint")
    (library / "live-lint.yaml").write_text(text.replace("        feedback: She leaves angry.\n", ""), encoding="utf-8")
    instance = tmp_path / "instance"
    live = LiveServer(instance, f"{FIXTURES}:{library}", workers=2)
    assert live.cli("users", "add", "t@example.org", "--role", "trainer", stdin=PASSWORD + "\n").returncode == 0
    live.start()
    try:
        stored = _lint_rows(instance)  # before any request
        session = requests.Session()
        page = session.get(live.url + "/login", timeout=10).text
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"email": "t@example.org", "password": PASSWORD, "csrf_token": csrf}
        assert session.post(live.url + "/login", data=form, timeout=10).status_code in (200, 302)
        listing = session.get(live.url + "/trainer/modules", timeout=10).text
        assert stored == listing.count("<tr>") - 1  # every module listed was linted at start-up
        # Whichever worker answers, it shows the status stored at start-up.
        assert {_lint_status(session, live.url, "live-lint") for _ in range(6)} == {"1 warning"}
    finally:
        live.stop()

    (library / "live-lint.yaml").write_text(text, encoding="utf-8")
    live.start()
    try:
        assert _lint_rows(instance) == stored + 1
        assert _lint_status(session, live.url, "live-lint") == "clean"
    finally:
        live.stop()
