"""The API's play step authenticates a token-only request in the query that reads the attempt.

That shortcut must refuse exactly what the ordinary way refuses, and with the same answer:
each case here is a request the shortcut's query does not match, so the ordinary way decides.
"""

from __future__ import annotations

from sqlalchemy import event, func, select
from webhelpers import MODULE, add_user, login, token_for

from cxtrain.store.models import ChoiceEvent

STEP = {"node": "counter", "choice": "listen"}


def start(client, headers) -> int:  # type: ignore[no-untyped-def]
    response = client.post("/api/attempts", json={"module": MODULE}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def recorded(app, attempt_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return db.scalar(select(func.count()).select_from(ChoiceEvent).where(ChoiceEvent.attempt_id == attempt_id))


def test_a_step_is_one_read_and_two_writes(app, client, auth):
    attempt = start(client, auth)
    statements: list[str] = []
    engine = app.extensions["cxtrain.engine"]

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()[:3]))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.post(f"/api/attempts/{attempt}/choices", json=STEP, headers=auth)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200, response.get_json()
    # The token, the account and the attempt in one SELECT; no separate load of the user.
    assert [s.split()[0] for s in statements] == ["SELECT", "INSERT", "UPDATE"], statements
    assert recorded(app, attempt) == 1


def test_a_revoked_token_is_401_and_records_nothing(app, client, auth):
    attempt = start(client, auth)
    token_id = client.get("/api/tokens", headers=auth).get_json()[0]["id"]
    assert client.delete(f"/api/tokens/{token_id}", headers=auth).status_code == 204
    response = client.post(f"/api/attempts/{attempt}/choices", json=STEP, headers=auth)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert recorded(app, attempt) == 0


def test_the_token_of_a_closed_account_is_401(app, client, runner, learner, auth):
    from cxtrain.cli import main

    attempt = start(client, auth)
    assert runner.invoke(main, ["users", "close", learner]).exit_code == 0
    response = client.post(f"/api/attempts/{attempt}/choices", json=STEP, headers=auth)
    assert response.status_code == 401
    assert recorded(app, attempt) == 0


def test_credentials_are_checked_before_the_body(client):
    response = client.post("/api/attempts/1/choices", data=b"{", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert client.post("/api/attempts/1/choices", data=b"{").status_code == 401


def test_a_token_cannot_play_someone_elses_attempt(app, client, auth):
    attempt = start(client, auth)
    add_user(app, "other@example.org")
    other = token_for(client, "other@example.org")
    response = client.post(f"/api/attempts/{attempt}/choices", json=STEP, headers=other)
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown-attempt"
    assert recorded(app, attempt) == 0


def test_with_a_token_the_token_decides_and_with_the_cookie_alone_csrf_is_checked(app, client, learner, auth):
    # A page's request carries only the cookie, which a browser sends on its own: it needs the CSRF
    # header. A token is never sent on its own (no page of another site can add the header), so a
    # request that has one is that token's, whatever cookie comes with it (TokenFirstSessionInterface).
    attempt = start(client, auth)
    browser = app.test_client()
    login(browser, learner)
    response = browser.post(f"/api/attempts/{attempt}/choices", json=STEP)
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf-failed"
    assert recorded(app, attempt) == 0
    response = browser.post(f"/api/attempts/{attempt}/choices", json=STEP, headers=auth)
    assert response.status_code == 200 and recorded(app, attempt) == 1
