"""Helpers for the insight tests: people in teams, and attempts played through the JSON API."""

from __future__ import annotations

from pathlib import Path

from webhelpers import FIXTURES, PASSWORD, token_for

INSIGHT_FIXTURES = Path(__file__).parent / "insight_fixtures"
FOLDERS = [str(FIXTURES), str(INSIGHT_FIXTURES)]
CARE = "insight-care"
FRONT = "web-fixture"


def person(app, email: str, job_role: str | None, team: str | None, role: str = "learner", name: str = "") -> int:  # type: ignore[no-untyped-def]
    from cxtrain.store import accounts

    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = accounts.create_user(db, email, PASSWORD, role, job_role, team, name)
        db.commit()
        return user.id


def play(client, email: str, module: str, choices: list[str], tokens: dict[str, dict[str, str]]) -> dict:  # type: ignore[no-untyped-def]
    """Start an attempt and make ``choices`` (each at whatever node the attempt is on)."""
    if email not in tokens:
        tokens[email] = token_for(client, email)
    auth = tokens[email]
    response = client.post("/api/attempts", json={"module": module}, headers=auth)
    assert response.status_code == 201, response.get_json()
    state = response.get_json()
    for choice in choices:
        response = client.post(
            f"/api/attempts/{state['id']}/choices", json={"node": state["node"]["id"], "choice": choice}, headers=auth
        )
        assert response.status_code == 200, response.get_json()
        state = response.get_json()
    return state


def eastgate(app, client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A team of six learners and a manager, one learner in another team, a trainer; attempts played.

    frontline (web-fixture): alice passes then replays badly (latest .25), bob .50, erin .25;
    care (insight-care): carol passes, then stops after a loop, then ends lost (.35), frank passes (.80),
    gina ends lost (.45); dave in Westgate passes web-fixture.
    """
    ids = {
        "manager": person(app, "manager@example.org", "team-manager", "Eastgate", name="Mona Manager"),
        "alice": person(app, "alice@example.org", "frontline-associate", "Eastgate", name="Alice"),
        "bob": person(app, "bob@example.org", "frontline-associate", "Eastgate"),
        "erin": person(app, "erin@example.org", "frontline-associate", "Eastgate", name='=HYPERLINK("x")'),
        "carol": person(app, "carol@example.org", "customer-care-agent", "Eastgate", name="Carol"),
        "frank": person(app, "frank@example.org", "customer-care-agent", "Eastgate", name="-Frank"),
        "gina": person(app, "gina@example.org", "customer-care-agent", "Eastgate", name="+Gina"),
        "dave": person(app, "dave@example.org", "frontline-associate", "Westgate", name="Dave"),
        "trainer": person(app, "trainer@example.org", None, None, role="trainer", name=""),
    }
    tokens: dict[str, dict[str, str]] = {}
    play(client, "alice@example.org", FRONT, ["listen", "call"], tokens)
    play(client, "alice@example.org", FRONT, ["shrug", "wait"], tokens)
    play(client, "bob@example.org", FRONT, ["shrug", "call"], tokens)
    play(client, "erin@example.org", FRONT, ["shrug", "wait"], tokens)
    play(client, "carol@example.org", CARE, ["answer", "fix"], tokens)
    play(client, "carol@example.org", CARE, ["hold"], tokens)
    play(client, "carol@example.org", CARE, ["hold", "answer", "transfer"], tokens)
    play(client, "frank@example.org", CARE, ["answer", "fix"], tokens)
    play(client, "gina@example.org", CARE, ["answer", "transfer"], tokens)
    play(client, "dave@example.org", FRONT, ["listen", "call"], tokens)
    return ids
