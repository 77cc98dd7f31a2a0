"""A learner's own data (the GDPR's right of access): the profile's "Download my data", GET /api/me/export
and `cxtrain users export`; everything stored about them, nothing of anyone else's, nothing secret."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import jsonschema
import pytest
from gamifyhelpers import Clock, play
from sqlalchemy import event, select
from webhelpers import PASSWORD, add_finished_attempts, add_user, login, token_for

from cxtrain.cli import main
from cxtrain.store.models import ApiToken, Attempt, User

OTHER = "other@example.org"


@pytest.fixture
def clock(app) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    app.config["CLOCK"] = clock
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    return clock


@pytest.fixture
def played(app, client, learner, clock):  # type: ignore[no-untyped-def]
    """The learner (in team North, named) played twice, earned XP and badges, answered a practice
    question and has a named token; another learner played too. Returns (learner's auth, other's auth)."""
    from cxtrain.cli import main as cli

    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["users", "edit", learner, "--team", "North", "--name", "Lee Learner"]).exit_code == 0
    add_user(app, OTHER)
    auth, other = token_for(client, learner), token_for(client, OTHER)
    client.post("/api/tokens", json={"email": learner, "password": PASSWORD, "name": "my phone"})
    play(client, auth, ("shrug", "call"))
    play(client, auth)
    play(client, other)
    clock.advance(days=1)
    [question] = client.get("/api/practice", headers=auth).get_json()["items"]
    answered = client.post(f"/api/practice/{question['id']}", json={"choice": "listen"}, headers=auth)
    assert answered.status_code == 200
    return auth, other


def _ids(app, email: str) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        uid = db.scalar(select(User.id).where(User.email == email))
        return uid, list(db.scalars(select(Attempt.id).where(Attempt.user_id == uid)))


def test_the_profile_link_downloads_everything_stored_about_the_learner(app, client, learner, played):
    login(client, learner)
    profile = client.get("/profile").get_data(as_text=True)
    assert '<a href="/profile/my-data.json" download>Download my data</a>' in profile
    response = client.get("/profile/my-data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="cxtrain-my-data-') and disposition.endswith('.json"')
    data = json.loads(response.get_data(as_text=True))

    assert data["format"] == "cxtrain-personal-data/1"
    assert datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    account = data["account"]
    assert {k: account[k] for k in ("email", "name", "job_role", "team", "role", "timezone", "active")} == {
        "email": learner,
        "name": "Lee Learner",
        "job_role": "frontline-associate",
        "team": "North",
        "role": "learner",
        "timezone": "UTC",
        "active": True,
    }
    assert account["created_at"].endswith("+00:00")

    uid, attempt_ids = _ids(app, learner)
    assert [a["id"] for a in data["attempts"]] == attempt_ids and len(attempt_ids) == 2
    weak, best = data["attempts"]
    path = [(s["step"], s["node"], s["choice"]) for s in weak["path"]]
    assert path == [(1, "counter", "shrug"), (2, "follow-up", "call")]
    assert (weak["module"], weak["passed"], best["score"], best["passed"]) == ("web-fixture", False, 1.0, True)
    assert all(a["version"] and a["started_at"] and a["finished_at"] for a in data["attempts"])

    assert sum(e["amount"] for e in data["xp"]) == data["progress"]["xp"] > 20  # two finishes and a practice answer
    assert [e["reason"] for e in data["xp"]] == ["finish", "finish", "practice"]
    assert sum(w["xp"] for w in data["weekly_xp"]) == data["progress"]["xp"]
    badges = {b["id"]: b for b in data["badges"]}
    assert {"first-pass", "perfect-play"} <= set(badges)
    assert badges["first-pass"]["title"] == "First pass" and badges["first-pass"]["attempt_id"] == best["id"]
    assert badges["first-pass"]["awarded_at"] and badges["first-pass"]["assertion"].startswith("/badges/assertions/")
    me = client.get("/api/me", headers=played[0]).get_json()
    assert data["progress"] == {
        k: me[k] for k in ("xp", "level", "level_name", "streak", "longest_streak", "active_today")
    }
    assert data["progress"]["streak"] >= 1 and data["account"]["leaderboard"] == me["leaderboard"]
    [item] = data["practice"]["items"]
    assert (item["node"], item["chosen"], item["best"], item["correct_count"]) == ("counter", "shrug", "listen", 1)
    [answer] = data["practice"]["answers"]
    assert (answer["node"], answer["choice"], answer["correct"]) == ("counter", "listen", True)
    assert sorted(t["name"] for t in data["api_tokens"]) == ["", "my phone"]
    assert all(set(t) == {"id", "name", "created_at"} for t in data["api_tokens"])
    assert data["module_uploads"] == []

    # Nothing secret, nothing of the other learner's.
    body = response.get_data(as_text=True)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = db.get(User, uid)
        secrets = [user.password_hash, *db.scalars(select(ApiToken.token_hash))]
    assert not [s for s in secrets if s in body]
    assert "salt" not in body and OTHER not in body
    _, other_attempts = _ids(app, OTHER)
    assert not set(other_attempts) & {a["id"] for a in data["attempts"]}


def test_the_api_gives_the_same_data_as_documented(app, client, learner, played):
    auth, other = played
    response = client.get("/api/me/export", headers=auth)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    login(client, learner)
    page = json.loads(client.get("/profile/my-data.json").get_data(as_text=True))
    # Logging in to download the page's copy is a login, which that copy records, with its session.
    assert page["account"]["last_login_at"] > data["account"]["last_login_at"]
    assert data["sessions"] == [] and len(page["sessions"]) == 1

    def same(export: dict) -> dict:  # type: ignore[type-arg]
        account = {**export["account"], "last_login_at": None}
        return {**export, "exported_at": None, "account": account, "sessions": None}

    assert same(data) == same(page)

    theirs = app.test_client().get("/api/me/export", headers=other).get_json()
    assert theirs["account"]["email"] == OTHER and len(theirs["attempts"]) == 1
    assert learner not in json.dumps(theirs)

    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/me/export"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ExportSchema"
    }
    _validate(spec, "ExportSchema", data)


def _strict(node: object) -> object:
    """The OpenAPI 3.0 schemas as JSON Schema: 'nullable' as a null type, and no undocumented field."""
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _strict(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and "type" in node:
        out["type"] = [node["type"], "null"]
    if node.get("type") == "object" and "properties" in node:
        out["additionalProperties"] = False
    return out


def _validate(spec: dict, name: str, data: object) -> None:  # type: ignore[type-arg]
    components = _strict(spec["components"])
    schema = {**components["schemas"][name], "components": components}  # type: ignore[index]
    jsonschema.validate(data, schema)


def test_without_login_there_is_nothing_to_download(client, learner):
    response = client.get("/api/me/export")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    page = client.get("/profile/my-data.json")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    bad = client.get("/api/me/export", headers={"Authorization": "Bearer cxt_not-a-token"})
    assert bad.status_code == 401


def test_an_admin_exports_a_closed_account_from_the_command_line(app, runner, learner, played):
    assert runner.invoke(main, ["users", "close", learner]).exit_code == 0
    result = runner.invoke(main, ["users", "export", learner.upper()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["account"]["active"] is False and data["account"]["team_when_closed"] == "North"
    assert len(data["attempts"]) == 2 and OTHER not in result.output
    nobody = runner.invoke(main, ["users", "export", "nobody@example.org"])
    assert nobody.exit_code == 1 and "No account for nobody@example.org" in nobody.output


def _timed_export(app, client, auth) -> tuple[int, float, dict]:  # type: ignore[no-untyped-def,type-arg]
    """(SQL statements, seconds, document) of one GET /api/me/export."""
    statements: list[str] = []
    engine = app.extensions["cxtrain.engine"]

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        response = client.get("/api/me/export", headers=auth)
        elapsed = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), elapsed, response.get_json()


def test_thousands_of_attempts_take_no_query_each_and_stay_fast(app, client, learner, auth):
    small_queries, _, _ = _timed_export(app, client, auth)
    add_finished_attempts(app, _ids(app, learner)[0], 3000)
    queries, seconds, data = _timed_export(app, client, auth)
    print(f"export of 3000 attempts / 24000 choices: {queries} SQL statements, {seconds:.2f} s")
    assert len(data["attempts"]) == 3000 and all(len(a["path"]) == 8 for a in data["attempts"])
    assert queries == small_queries  # the same statements for 0 and 3000 attempts
    assert seconds < 10  # 0.5 to 1 s on a 2-core machine (more under test); the bound only catches a query per attempt
