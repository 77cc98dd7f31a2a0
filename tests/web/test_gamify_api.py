"""Issue 6 over HTTP: XP once per improvement, levels, badges, /api/me, practice, Open Badges."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from gamifyhelpers import Clock, play
from webhelpers import add_user, csrf_from, login, token_for


@pytest.fixture
def clock(app) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    app.config["CLOCK"] = clock
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    return clock


def test_xp_is_paid_once_per_improvement(client, auth, clock):
    weak = play(client, auth, ("shrug", "call"))  # 20 XP module, score below 1
    assert 0 < weak["xp"] < 20 and weak["passed"] is False
    assert weak["badges"] == [] and weak["level_up"] is None
    same = play(client, auth, ("shrug", "call"))
    assert same["xp"] == 0
    best = play(client, auth)
    assert best["score"] == 1.0 and best["xp"] == 20 - weak["xp"]
    assert {b["id"] for b in best["badges"]} >= {"first-pass", "perfect-play"}
    again = play(client, auth)
    assert again["xp"] == 0 and again["badges"] == []  # badges are announced once
    me = client.get("/api/me", headers=auth).get_json()
    assert me["xp"] == 20 and me["level"] == 1 and me["level_name"] == "Listener"
    assert {b["id"] for b in me["badges"]} >= {"first-pass", "perfect-play"}
    # A reload of the ending shows what that attempt earned, not what the next one did.
    reloaded = client.get(f"/api/attempts/{best['id']}", headers=auth).get_json()
    assert reloaded["xp"] == best["xp"] and [b["id"] for b in reloaded["badges"]] == [b["id"] for b in best["badges"]]


def test_a_first_finish_that_earns_nothing_is_not_called_a_replay(client, auth, learner, clock):
    first = play(client, auth, ("shrug", "wait"))  # the worst path: score 0
    assert first["score"] == 0 and first["xp"] == 0
    login(client, learner)
    page = client.get(f"/attempts/{first['id']}").get_data(as_text=True)
    assert "No new XP this time: XP follows your best score on this module" in page and "replay" not in page


def test_level_up_is_announced(app, client, auth, clock):
    app.config["LEVEL_CURVE"] = [{"name": "Listener", "xp": 0}, {"name": "Helper", "xp": 15}]
    app.extensions.pop("cxtrain.levels", None)
    result = play(client, auth)
    assert result["level_up"] == {"number": 2, "name": "Helper"}
    page = client.get(f"/attempts/{result['id']}")  # bearer auth does not log in the test client
    assert page.status_code in (302, 401)


def test_patch_me_validates(client, auth):
    ok = client.patch("/api/me", json={"name": "Ada", "leaderboard": "named", "timezone": "Europe/Paris"}, headers=auth)
    assert ok.status_code == 200
    body = ok.get_json()
    assert (body["name"], body["leaderboard"], body["timezone"]) == ("Ada", "named", "Europe/Paris")
    for bad, field in [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"leaderboard": "public"}, "leaderboard"),
        ({"name": "ada@example.org"}, "name"),
        ({"name": "ada＠example.org"}, "name"),
        ({"name": "Ada\nceo@example.org"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"colour": "red"}, "colour"),
    ]:
        response = client.patch("/api/me", json=bad, headers=auth)
        assert response.status_code == 400, bad
        assert response.get_json()["error"] == "invalid-fields" and field in response.get_json()["fields"]
    assert client.patch("/api/me", data="nope", headers=auth).status_code == 400
    assert client.get("/api/me", headers=auth).get_json()["timezone"] == "Europe/Paris"


def test_new_learners_start_anonymous(client, auth):
    me = client.get("/api/me", headers=auth).get_json()
    assert me["leaderboard"] == "anonymous" and me["timezone"] == "UTC" and me["streak"] == 0


def test_practice_from_missed_decisions_with_a_clock(client, auth, clock):
    play(client, auth, ("shrug", "call"))  # 'shrug' was a miss: it comes back tomorrow
    assert client.get("/api/practice", headers=auth).get_json()["items"] == []
    clock.advance(days=1)
    practice = client.get("/api/practice", headers=auth).get_json()
    [item] = practice["items"]
    assert item["node"] == "counter" and {c["id"] for c in item["choices"]} == {"listen", "shrug"}
    assert "best" not in item  # the answer is not in the question
    assert practice["streak"] == 1  # yesterday's finish still counts this morning
    bad = client.post(f"/api/practice/{item['id']}", json={"choice": "nonsense"}, headers=auth)
    assert bad.status_code == 400
    right = client.post(f"/api/practice/{item['id']}", json={"choice": "listen"}, headers=auth).get_json()
    assert right["correct"] is True and right["xp"] == 2 and right["streak"] == 2
    assert right["next_due"].startswith((clock.now + timedelta(days=3)).date().isoformat())
    again = client.post(f"/api/practice/{item['id']}", json={"choice": "listen"}, headers=auth)
    assert again.status_code == 409 and again.get_json()["error"] == "not-due"  # no farming
    clock.advance(days=3)
    wrong = client.post(f"/api/practice/{item['id']}", json={"choice": "shrug"}, headers=auth).get_json()
    assert wrong["correct"] is False and wrong["xp"] == 0 and wrong["best"] == "listen"
    assert wrong["streak"] == 1  # a gap of days: a fresh start...
    me = client.get("/api/me", headers=auth).get_json()
    assert me["longest_streak"] == 2 and me["streak"] == 1  # ...and the longest kept
    assert client.post("/api/practice/999999", json={"choice": "x"}, headers=auth).status_code == 404


def _save_module_of_decisions(app, decisions: int) -> str:  # type: ignore[no-untyped-def]
    """Store a module of ``decisions`` steps in a row, each with a right and a wrong choice."""
    from cxtrain.scenario import content_version
    from cxtrain.store import modules as stored

    nodes = "".join(
        f"  d{i}:\n    title: Step {i}\n    text: Decision {i}.\n    customer_link: It reaches the customer.\n"
        f"    choices:\n"
        f"      - {{id: right, text: Help, effects: {{customer: 5}}, feedback: Good., next: {next_}}}\n"
        f"      - {{id: wrong, text: Ignore, effects: {{customer: -5}}, feedback: Bad., next: {next_}}}\n"
        for i, next_ in ((i, f"d{i + 1}" if i < decisions else "done") for i in range(1, decisions + 1))
    )
    text = (
        "id: many-steps\ntitle: Many steps\nrole: frontline-associate\nstart: d1\nnodes:\n"
        + nodes
        + "  done:\n    ending: {title: Done}\n    text: Over.\n"
    )
    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored.save_version(db, "many-steps", content_version(text), text)
        db.commit()
    return "many-steps"


def test_at_most_five_practice_questions_a_day_however_many_are_due(app, client, auth, learner, clock):
    module = _save_module_of_decisions(app, 7)
    attempt = client.post("/api/attempts", json={"module": module}, headers=auth).get_json()
    for i in range(1, 8):
        url = f"/api/attempts/{attempt['id']}/choices"
        assert client.post(url, json={"node": f"d{i}", "choice": "wrong"}, headers=auth).status_code == 200
    clock.advance(days=1)  # seven missed decisions are due
    practice = client.get("/api/practice", headers=auth).get_json()
    assert len(practice["items"]) == 5 and (practice["answered_today"], practice["daily_limit"]) == (0, 5)
    for answered, item in enumerate(practice["items"], start=1):
        assert client.post(f"/api/practice/{item['id']}", json={"choice": "right"}, headers=auth).status_code == 200
        left = client.get("/api/practice", headers=auth).get_json()
        assert left["answered_today"] == answered and len(left["items"]) == 5 - answered  # a reload offers no more
    due_ids = set(_due_item_ids(app)) - {item["id"] for item in practice["items"]}
    extra_id = sorted(due_ids)[0]  # still due, never offered: sending it anyway is refused
    refused = client.post(f"/api/practice/{extra_id}", json={"choice": "right"}, headers=auth)
    assert refused.status_code == 409 and refused.get_json()["error"] == "daily-limit"
    login(client, learner)
    page = client.get("/practice").get_data(as_text=True)
    assert "You have answered today&#39;s questions. The next ones come tomorrow." in page and "cx-practice" not in page
    clock.advance(days=1)  # the two left over come back the next day
    assert len(client.get("/api/practice", headers=auth).get_json()["items"]) == 2


def _due_item_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cxtrain.store.models import PracticeItemRow

    with app.extensions["cxtrain.sessionmaker"]() as db:
        return list(db.scalars(select(PracticeItemRow.id).where(PracticeItemRow.correct_count == 0)))


def test_practice_shows_the_module_s_markdown_rendered_as_on_the_play_page(client, auth, learner, clock):
    play(client, auth, ("shrug", "call"))
    clock.advance(days=1)
    [item] = client.get("/api/practice", headers=auth).get_json()["items"]
    assert item["text"].strip() == "A customer says her parcel **never arrived**."  # the source, for API clients
    assert item["html"].strip() == "<p>A customer says her parcel <strong>never arrived</strong>.</p>"
    login(client, learner)
    page = client.get("/practice").get_data(as_text=True)
    assert "<strong>never arrived</strong>" in page and "**" not in page
    form = {"csrf_token": csrf_from(page), "choice": "shrug"}
    result = client.post(f"/practice/{item['id']}", data=form).get_data(as_text=True)
    assert "Not quite." in result
    assert '<div class="cx-feedback-text"><p>She leaves angry.</p>' in result  # what the miss did
    assert '<div class="cx-feedback-text"><p>She calms down a little.</p>' in result  # and the best choice
    again = client.post(f"/practice/{item['id']}", data={**form, "choice": "listen"})  # Back, and a better try
    assert again.status_code == 409 and "already answered this question" in again.get_data(as_text=True)


def test_streak_follows_the_learners_time_zone(client, auth, clock):
    from datetime import UTC, datetime

    client.patch("/api/me", json={"timezone": "Pacific/Auckland"}, headers=auth)
    clock.now = datetime(2025, 3, 3, 10, 30, tzinfo=UTC)  # 23:30 in Auckland
    play(client, auth, ("shrug", "call"))
    clock.now = datetime(2025, 3, 3, 11, 30, tzinfo=UTC)  # 00:30 the next day in Auckland, same day in UTC
    [item] = client.get("/api/practice", headers=auth).get_json()["items"]  # due from Auckland's midnight
    result = client.post(f"/api/practice/{item['id']}", json={"choice": "listen"}, headers=auth).get_json()
    assert result["streak"] == 2  # two Auckland days, although one UTC day


def test_open_badges_documents(app, client, auth, clock):
    best = play(client, auth)
    badge = next(b for b in best["badges"] if b["id"] == "first-pass")
    token = badge["assertion"].rsplit("/", 1)[1].removesuffix(".json")
    assert len(token) >= 20
    public = app.test_client()  # a verifier is not logged in
    doc = public.get(badge["assertion"]).get_json()
    assert doc["type"] == "Assertion" and doc["verification"] == {"type": "hosted"}
    assert doc["id"].endswith(badge["assertion"]) and doc["badge"].endswith("/badges/first-pass.json")
    recipient = doc["recipient"]
    assert recipient["hashed"] is True and "learner@example.org" not in str(doc)
    expected = hashlib.sha256(("learner@example.org" + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == "sha256$" + expected
    badge_class = public.get("/badges/first-pass.json").get_json()
    assert badge_class["type"] == "BadgeClass" and badge_class["issuer"].endswith("/badges/issuer.json")
    assert public.get("/badges/issuer.json").get_json()["type"] == "Issuer"
    svg = public.get("/badges/first-pass.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert public.get("/badges/no-such-badge.json").status_code == 404
    assert public.get("/badges/assertions/guess.json").status_code == 404
    # Salts differ per assertion, so two awards cannot be linked by their hash.
    other = next(b for b in best["badges"] if b["id"] == "perfect-play")
    assert public.get(other["assertion"]).get_json()["recipient"]["salt"] != recipient["salt"]


def test_openapi_documents_the_gamification_routes(client):
    spec = client.get("/api/openapi.json").get_json()
    for path in ("/api/me", "/api/leaderboard", "/api/practice", "/api/practice/{item_id}"):
        assert path in spec["paths"], path
    assert "patch" in spec["paths"]["/api/me"]
    assert {"MeUpdateSchema", "LeaderboardSchema", "PracticeResultSchema"} <= set(spec["components"]["schemas"])


def test_me_needs_login(client):
    assert client.get("/api/me").status_code == 401


def test_other_users_do_not_see_my_badges(app, client, auth, clock):
    play(client, auth)
    add_user(app, "other@example.org")
    other = token_for(client, "other@example.org")
    assert client.get("/api/me", headers=other).get_json()["badges"] == []


def test_questions_whose_module_changed_leave_their_place_to_the_next(app, client, auth, learner):
    import json
    from datetime import UTC, datetime

    from mailhelpers import give_due_practice
    from sqlalchemy import select

    from cxtrain.store.models import PracticeItemRow, User

    long_ago = datetime(2025, 1, 1, tzinfo=UTC)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        uid = db.scalar(select(User.id).where(User.email == learner))
        for n in range(5):  # the most overdue, and all from decisions a trainer has since removed
            db.add(
                PracticeItemRow(
                    user_id=uid, module_id="web-fixture", node_id=f"removed-{n}", best="listen", chosen="shrug",
                    options_json=json.dumps(["listen", "shrug"]), due_at=long_ago,
                )
            )  # fmt: skip
        db.commit()
    give_due_practice(app, uid, 7, long_ago + timedelta(days=1))
    items = client.get("/api/practice", headers=auth).get_json()["items"]
    assert len(items) == 5  # the day's full share, not what was left of it
    assert not any(item["node"].startswith("removed-") for item in items)
