"""Helpers shared by the web tests (imported as a plain module: tests/ has no packages)."""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
MODULE = "web-fixture"
PASSWORD = "correct horse battery"

# A module with a choice whose `when` is false at the start: on offer to nobody, refused if sent.
HIDDEN_CHOICE_MODULE = """id: hidden-choice
title: Hidden
role: frontline-associate
start: a
nodes:
  a:
    title: First
    text: Start
    customer_link: x
    choices:
      - {id: open, text: Open, next: b}
      - {id: secret, text: Secret, when: customer > 90, next: b}
  b:
    ending: {title: End}
    text: Done
"""


def save_hidden_choice_module(app) -> str:  # type: ignore[no-untyped-def]
    """Store HIDDEN_CHOICE_MODULE as an upload; returns its id."""
    from cxtrain.scenario import content_version
    from cxtrain.store import modules as stored

    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored.save_version(db, "hidden-choice", content_version(HIDDEN_CHOICE_MODULE), HIDDEN_CHOICE_MODULE)
        db.commit()
    return "hidden-choice"


def add_user(app, email: str, role: str = "learner", job_role: str | None = "frontline-associate") -> int:  # type: ignore[no-untyped-def]
    from cxtrain.store import accounts

    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = accounts.create_user(db, email, PASSWORD, role, job_role)
        db.commit()
        return user.id


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_from(page)})


def change_password(client, new: str, current: str = PASSWORD):  # type: ignore[no-untyped-def]
    """The Password page, filled in and sent by a logged-in learner."""
    page = client.get("/password").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "current_password": current, "new_password": new, "confirm_password": new}
    return client.post("/password", data=form)


def token_for(client, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.post("/api/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def released_together(calls: list) -> list:  # type: ignore[type-arg]
    """Run each call in its own thread, all released at once (a double click, tabs racing);
    their results, in the order they finished."""
    import threading

    barrier, results = threading.Barrier(len(calls)), []

    def run(call) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        results.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def race_starts(app, email: str, racers: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Press Start on the test module's page in ``racers`` tabs at once (each its own client, logged
    in as ``email``, the page showing no attempt to resume); the attempt URLs they were sent to."""

    def tab():  # type: ignore[no-untyped-def]
        client = app.test_client()
        login(client, email)
        form = {"csrf_token": csrf_from(client.get(f"/modules/{MODULE}").get_data(as_text=True)), "resume": ""}

        def start() -> str:
            response = client.post(f"/modules/{MODULE}/attempts", data=form)
            return response.headers.get("Location", f"status {response.status_code}")

        return start

    return released_together([tab() for _ in range(racers)])


def race_clicks(app, url: str, body: dict, headers: dict, racers: int) -> list[int]:  # type: ignore[no-untyped-def,type-arg]
    """POST the same choice from ``racers`` threads released at once (a double click, two tabs)."""

    def tab():  # type: ignore[no-untyped-def]
        client = app.test_client()
        return lambda: client.post(url, json=body, headers=headers).status_code

    return sorted(released_together([tab() for _ in range(racers)]))


def serve_modules(tmp_path: Path, modules: dict[str, str]):  # type: ignore[no-untyped-def]
    """A real `cxtrain serve` whose library is ``modules`` (file name: YAML text) plus the bundled
    roles, with one frontline learner, learner@example.org; started (stop it when done)."""
    from liveserver import LiveServer

    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name, text in modules.items():
        (folder / name).write_text(text, encoding="utf-8")
    live = LiveServer(tmp_path / "instance", str(folder))
    assert live.cli("db", "upgrade").returncode == 0
    added = live.cli("users", "add", "learner@example.org", "--job-role", "frontline-associate", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    return live.start()


def browser_log_in_and_start(page, base_url: str, email: str = "learner@example.org", module: str = MODULE) -> None:  # type: ignore[no-untyped-def]
    """In a browser page: log in through the form, open the module (the test one) and start an attempt."""
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/modules")
    page.goto(f"{base_url}/modules/{module}")
    page.click('form[action$="/attempts"] button')
    page.wait_for_selector(".cx-choice")


def unsubscribe_path(instance, user_id: int, email: str) -> str:  # type: ignore[no-untyped-def]
    """The reminder emails' unsubscribe link for an account of a live server (signed with its instance's key)."""
    from itsdangerous import URLSafeTimedSerializer

    from cxtrain.web import unsubscribe

    secret = (instance / "secret_key").read_text().strip()
    token = URLSafeTimedSerializer(secret, salt=unsubscribe.SALT).dumps([user_id, unsubscribe._email_mark(email)])
    return "/reminders/unsubscribe/" + token


def add_finished_attempts(app, user_id: int, n: int, steps: int = 8) -> None:  # type: ignore[no-untyped-def]
    """``n`` finished attempts of ``steps`` choices each for one learner, written directly (playing
    them would take minutes): a long history for the personal-data tests and benchmark."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select

    from cxtrain.store.models import Attempt, ChoiceEvent

    if not n:
        return
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        rows = [
            {
                "user_id": user_id,
                "module_id": f"module-{i % 40}",
                "module_version": "v1",
                "started_at": start + timedelta(minutes=i),
                "finished_at": start + timedelta(minutes=i, seconds=50),
                "state_json": "{}",
                "score": (i % 10) / 10,
                "passed": i % 3 == 0,
            }
            for i in range(n)
        ]
        db.execute(insert(Attempt), rows)
        ids = list(db.scalars(select(Attempt.id).where(Attempt.user_id == user_id).order_by(Attempt.id)))
        events = [
            {"attempt_id": a, "step": s, "node": f"n{s}", "choice": "c", "created_at": start}
            for a in ids
            for s in range(1, steps + 1)
        ]
        db.execute(insert(ChoiceEvent), events)
        db.commit()
