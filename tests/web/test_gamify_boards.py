"""Leaderboards: privacy (a hidden learner's name never reaches anyone else), the SQL board agrees with
gamify.rank, team boards, the admin switch."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from gamifyhelpers import Clock, play
from webhelpers import add_user, login, token_for

from cxtrain import gamify

HIDDEN_NAME = "Zebulon Hiddenname"


@pytest.fixture
def clock(app) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    app.config["CLOCK"] = clock
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    return clock


def _user(app, client, email: str, team: str | None = None, **settings: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    uid = add_user(app, email)
    if team:
        _set_team(app, uid, team)
    auth = token_for(client, email)
    if settings:
        assert client.patch("/api/me", json=settings, headers=auth).status_code == 200
    return auth


def _set_team(app, uid: int, team: str) -> None:  # type: ignore[no-untyped-def]
    from cxtrain.store.models import User

    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.get(User, uid).team = team
        db.commit()


def test_a_hidden_learner_never_appears_to_anyone_else(app, client, clock):
    hidden = _user(app, client, "hidden@example.org", "blue", name=HIDDEN_NAME, leaderboard="hidden")
    named = _user(app, client, "named@example.org", "blue", name="Nora Named", leaderboard="named")
    anon = _user(app, client, "anon@example.org", "blue")
    play(client, hidden)
    play(client, named, ("shrug", "call"))
    play(client, anon, ("listen", "wait"))
    for period in ("week", "all"):
        for scope in ("everyone", "team"):
            for viewer in (named, anon):
                response = client.get(f"/api/leaderboard?period={period}&scope={scope}", headers=viewer)
                text = response.get_data(as_text=True)
                assert response.status_code == 200
                assert HIDDEN_NAME not in text and "hidden@example.org" not in text and "@" not in text
    board = client.get("/api/leaderboard?period=all", headers=anon).get_json()
    # No row, no gap: the hidden learner's 20 XP is simply not there.
    assert sorted(r["name"] for r in board["entries"]) == ["Nora Named", "You"]
    assert max(r["rank"] for r in board["entries"]) <= 2
    # The hidden learner still sees their own rank, counted as if listed.
    own = client.get("/api/leaderboard?period=all", headers=hidden).get_json()
    assert own["you"] == {"rank": 1, "xp": 20} and own["entries"][0]["name"] == HIDDEN_NAME
    # Pages too, for a logged-in browser session of another learner.
    login(client, "anon@example.org")
    for url in ("/leaderboard", "/leaderboard?period=all", "/leaderboard?scope=team", "/badges", "/profile"):
        page = client.get(url).get_data(as_text=True)
        assert HIDDEN_NAME not in page and "hidden@example.org" not in page, url
    # An anonymous learner shows by role (a fresh client: the logged-in cookie above would win over the token).
    fresh = app.test_client()
    assert "A frontline associate" in fresh.get("/api/leaderboard?period=all", headers=named).get_data(as_text=True)


def test_team_board_ranks_by_xp_per_member(app, client, clock):
    small = [_user(app, client, f"s{i}@example.org", "small") for i in range(3)]
    big = [_user(app, client, f"b{i}@example.org", "big") for i in range(4)]
    _user(app, client, "pair@example.org", "pair")  # a team of one is never shown
    for auth in small:
        play(client, auth)  # 20 each: 20 per member
    play(client, big[0])
    play(client, big[1])  # 40 over 4 members: 10 per member
    board = client.get("/api/leaderboard?scope=team&period=all", headers=big[2]).get_json()
    assert [(r["rank"], r["name"], r["xp"], r["you"]) for r in board["entries"]] == [
        (1, "small", 20, False),
        (2, "big", 10, True),
    ]
    assert board["you"] == {"rank": 2, "xp": 10}
    # On the page: the column says per member, and a member of a team too small to rank is told why.
    login(client, "b2@example.org")
    page = client.get("/leaderboard?scope=team&period=all").get_data(as_text=True)
    assert '<th scope="col">XP per member</th>' in page and "is not on this board" not in page
    assert "<td>big <strong>(you)</strong></td>" in page  # the viewer's own team
    login(client, "pair@example.org")
    page = client.get("/leaderboard?scope=team&period=all").get_data(as_text=True)
    assert "Your team, pair, is not on this board: teams under three members are not shown." in page


def test_weekly_board_starts_on_monday(app, client, clock):
    a = _user(app, client, "a@example.org")
    play(client, a)
    assert client.get("/api/leaderboard?period=week", headers=a).get_json()["you"]["xp"] == 20
    clock.now = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)  # next Monday
    assert client.get("/api/leaderboard?period=week", headers=a).get_json()["you"]["xp"] == 0
    assert client.get("/api/leaderboard?period=all", headers=a).get_json()["you"]["xp"] == 20


def test_bad_parameters_and_the_admin_switch(app, client, clock):
    a = _user(app, client, "a@example.org")
    bad = client.get("/api/leaderboard?period=year", headers=a)
    assert bad.status_code == 400 and "period" in bad.get_json()["fields"]
    app.config["LEADERBOARDS"] = "off"
    off = client.get("/api/leaderboard", headers=a)
    assert off.status_code == 404 and off.get_json()["error"] == "leaderboards-off"
    login(client, "a@example.org")
    page = client.get("/leaderboard")
    assert page.status_code == 404 and "switched leaderboards off" in page.get_data(as_text=True)
    assert 'href="/leaderboard"' not in client.get("/profile").get_data(as_text=True)


def test_sql_board_agrees_with_gamify_rank(app):
    """The indexed SQL board is an optimisation of gamify.rank: same rows, ranks and names on random data."""
    from cxtrain.store.models import User
    from cxtrain.store.xp_ledger import add_xp, lock_learner, set_visibility
    from cxtrain.web import leaderboards, rewards

    rng = random.Random(6)
    now = datetime(2025, 3, 5, tzinfo=UTC)
    app.config["CLOCK"] = lambda: now
    ids = [add_user(app, f"u{i}@example.org") for i in range(40)]
    entries = []
    with app.test_request_context(), app.extensions["cxtrain.sessionmaker"]() as db:
        title = rewards.role_title("frontline-associate")
        for uid in ids:
            db.get(User, uid).name = f"Learner {uid}"
            lock_learner(db, uid)
            xp = rng.choice([0, 0, 5, 10, 10, 10, 20, 35, 50, 50, 80])  # many ties on purpose
            vis = rng.choice(gamify.VISIBILITIES)
            set_visibility(db, uid, vis)
            if xp:
                add_xp(db, uid, xp, "practice", now)
            entries.append(gamify.LeaderEntry(f"{uid:08d}", xp, f"Learner {uid}", title, vis))
        db.commit()
        for viewer in ids:
            user = db.get(User, viewer)
            for period in ("all", "week"):
                got = leaderboards.leaderboard(db, user, period, "everyone")
                assert got == gamify.rank(entries, f"{viewer:08d}"), (viewer, period)


def test_sql_team_board_agrees_with_gamify_team_board(app):
    """Team boards read maintained aggregates (team_stats, weekly_team_xp); on random data with awards in
    two weeks and members changing teams before and after earning, they equal gamify.team_board."""
    from sqlalchemy import func, select

    from cxtrain.store.models import LearnerStats, TeamStats, User, WeeklyTeamXp, WeeklyXp
    from cxtrain.store.xp_ledger import add_xp, lock_learner, set_visibility
    from cxtrain.web import leaderboards

    rng = random.Random(7)
    last_week = datetime(2025, 2, 26, tzinfo=UTC)
    now = datetime(2025, 3, 5, tzinfo=UTC)
    app.config["CLOCK"] = lambda: now
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    teams = ["red", "blue", "green", "Zeta", "amber", "solo", ""]
    ids = [add_user(app, f"u{i}@example.org") for i in range(45)]
    team_of: dict[int, str | None] = {}
    xp_all: dict[int, int] = dict.fromkeys(ids, 0)
    xp_week: dict[int, int] = dict.fromkeys(ids, 0)

    def move(db, uid: int) -> None:  # type: ignore[no-untyped-def]
        team_of[uid] = rng.choice([*teams, None])
        db.get(User, uid).team = team_of[uid]

    with app.test_request_context(), app.extensions["cxtrain.sessionmaker"]() as db:
        for uid in ids:
            move(db, uid)
        db.commit()
        for uid in ids:
            lock_learner(db, uid)
            set_visibility(db, uid, rng.choice(gamify.VISIBILITIES))
            for at in (last_week, now):
                xp = rng.choice([0, 0, 5, 10, 20, 35, 50])
                if xp:
                    add_xp(db, uid, xp, "practice", at)
                    xp_all[uid] += xp
                    xp_week[uid] += xp if at == now else 0
            db.commit()
            if rng.random() < 0.3:  # a change of team carries the XP earned so far
                move(db, uid)
                db.commit()
        # The aggregates equal a recount from the users (what the migration's backfill computes).
        recount = select(User.team, func.count(), func.coalesce(func.sum(LearnerStats.xp_total), 0))
        recount = recount.outerjoin(LearnerStats, LearnerStats.user_id == User.id).where(User.team != "")
        expected = {t: (n, x) for t, n, x in db.execute(recount.group_by(User.team))}
        stored = {t: (n, x) for t, n, x in db.execute(select(TeamStats.team, TeamStats.members, TeamStats.xp_total))}
        assert {t: v for t, v in stored.items() if v != (0, 0)} == expected
        weekly = select(WeeklyXp.week_start, User.team, func.sum(WeeklyXp.xp)).join(User, User.id == WeeklyXp.user_id)
        weekly = weekly.where(User.team != "").group_by(WeeklyXp.week_start, User.team)
        expected_weeks = {(w, t): x for w, t, x in db.execute(weekly)}
        stored_weeks = {
            (w, t): x for w, t, x in db.execute(select(WeeklyTeamXp.week_start, WeeklyTeamXp.team, WeeklyTeamXp.xp))
        }
        assert {k: v for k, v in stored_weeks.items() if v} == {k: v for k, v in expected_weeks.items() if v}
        assert len({t for t in team_of.values() if t}) >= 4 and any(n >= 3 for n, _ in expected.values())
        for viewer in ids:
            user = db.get(User, viewer)
            for period, xps in (("all", xp_all), ("week", xp_week)):
                entries = [gamify.LeaderEntry(uid, xps[uid], team=team_of[uid]) for uid in ids]
                got = leaderboards.leaderboard(db, user, period, "team")
                assert got == gamify.team_board(entries, team_of[viewer]), (viewer, period)
        # A shown team without XP is on no one's board but its own members' (ranked in, at 0).
        quiet = [add_user(app, f"q{i}@example.org") for i in range(3)]
        for uid in quiet:
            db.get(User, uid).team = team_of[uid] = "quiet"
            xp_all[uid] = xp_week[uid] = 0
        db.commit()
        ids += quiet
        for viewer in (quiet[0], ids[0]):
            user = db.get(User, viewer)
            for period, xps in (("all", xp_all), ("week", xp_week)):
                entries = [gamify.LeaderEntry(uid, xps[uid], team=team_of[uid]) for uid in ids]
                got = leaderboards.leaderboard(db, user, period, "team")
                assert got == gamify.team_board(entries, team_of[viewer]), (viewer, period)
                assert viewer != quiet[0] or (got.you is not None and got.you.xp == 0)
