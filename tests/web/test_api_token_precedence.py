"""A bearer token sent to the API is the request's only credential, even beside a session cookie."""

from __future__ import annotations

from webhelpers import MODULE, add_user, csrf_from, login, token_for


def _other(app, client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    add_user(app, "other@example.org")
    return token_for(client, "other@example.org")


def test_the_token_wins_over_the_cookie_of_someone_else(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    other = _other(app, client)
    login(client, learner)
    assert client.get("/api/me").get_json()["email"] == learner  # the cookie alone
    assert client.get("/api/me", headers=other).get_json()["email"] == "other@example.org"

    # On the play step's own path too: the token's owner plays their attempt, the cookie's can't.
    started = client.post("/api/attempts", json={"module": MODULE}, headers=other)
    assert started.status_code == 201  # no CSRF header needed: the cookie played no part
    attempt = started.get_json()
    url = f"/api/attempts/{attempt['id']}/choices"
    step = client.post(url, json={"node": "counter", "choice": "listen"}, headers=other)
    assert step.status_code == 200 and step.get_json()["step"] == 1
    csrf = {"X-CSRFToken": csrf_from(client.get(f"/modules/{MODULE}").get_data(as_text=True))}
    mine = client.post(url, json={"node": "follow-up", "choice": "call"}, headers=csrf)  # the cookie's account
    assert mine.status_code == 404 and mine.get_json()["error"] == "unknown-attempt"


def test_a_bad_token_is_refused_even_with_a_good_cookie(app, client, learner):
    other = _other(app, client)
    token_id = client.get("/api/tokens", headers=other).get_json()[0]["id"]
    assert client.delete(f"/api/tokens/{token_id}", headers=other).status_code == 204
    login(client, learner)
    for headers in (other, {"Authorization": "Bearer not-a-token"}):
        response = client.get("/api/me", headers=headers)
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
        refused = client.post("/api/attempts/1/choices", json={"node": "counter", "choice": "listen"}, headers=headers)
        assert refused.status_code == 401
    # The API left the cookie alone: the pages and the cookie's own API calls still work.
    assert client.get("/api/me").get_json()["email"] == learner
    assert client.get("/modules").status_code == 200


def test_a_token_request_neither_reads_nor_sets_the_session_cookie(app, client, learner):
    other = _other(app, client)
    login(client, learner)
    response = client.get("/api/me", headers=other)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_token_opens_the_api_only_not_the_pages(app, client):
    admin = "admin@example.org"
    add_user(app, admin, role="admin", job_role=None)
    token = token_for(client, admin)
    assert client.get("/api/me", headers=token).get_json()["email"] == admin
    for page in ("/admin/users", "/modules", "/trainer/modules", "/team.csv"):
        response = client.get(page, headers=token)
        assert response.status_code == 302 and "/login" in response.headers["Location"], page
