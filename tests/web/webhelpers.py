"""Helpers shared by the web tests (imported as a plain module: tests/ has no packages)."""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
MODULE = "web-fixture"
PASSWORD = "correct horse battery"


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


def token_for(client, email: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = client.post("/api/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
