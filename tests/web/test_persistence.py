"""Persistence that loses nothing: unique steps, pinned versions, state rebuilt from events."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from webhelpers import MODULE, race_clicks

from cxtrain.scenario import content_version, load_module
from cxtrain.store import attempts as store
from cxtrain.store import modules as stored
from cxtrain.store import play_step
from cxtrain.store.models import Attempt, ChoiceEvent


def _start(client, auth) -> dict:  # type: ignore[no-untyped-def]
    return client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()


def test_second_insert_of_a_step_violates_the_constraint(app, client, auth):
    attempt = _start(client, auth)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        owner = db.get(Attempt, attempt["id"]).user_id
        before = play_step.read_for_user(play_step.connection(db), attempt["id"], owner)
        module = app.extensions["cxtrain.catalog"].pinned(db, before.module_id, before.module_version)
        play_step.record_choice(db, play_step.connection(db), before, module, "counter", "listen")
        # A second request that read the attempt before the first committed computes step 1 again.
        with pytest.raises(play_step.StepTaken):
            play_step.record_choice(db, play_step.connection(db), before, module, "counter", "shrug")
        events = db.scalars(select(ChoiceEvent).where(ChoiceEvent.attempt_id == attempt["id"])).all()
    assert [(e.step, e.choice) for e in events] == [(1, "listen")]


def test_concurrent_double_click_records_one_step(app, client, auth):
    attempt = _start(client, auth)
    url = f"/api/attempts/{attempt['id']}/choices"
    statuses = race_clicks(app, url, {"node": "counter", "choice": "listen"}, auth, racers=4)
    assert statuses == [200, 409, 409, 409]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        steps = db.scalars(select(ChoiceEvent.step).where(ChoiceEvent.attempt_id == attempt["id"])).all()
    assert steps == [1]


def test_state_rebuilt_from_events_matches_cache(app, client, auth):
    attempt = _start(client, auth)
    url = f"/api/attempts/{attempt['id']}/choices"
    client.post(url, json={"node": "counter", "choice": "shrug"}, headers=auth)
    client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        row = db.get(Attempt, attempt["id"])
        module = app.extensions["cxtrain.catalog"].pinned(db, row.module_id, row.module_version)
        assert store.rebuild_state(db, row, module) == store.state_of(row)
        assert row.finished_at is not None and row.passed is False


def test_attempt_stays_pinned_to_its_version(app, client, auth):
    attempt = _start(client, auth)
    pinned = attempt["version"]
    path = app.extensions["cxtrain.catalog"].library.paths[MODULE]
    with open(path, encoding="utf-8") as handle:
        new_text = handle.read().replace("She is delighted.", "She is over the moon.")
    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored.save_version(db, MODULE, content_version(new_text), new_text)
    fresh = _start(client, auth)
    assert fresh["version"] == content_version(new_text) != pinned
    url = f"/api/attempts/{attempt['id']}/choices"
    client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    old = client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth).get_json()
    assert old["version"] == pinned and old["feedback"] == "She is delighted."
    url = f"/api/attempts/{fresh['id']}/choices"
    client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    new = client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth).get_json()
    assert new["feedback"] == "She is over the moon."


def test_library_text_is_kept_when_an_attempt_starts(app, client, auth):
    attempt = _start(client, auth)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        row = stored.find_version(db, MODULE, attempt["version"], stored.LIBRARY)
        assert row is not None
        assert load_module(row.yaml_text).version == attempt["version"]


def test_best_finished_attempt_counts(app, client, auth):
    for first, second in (("listen", "call"), ("shrug", "wait")):
        a = _start(client, auth)
        url = f"/api/attempts/{a['id']}/choices"
        client.post(url, json={"node": "counter", "choice": first}, headers=auth)
        client.post(url, json={"node": "follow-up", "choice": second}, headers=auth)
    _start(client, auth)  # unfinished
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user_id = db.scalars(select(Attempt.user_id)).first()
        attempts = store.user_attempts(db, user_id)
        assert len(attempts) == 3
        best = store.best_attempts(attempts)[MODULE]
        assert best.passed and best.score == 1.0
        assert store.unfinished(attempts)[MODULE].finished_at is None
