"""Helpers of the erasure tests, shared by the SQLite and PostgreSQL runs: a team that played, and
recounts from scratch of everything an erase must leave consistent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gamifyhelpers import play
from sqlalchemy import func, select
from webhelpers import MODULE, PASSWORD, add_user, login, token_for

from cxtrain.store import insight, insight_rollup
from cxtrain.store.models import LearnerStats, TeamStats, User, WeeklyTeamXp, WeeklyXp

LEARNER = "learner@example.org"
COLLEAGUE = "colleague@example.org"
ADMIN = "admin@example.org"


@dataclass
class Team:
    learner_id: int
    colleague_id: int
    auth: dict[str, str]  # the learner's bearer token
    colleague_auth: dict[str, str]
    browser: object  # a test client logged in as the learner
    badge_url: str  # one of the learner's hosted Open Badges assertions


def sessionmaker(app):  # type: ignore[no-untyped-def]
    return app.extensions["cxtrain.sessionmaker"]


def played_team(app) -> Team:  # type: ignore[no-untyped-def]
    """LEARNER and COLLEAGUE in team North, an ADMIN. The learner plays once before the insight
    rollups are rebuilt (so that attempt is folded into them) and twice after (counted live), and
    earns XP, badges and a practice question; the colleague plays once."""
    client = app.test_client()
    app.config["LEADERBOARD_CACHE_SECONDS"] = 0
    learner_id = add_user(app, LEARNER)
    colleague_id = add_user(app, COLLEAGUE)
    add_user(app, ADMIN, "admin", None)
    with sessionmaker(app)() as db:
        for uid, name in ((learner_id, "Lee Learner"), (colleague_id, "Cole Colleague")):
            user = db.get(User, uid)
            user.team, user.name = "North", name
        db.commit()
    auth, colleague_auth = token_for(client, LEARNER), token_for(client, COLLEAGUE)
    for email in (LEARNER, COLLEAGUE):
        client.patch("/api/me", json={"leaderboard": "named"}, headers=token_for(client, email))
    play(client, auth, ("shrug", "call"))
    with sessionmaker(app)() as db:  # the clock and watermark just past the first attempt
        insight_rollup.rebuild(db, now=datetime.now(UTC) + insight_rollup.SETTLE)
    play(client, auth)
    play(client, auth, ("listen", "shrug"))
    play(client, colleague_auth)
    badges = client.get("/api/me", headers=auth).get_json()["badges"]
    browser = app.test_client()
    login(browser, LEARNER)
    assert browser.get("/modules").status_code == 200
    return Team(learner_id, colleague_id, auth, colleague_auth, browser, badges[0]["assertion"])


def insight_numbers(app) -> insight.ModuleCounts:  # type: ignore[no-untyped-def]
    with sessionmaker(app)() as db:
        return insight.module_counts(db, MODULE)


def rebuilt_numbers(app) -> insight.ModuleCounts:  # type: ignore[no-untyped-def]
    """The module's insight numbers after a recount from scratch (`cxtrain insight rebuild`)."""
    with sessionmaker(app)() as db:
        insight_rollup.rebuild(db)
    return insight_numbers(app)


def team_aggregates(db) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:  # type: ignore[no-untyped-def]
    """(stored, recounted): per team, (members, all-time XP) as ``team_stats`` holds them and as the
    users and their ``learner_stats`` add up."""
    stored = {t: (m, x) for t, m, x in db.execute(select(TeamStats.team, TeamStats.members, TeamStats.xp_total)) if m}
    recount: dict[str, tuple[int, int]] = {}
    query = select(User.team, func.count(), func.coalesce(func.sum(LearnerStats.xp_total), 0)).outerjoin(
        LearnerStats, LearnerStats.user_id == User.id
    )
    for team, members, xp in db.execute(query.where(User.team.is_not(None)).group_by(User.team)):
        recount[team] = (int(members), int(xp))
    return stored, recount


def weekly_team_aggregates(db) -> tuple[Counter, Counter]:  # type: ignore[no-untyped-def,type-arg]
    """(stored, recounted) XP per (week, team)."""
    stored = Counter(
        {(w, t): x for w, t, x in db.execute(select(WeeklyTeamXp.week_start, WeeklyTeamXp.team, WeeklyTeamXp.xp)) if x}
    )
    query = (
        select(WeeklyXp.week_start, User.team, func.sum(WeeklyXp.xp))
        .join(User, User.id == WeeklyXp.user_id)
        .where(User.team.is_not(None))
        .group_by(WeeklyXp.week_start, User.team)
    )
    return stored, Counter({(w, t): int(x) for w, t, x in db.execute(query) if x})


def assert_erased_and_consistent(app, team: Team, before: insight.ModuleCounts) -> None:  # type: ignore[no-untyped-def]
    """Everything an erase of LEARNER must have done, checked against recounts from scratch."""
    from cxtrain.store import accounts, boards
    from cxtrain.store.models import ApiToken, Attempt, PracticeItemRow, UserBadge, XpEntry

    client = app.test_client()
    with sessionmaker(app)() as db:
        assert accounts.find_user(db, LEARNER) is None and db.get(User, team.learner_id) is None
        for table in (ApiToken, XpEntry, LearnerStats, WeeklyXp, UserBadge, PracticeItemRow):
            assert db.scalar(select(func.count()).select_from(table).where(table.user_id == team.learner_id)) == 0
        assert db.scalar(select(func.count()).select_from(Attempt).where(Attempt.user_id.is_(None))) == 3
        stored, recount = team_aggregates(db)
        assert stored == recount == {"North": (1, recount["North"][1])}
        assert recount["North"][1] == db.get(LearnerStats, team.colleague_id).xp_total > 0
        assert weekly_team_aggregates(db)[0] == weekly_team_aggregates(db)[1]
        week = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
        for period in ("all", "week"):
            placed = boards.board(db, team.colleague_id, period, week)  # type: ignore[arg-type]
            assert [p.user_id for p in placed] == [team.colleague_id], period

    board = client.get("/api/leaderboard?period=all", headers=team.colleague_auth).get_json()
    assert [row["name"] for row in board["entries"]] == ["Cole Colleague"]
    assert insight_numbers(app) == before  # the managers' and trainers' counts stay
    assert rebuilt_numbers(app) == before  # and a recount from scratch finds the same

    assert client.get("/api/me", headers=team.auth).status_code == 401  # the token is gone
    assert team.browser.get("/modules").status_code == 302  # the session is over  # type: ignore[attr-defined]
    refused = login(client, LEARNER)
    assert refused.status_code == 200 and "Wrong email or password" in refused.get_data(as_text=True)
    assert client.post("/api/tokens", json={"email": LEARNER, "password": PASSWORD}).status_code == 401
    assert client.get(team.badge_url).status_code == 404

    # The address is free again: a new, empty account.
    new_id = add_user(app, LEARNER)
    fresh = token_for(client, LEARNER)
    mine = client.get("/api/me/export", headers=fresh).get_json()
    assert mine["account"]["id"] == new_id and mine["attempts"] == [] and mine["badges"] == []
    assert mine["progress"]["xp"] == 0 and mine["account"]["team"] is None
