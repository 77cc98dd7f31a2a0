"""The PostgreSQL path, for real: a fresh database per test run, dropped afterwards.

Skipped when CXTRAIN_TEST_POSTGRES_URL is unset, unless CXTRAIN_REQUIRE_POSTGRES=1 (CI), then it fails.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from webhelpers import MODULE, race_clicks, race_starts, token_for

from cxtrain.store import migrate, normalise_url
from cxtrain.store.models import Attempt, ChoiceEvent

pytestmark = [pytest.mark.postgres, pytest.mark.app_on_postgres]


def test_migrations_and_play_on_postgres(app, client, learner):
    assert app.config["DATABASE_URL"].startswith("postgresql+psycopg://")
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(migrate.alembic_config(app.config["DATABASE_URL"])).get_current_head()
    assert migrate.current(app.extensions["cxtrain.engine"]) == head
    auth = token_for(client, learner)
    attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    url = f"/api/attempts/{attempt['id']}/choices"
    assert client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth).status_code == 200
    stale = client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    assert stale.status_code == 409 and stale.get_json()["attempt"]["node"]["id"] == "follow-up"
    last = client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth).get_json()
    assert last["passed"] is True


def test_concurrent_clicks_on_postgres(app, client, learner):
    auth = token_for(client, learner)
    attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    url = f"/api/attempts/{attempt['id']}/choices"
    statuses = race_clicks(app, url, {"node": "counter", "choice": "shrug"}, auth, racers=6)
    assert statuses == [200] + [409] * 5
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalars(select(ChoiceEvent.step).where(ChoiceEvent.attempt_id == attempt["id"])).all() == [1]


def test_starts_racing_from_one_page_make_one_attempt_on_postgres(app, learner):
    places = race_starts(app, learner, racers=6)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        [attempt_id] = db.scalars(select(Attempt.id)).all()
    assert places == [f"/attempts/{attempt_id}"] * 6


def test_plain_postgresql_url_is_rewritten_to_psycopg():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
