"""Helpers for the gamification tests: a controllable clock and quick play-throughs of the fixture module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from webhelpers import MODULE


class Clock:
    """A clock the app reads through app.config["CLOCK"]; tests move it instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def play(client, auth, path: tuple[str, str] = ("listen", "call")) -> dict:  # type: ignore[no-untyped-def]
    """Start an attempt at the fixture module and make the two choices; returns the final JSON."""
    attempt = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    url = f"/api/attempts/{attempt['id']}/choices"
    client.post(url, json={"node": "counter", "choice": path[0]}, headers=auth)
    return client.post(url, json={"node": "follow-up", "choice": path[1]}, headers=auth).get_json()
