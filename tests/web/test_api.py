"""The JSON API over HTTP with the test client: the contract and every bad input."""

from __future__ import annotations

import pytest
from webhelpers import MODULE, add_user, save_hidden_choice_module, token_for


def start(client, auth) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/api/attempts", json={"module": MODULE}, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_play_to_the_end(client, auth):
    attempt = start(client, auth)
    assert attempt["node"]["id"] == "counter"
    assert {c["id"] for c in attempt["node"]["choices"]} == {"listen", "shrug"}
    assert attempt["meters"] == {"customer": 50, "employee": 50}
    assert attempt["finished"] is False
    url = f"/api/attempts/{attempt['id']}/choices"
    first = client.post(url, json={"node": "counter", "choice": "shrug"}, headers=auth).get_json()
    assert first["feedback"] == "She leaves angry."
    assert first["ripples"] == []
    assert first["node"]["id"] == "follow-up"
    last = client.post(url, json={"node": "follow-up", "choice": "call"}, headers=auth).get_json()
    assert last["finished"] is True
    assert last["ending"]["id"] == "happy"
    assert last["passed"] is False and 0 <= last["score"] < 1
    assert last["xp"] == round(20 * last["score"]) > 0  # 2 minutes = 20 XP, paid by score
    assert last["missed"][0]["best"] == "listen"
    again = client.get(f"/api/attempts/{attempt['id']}", headers=auth).get_json()
    assert again["finished"] is True and again["score"] == last["score"] and again["xp"] == last["xp"]


def test_a_step_answer_out_of_schema_form_is_caught_under_test(client, auth, monkeypatch, caplog):
    # The middle of an attempt skips the schema dump at run time; under test each answer is checked.
    from cxtrain.web import service

    attempt = start(client, auth)
    build = service._payload
    monkeypatch.setattr(service, "_payload", lambda *a: {**build(*a), "meters": {"customer": "50"}})
    url = f"/api/attempts/{attempt['id']}/choices"
    response = client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    assert response.status_code == 500
    assert "not in AttemptSchema form" in caplog.text


def test_modules_and_me(client, auth):
    modules = client.get("/api/modules", headers=auth).get_json()
    ours = next(m for m in modules if m["id"] == MODULE)
    assert set(ours) >= {"id", "title", "role", "summary", "minutes"}
    me = client.get("/api/me", headers=auth).get_json()
    assert me["email"] == "learner@example.org"
    assert me["job_role"] == "frontline-associate"
    assert set(me) >= {"xp", "level", "badges", "streak"}


def test_stale_node_gives_409_with_current_state(client, auth):
    attempt = start(client, auth)
    url = f"/api/attempts/{attempt['id']}/choices"
    assert client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth).status_code == 200
    again = client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    assert again.status_code == 409
    body = again.get_json()
    assert body["error"] == "stale-node"
    assert body["attempt"]["node"]["id"] == "follow-up"
    assert body["attempt"]["step"] == 1


