"""On PostgreSQL a play step is two statements in autocommit: the read, and one WITH ... INSERT ...
UPDATE that writes the event and the state together or not at all."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select
from webhelpers import MODULE, csrf_from, login, token_for

from cxtrain.store.models import Attempt, ChoiceEvent

pytestmark = [pytest.mark.postgres, pytest.mark.app_on_postgres]


@pytest.fixture
def statements(app):  # type: ignore[no-untyped-def]
    """(first word, in autocommit?) of each statement the app sends while the test runs."""
    seen: list[tuple[str, bool]] = []
    engine = app.extensions["cxtrain.engine"]

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append((statement.split()[0], cursor.connection.autocommit))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def stored(app, attempt_id: int) -> tuple[list[tuple[int, str]], Attempt]:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        events = db.execute(
            select(ChoiceEvent.step, ChoiceEvent.choice).where(ChoiceEvent.attempt_id == attempt_id)
        ).all()
        return [tuple(e) for e in events], db.get(Attempt, attempt_id)


def test_an_api_step_is_a_read_and_one_write_in_autocommit(app, client, learner, statements):
    auth = token_for(client, learner)
    attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    statements.clear()
    url = f"/api/attempts/{attempt['id']}/choices"
    response = client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert statements == [("SELECT", True), ("WITH", True)]
    events, row = stored(app, attempt["id"])
    assert events == [(1, "listen")]
    assert row.state_json and row.finished_at is None

    statements.clear()
    last = client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth).get_json()
    assert last["finished"] is True and last["passed"] is True
    assert statements[:2] == [("SELECT", True), ("WITH", True)]  # then the ending's rewards, in a transaction
    assert all(not autocommit for _, autocommit in statements[2:])
    events, row = stored(app, attempt["id"])
    assert events == [(1, "listen"), (2, "call")]
    assert row.finished_at is not None and row.passed is True and row.score == last["score"]


def test_a_lost_race_writes_neither_the_event_nor_the_state(app, client, learner):
    auth = token_for(client, learner)
    attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    # Someone else recorded step 1 after this request read the attempt: the insert fails on
    # UNIQUE(attempt_id, step), and the update in the same statement must not happen either.
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.add(ChoiceEvent(attempt_id=attempt["id"], step=1, node="counter", choice="shrug"))
        db.commit()
    _, before = stored(app, attempt["id"])
    response = client.post(
        f"/api/attempts/{attempt['id']}/choices", json={"node": "counter", "choice": "listen"}, headers=auth
    )
    assert response.status_code == 409
    assert response.get_json()["error"] == "stale-node"
    events, after = stored(app, attempt["id"])
    assert events == [(1, "shrug")]
    assert after.state_json == before.state_json


def test_a_page_step_on_postgres(app, client, learner, statements):
    login(client, learner)
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    attempt_url = client.post(f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)}).headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    statements.clear()
    response = client.post(action, data={"csrf_token": csrf_from(page), "node": "counter", "choice": "listen"})
    assert response.status_code == 302
    # The logged-in account is read in a transaction, which ends before the step's two statements.
    assert statements[0] == ("SELECT", False)
    assert statements[-2:] == [("SELECT", True), ("WITH", True)]
    assert stored(app, int(attempt_url.rstrip("/").rsplit("/", 1)[1]))[0] == [(1, "listen")]
    assert "The next morning" in client.get(attempt_url).get_data(as_text=True)
