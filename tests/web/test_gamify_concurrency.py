"""Awards are idempotent under racing finishes: threads against a real SQLite file and, when available, PostgreSQL.

Two attempts at the same module finishing at the same moment must pay the module
once in total (the learner lock), the same attempt viewed by racing requests pays
once (UNIQUE attempt_id), and badges are awarded once (UNIQUE user+badge).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from webhelpers import MODULE, add_user, token_for

from cxtrain.store import migrate
from cxtrain.store.models import LearnerStats, UserBadge, WeeklyXp, XpEntry

RACERS = 6


def _race(app, auth) -> list[dict]:  # type: ignore[no-untyped-def]
    """RACERS attempts, each one step from the end, finish together."""
    client = app.test_client()
    urls = []
    for _ in range(RACERS):
        attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
        url = f"/api/attempts/{attempt['id']}/choices"
        client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
        urls.append(url)
    barrier = threading.Barrier(RACERS)
    results: list[dict] = []
    errors: list[BaseException] = []

    def finish(url: str) -> None:
        try:
            local = app.test_client()
            barrier.wait()
            response = local.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth)
            assert response.status_code == 200, response.get_data(as_text=True)
            results.append(response.get_json())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=finish, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _check(app, results: list[dict]) -> None:  # type: ignore[no-untyped-def]
    assert sorted(r["xp"] for r in results) == [0] * (RACERS - 1) + [20]
    firsts = [b["id"] for r in results for b in r["badges"]]
    assert firsts.count("first-pass") == 1 and firsts.count("perfect-play") == 1
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.sum(XpEntry.amount))) == 20
        assert db.scalar(select(func.count()).select_from(XpEntry)) == RACERS  # one row per attempt, no more
        assert db.scalar(select(LearnerStats.xp_total)) == 20
        assert db.scalar(select(func.sum(WeeklyXp.xp))) == 20
        assert db.scalar(select(func.count()).select_from(UserBadge).where(UserBadge.badge_id == "first-pass")) == 1


def test_racing_finishes_on_sqlite_file(app):
    assert app.config["DATABASE_URL"].startswith("sqlite:///")
    add_user(app, "racer@example.org")
    auth = token_for(app.test_client(), "racer@example.org")
    _check(app, _race(app, auth))


def test_racing_views_of_one_finish_pay_once(app):
    add_user(app, "racer@example.org")
    client = app.test_client()
    auth = token_for(client, "racer@example.org")
    attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    url = f"/api/attempts/{attempt['id']}/choices"
    client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth)
    barrier = threading.Barrier(RACERS)
    seen: list[int] = []

    def view() -> None:
        local = app.test_client()
        barrier.wait()
        seen.append(local.get(f"/api/attempts/{attempt['id']}", headers=auth).get_json()["xp"])

    threads = [threading.Thread(target=view) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [20] * RACERS  # every view reports what the attempt earned...
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(LearnerStats.xp_total)) == 20  # ...and it was paid once


@pytest.fixture
def postgres_app(app_config, postgres_url) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from cxtrain.web import create_app

    migrate.upgrade(postgres_url)
    app = create_app({**app_config, "DATABASE_URL": postgres_url})
    yield app
    app.extensions["cxtrain.engine"].dispose()


@pytest.mark.postgres
def test_racing_finishes_on_postgres(postgres_app):
    app = postgres_app
    add_user(app, "racer@example.org")
    auth = token_for(app.test_client(), "racer@example.org")
    _check(app, _race(app, auth))