def test_choice_after_the_end_is_409(client, auth):
    attempt = start(client, auth)
    url = f"/api/attempts/{attempt['id']}/choices"
    client.post(url, json={"node": "counter", "choice": "listen"}, headers=auth)
    client.post(url, json={"node": "follow-up", "choice": "wait"}, headers=auth)
    response = client.post(url, json={"node": "sad", "choice": "wait"}, headers=auth)
    assert response.status_code == 409
    assert response.get_json()["error"] == "attempt-finished"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid-json"),
        (b"[1, 2]", 400, "invalid-json"),
        (b'{"node": 3, "choice": "listen"}', 400, "invalid-fields"),
        (b'{"node": "counter"}', 400, "invalid-fields"),
        (b'{"node": "counter", "choice": "listen", "extra": 1}', 400, "invalid-fields"),
        (b'{"node": "counter", "choice": "fly"}', 400, "choice-unavailable"),
        (b'{"node": "elsewhere", "choice": "listen"}', 409, "stale-node"),
    ],
)
def test_bad_choice_requests(client, auth, body, status, code):
    attempt = start(client, auth)
    response = client.post(
        f"/api/attempts/{attempt['id']}/choices", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == status
    data = response.get_json()
    assert data["error"] == code
    assert isinstance(data["message"], str) and isinstance(data["fields"], dict)


def test_hidden_choice_is_400(client, app, auth, tmp_path):
    # A choice whose `when` is false right now is refused like an unknown one.
    save_hidden_choice_module(app)
    attempt = client.post("/api/attempts", json={"module": "hidden-choice"}, headers=auth).get_json()
    assert [c["id"] for c in attempt["node"]["choices"]] == ["open"]
    response = client.post(
        f"/api/attempts/{attempt['id']}/choices", json={"node": "a", "choice": "secret"}, headers=auth
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "choice-unavailable"


def test_unknown_module_is_404(client, auth):
    response = client.post("/api/attempts", json={"module": "no-such-module"}, headers=auth)
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown-module"


def test_wrong_types_when_starting(client, auth):
    response = client.post("/api/attempts", json={"module": ["x"]}, headers=auth)
    assert response.status_code == 400
    assert "module" in response.get_json()["fields"]


def test_foreign_attempt_is_404(client, app, auth):
    attempt = start(client, auth)
    add_user(app, "other@example.org")
    other = token_for(client, "other@example.org")
    assert client.get(f"/api/attempts/{attempt['id']}", headers=other).status_code == 404
    response = client.post(
        f"/api/attempts/{attempt['id']}/choices", json={"node": "counter", "choice": "listen"}, headers=other
    )
    assert response.status_code == 404
    assert response.get_json()["error"] == "unknown-attempt"
    assert client.get("/api/attempts/999999", headers=auth).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/modules"), ("post", "/api/attempts"), ("get", "/api/attempts/1"), ("get", "/api/me")],
)
def test_no_credentials_is_401(client, method, path):
    response = getattr(client, method)(path, json={"module": MODULE})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_bad_token_is_401(client):
    response = client.get("/api/modules", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_token_login_errors(client, learner):
    assert client.post("/api/tokens", json={"email": learner, "password": "wrong"}).status_code == 401
    assert client.post("/api/tokens", data=b"x", content_type="application/json").status_code == 400
    assert client.post("/api/tokens", json={"email": learner}).get_json()["fields"] == {
        "password": ["Missing data for required field."]
    }


def test_tokens_list_and_revoke(client, auth):
    tokens = client.get("/api/tokens", headers=auth).get_json()
    assert len(tokens) == 1 and "token" not in tokens[0]
    assert client.delete(f"/api/tokens/{tokens[0]['id']}", headers=auth).status_code == 204
    assert client.get("/api/tokens", headers=auth).status_code == 401


def test_only_the_token_hash_is_stored(client, app, learner):
    from sqlalchemy import select

    from cxtrain.store.models import ApiToken

    token = client.post("/api/tokens", json={"email": learner, "password": "correct horse battery"}).get_json()["token"]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored = db.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64


def test_unknown_route_and_method_are_json(client, auth):
    assert client.get("/api/nothing", headers=auth).get_json()["error"] == "not-found"
    response = client.put("/api/modules", headers=auth)
    assert response.status_code == 405
    assert response.get_json()["error"] == "method-not-allowed"


def test_too_large_is_413_json(client, app, auth):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(
        "/api/attempts", data=b"{" + b" " * 500 + b"}", headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "too-large"


def test_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/attempts/{attempt_id}/choices" in spec["paths"]
    assert "AttemptSchema" in spec["components"]["schemas"]
    assert "409" in spec["paths"]["/api/attempts/{attempt_id}/choices"]["post"]["responses"]


@pytest.mark.parametrize("path", ["/api/attempts/99999999999999999999999999", "/api/attempts/0"])
def test_out_of_range_ids_are_404_not_500(client, auth, path):
    # found by fuzzing the OpenAPI document with schemathesis
    response = client.get(path, headers=auth)
    assert response.status_code == 404 and response.get_json()["error"] == "not-found"
    posted = client.post(path + "/choices", json={"node": "a", "choice": "b"}, headers=auth)
    assert posted.status_code == 404


def test_dates_carry_a_utc_offset(client, auth):
    [token] = client.get("/api/tokens", headers=auth).get_json()
    assert token["created_at"].endswith("+00:00")


def test_openapi_marks_bodies_required_and_bounds_ids(client):
    spec = client.get("/api/openapi.json").get_json()
    post = spec["paths"]["/api/attempts/{attempt_id}/choices"]["post"]
    assert post["requestBody"]["required"] is True
    [param] = [p for p in post["parameters"] if p["name"] == "attempt_id"]
    assert param["schema"]["maximum"] == 2**63 - 1
