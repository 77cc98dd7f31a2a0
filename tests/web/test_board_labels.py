"""The names a board gives people who are not named ("You", "A colleague", "A frontline associate"):
translated on the pages, English and unchanged in the JSON API; the same for the team view's
"Member #id" fallback.

The real app over its test client, on a fresh SQLite file.
"""

from __future__ import annotations

import re

import pytest
from gamifyhelpers import Clock, play
from sqlalchemy import update
from webhelpers import add_user, login, token_for

from cxtrain.gamify.leaderboard import Label, LeaderEntry, anonymous_label, display_label, display_name
from cxtrain.store.models import User

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en"}


def test_a_label_keeps_what_a_translation_needs_and_reads_as_before_in_english():
    assert display_label(LeaderEntry(1, 10, role_title="Executive"), 2) == Label("role", "executive", "An")
    assert display_label(LeaderEntry(1, 10, role_title="CEO"), 2) == Label("role", "CEO", "A")
    assert display_label(LeaderEntry(1, 10), 2) == Label("colleague")
    assert display_label(LeaderEntry(1, 10, name="me@example.org"), 1) == Label("you")
    assert display_label(LeaderEntry(1, 10, name="Ann", visibility="named"), 2) == Label("name", "Ann")
    assert display_name(LeaderEntry(1, 10, role_title="Executive"), 2) == "An executive"
    assert anonymous_label(None) == "A colleague" and anonymous_label("Frontline associate") == "A frontline associate"


@pytest.fixture
def board(app, client):  # type: ignore[no-untyped-def]
    """Four learners with XP: the viewer (no name), a named one, an anonymous executive and an
    anonymous one without a job role; returns the viewer's token."""
    app.config["CLOCK"] = Clock()
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    people = [
        ("viewer@example.org", "frontline-associate", {}),
        ("nora@example.org", "frontline-associate", {"name": "Nora Named", "leaderboard": "named"}),
        ("exec@example.org", "executive", {}),
        ("nojob@example.org", None, {}),
    ]
    tokens = {}
    for email, job_role, settings in people:
        add_user(app, email, job_role=job_role)
        tokens[email] = token_for(client, email)
        if settings:
            assert client.patch("/api/me", json=settings, headers=tokens[email]).status_code == 200
        play(client, tokens[email])
    return tokens["viewer@example.org"]


def _names(html: str) -> list[str]:
    """The names in the board's second column, in order."""
    return [re.sub(r"\s*<strong>.*", "", cell) for cell in re.findall(r"<tr[^>]*><td>\d+</td><td>(.*?)</td>", html)]


def test_the_page_names_people_in_the_readers_language_and_the_api_stays_english(app, client, board):
    api = client.get("/api/leaderboard?period=all", headers=board).get_json()
    english = {"You", "Nora Named", "An executive", "A colleague"}
    assert {row["name"] for row in api["entries"]} == english
    french_api = client.get("/api/leaderboard?period=all", headers={**board, **FRENCH}).get_json()
    assert french_api == api

    login(client, "viewer@example.org")
    page = client.get("/leaderboard?period=all", headers=ENGLISH).get_data(as_text=True)
    assert set(_names(page)) == english
    french = client.get("/leaderboard?period=all", headers=FRENCH).get_data(as_text=True)
    # The role by its French title, from the bundled roles.yaml's `titles: {fr: ...}`.
    assert set(_names(french)) == {"Vous", "Nora Named", "Anonyme (membre de la direction)", "Collègue anonyme"}
    assert "A colleague" not in french and "An executive" not in french
    # The viewer without a name reads "You" once, not "You (you)"; Nora reads her name and "(you)".
    assert re.search(r"<td>You</td>", page) and "(you)" not in page
    login(client, "nora@example.org")
    named = client.get("/leaderboard?period=all").get_data(as_text=True)
    assert re.search(r"<td>Nora Named <strong>\(you\)</strong></td>", named)


def test_the_team_views_unnamed_members_are_numbered_in_the_readers_language(app, client):
    manager = "manager@example.org"
    add_user(app, manager, job_role="team-manager")
    unnamed = add_user(app, "bob@example.org", job_role="frontline-associate")
    no_role = add_user(app, "cy@example.org", job_role=None)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.execute(update(User).values(team="Eastgate"))
        db.execute(update(User).where(User.email == manager).values(name="Morgan"))
        db.commit()
    login(client, manager)
    english = client.get("/team", headers=ENGLISH).get_data(as_text=True)
    assert f"Frontline associate #{unnamed}" in english and f"Member #{no_role}" in english
    french = client.get("/team", headers=FRENCH).get_data(as_text=True).replace("\u00a0", " ")
    # The bundled roles.yaml has the role's title in French (`titles: {fr: ...}`).
    assert f"Employé de première ligne n° {unnamed}" in french and f"Membre n° {no_role}" in french
    # The module key: the bundled modules' titles are English, marked so; their roles are in French.
    key = re.search(r'<ol class="module-key">(.*?)</ol>', french, re.S).group(1)
    assert '<li><span lang="en">' in key and "(<span>Employé de première ligne</span>)" in key
    assert 'lang="en"' not in re.search(r'<ol class="module-key">.*?</ol>', english, re.S).group(0)
    # The CSV is for programs and spreadsheets: English, as before.
    csv = client.get("/team.csv", headers=FRENCH).get_data(as_text=True)
    assert f"Member #{no_role}" in csv
