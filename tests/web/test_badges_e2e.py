"""The bundled library's harder badges end to end: real modules played over the JSON API.

line-of-sight, own-seat, streak-7 and team-player are unit-tested in tests/gamify; here each
is earned through the Flask app on a real SQLite file and read back from the finishing answer
and from GET /api/me, once, and withheld from a learner who does not meet its rule.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from gamifyhelpers import Clock
from gamifyhelpers import play as play_fixture
from insighthelpers import play
from webhelpers import PASSWORD, token_for

from cxtrain.cli import main
from cxtrain.store import migrate

TRACK = "one-customer"


@pytest.fixture
def app_config(app_config):  # type: ignore[no-untyped-def]
    return {**app_config, "RATELIMIT_ENABLED": False}  # many tokens from one test client


@pytest.fixture
def clock(app) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    app.config["CLOCK"] = clock
    return clock


def add_learner(runner, email: str, job_role: str | None = None, team: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """`cxtrain users add`, as an admin creates accounts (the password arrives on standard input)."""
    args = ["users", "add", email]
    args += ["--job-role", job_role] if job_role else []
    args += ["--team", team] if team else []
    result = runner.invoke(main, args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


class Learner:
    """One learner's bearer token and the badge ids of every finishing answer they got."""

    def __init__(self, app, client, email: str) -> None:  # type: ignore[no-untyped-def]
        self.app, self.client, self.email = app, client, email
        self.tokens = {email: token_for(client, email)}
        self.announced: list[list[str]] = []

    def finish(self, module_id: str, best: bool = True) -> dict:  # type: ignore[type-arg]
        """Play ``module_id`` along its best (or worst) path; returns the finishing answer."""
        grade = self.app.extensions["cxtrain.catalog"].library.modules[module_id].grade
        path = grade.best_path if best else grade.worst_path
        answer = play(self.client, self.email, module_id, list(path), self.tokens)
        assert answer["finished"] is True and answer["passed"] is best, answer
        self.announced.append(badge_ids(answer))
        return answer

    def me(self) -> Counter[str]:
        """Badge ids in GET /api/me, with how often each appears."""
        body = self.client.get("/api/me", headers=self.tokens[self.email]).get_json()
        return Counter(b["id"] for b in body["badges"])

    def times_announced(self, badge_id: str) -> int:
        return sum(ids.count(badge_id) for ids in self.announced)


def badge_ids(answer: dict) -> list[str]:  # type: ignore[type-arg]
    return [b["id"] for b in answer["badges"]]


def modules_by_role(app) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    library = app.extensions["cxtrain.catalog"].library
    return {role.id: sorted(m.id for m in library.by_role().get(role.id, [])) for role in library.ladder()}


def track_modules(app) -> list[str]:  # type: ignore[no-untyped-def]
    return list(app.extensions["cxtrain.catalog"].library.tracks[TRACK].modules)


def test_line_of_sight_needs_a_pass_in_every_role(app, client, runner, clock):
    add_learner(runner, "walker@example.org", "frontline-associate")
    add_learner(runner, "almost@example.org", "frontline-associate")
    walker, almost = Learner(app, client, "walker@example.org"), Learner(app, client, "almost@example.org")
    roles = modules_by_role(app)
    assert len(roles) == 7 and all(roles.values())  # the whole ladder has modules
    first_of = [mods[0] for mods in roles.values()]
    for module_id in first_of[:-1]:
        assert "line-of-sight" not in badge_ids(walker.finish(module_id))
    last = walker.finish(first_of[-1])  # the chief executive's seat completes the ladder
    assert "line-of-sight" in badge_ids(last)
    assert walker.me()["line-of-sight"] == 1
    replay = walker.finish(first_of[0])
    assert "line-of-sight" not in badge_ids(replay) and replay["badges"] == []
    assert walker.me()["line-of-sight"] == 1 and walker.times_announced("line-of-sight") == 1
    # Six roles passed and the seventh only played, not passed: no badge.
    for module_id in first_of[:-1]:
        almost.finish(module_id)
    almost.finish(first_of[-1], best=False)
    assert almost.times_announced("line-of-sight") == 0 and "line-of-sight" not in almost.me()


def test_own_seat_needs_every_module_of_the_learners_own_role(app, client, runner, clock):
    care = modules_by_role(app)["customer-care-agent"]
    assert len(care) >= 2
    add_learner(runner, "agent@example.org", "customer-care-agent")
    add_learner(runner, "visitor@example.org", "team-manager")  # the same modules, not their seat
    add_learner(runner, "nobody@example.org")  # no job role: no seat of their own
    agent = Learner(app, client, "agent@example.org")
    others = [Learner(app, client, "visitor@example.org"), Learner(app, client, "nobody@example.org")]
    for module_id in care[:-1]:
        assert "own-seat" not in badge_ids(agent.finish(module_id))
    agent.finish(care[-1], best=False)  # played but not passed
    assert agent.times_announced("own-seat") == 0 and "own-seat" not in agent.me()
    assert "own-seat" in badge_ids(agent.finish(care[-1]))
    assert agent.me()["own-seat"] == 1
    agent.finish(care[0])
    agent.finish(care[-1])
    assert agent.me()["own-seat"] == 1 and agent.times_announced("own-seat") == 1
    for other in others:
        for module_id in care:
            other.finish(module_id)
        assert other.times_announced("own-seat") == 0 and "own-seat" not in other.me()


def test_streak_7_over_seven_days_of_finishes_and_practice(app, client, runner, clock):
    add_learner(runner, "daily@example.org", "frontline-associate")
    add_learner(runner, "gappy@example.org", "frontline-associate")
    daily, gappy = token_for(client, "daily@example.org"), token_for(client, "gappy@example.org")
    announced: list[str] = []
    # Day 1: a miss at the counter, which comes back as a practice question from day 2 on.
    announced += badge_ids(play_fixture(client, daily, ("shrug", "call")))
    play_fixture(client, gappy)
    for day in range(2, 7):
        clock.advance(days=1)
        announced += badge_ids(play_fixture(client, daily))  # replays earn no XP but keep the streak
        if day != 4:  # gappy misses day 4: a run of three, then a run of three
            play_fixture(client, gappy)
        assert "streak-7" not in announced
    assert client.get("/api/me", headers=daily).get_json()["streak"] == 6
    clock.advance(days=1)  # day 7: only a practice answer
    [item] = client.get("/api/practice", headers=daily).get_json()["items"]
    answer = client.post(f"/api/practice/{item['id']}", json={"choice": "listen"}, headers=daily).get_json()
    assert answer["streak"] == 7 and "streak-7" in badge_ids(answer)
    play_fixture(client, gappy)
    me = client.get("/api/me", headers=daily).get_json()
    assert Counter(b["id"] for b in me["badges"])["streak-7"] == 1
    clock.advance(days=1)  # day 8: the streak goes on, the badge is not given again
    assert "streak-7" not in badge_ids(play_fixture(client, daily))
    play_fixture(client, gappy)
    me = client.get("/api/me", headers=daily).get_json()
    assert me["streak"] == 8 and Counter(b["id"] for b in me["badges"])["streak-7"] == 1
    gappy_me = client.get("/api/me", headers=gappy).get_json()
    assert gappy_me["longest_streak"] == 4 and "streak-7" not in {b["id"] for b in gappy_me["badges"]}


def test_team_player_goes_to_the_whole_team_when_the_last_member_completes_the_track(app, client, runner, clock):
    modules = track_modules(app)
    assert len(modules) == 7
    for email, team in [
        ("ann@example.org", "Eastgate"),
        ("ben@example.org", "Eastgate"),
        ("solo@example.org", "Westgate"),  # a team of one is not a team
        ("loner@example.org", None),
        ("cy@example.org", "Northgate"),
        ("dee@example.org", "Northgate"),  # stops one module short
    ]:
        add_learner(runner, email, "frontline-associate", team)
    ann, ben, solo, loner, cy, dee = (
        Learner(app, client, f"{name}@example.org") for name in ("ann", "ben", "solo", "loner", "cy", "dee")
    )
    for module_id in modules:
        ann.finish(module_id)
    assert ann.times_announced("team-player") == 0 and "team-player" not in ann.me()  # ben has not played yet
    for module_id in modules[:-1]:
        assert "team-player" not in badge_ids(ben.finish(module_id))
    last = ben.finish(modules[-1])
    assert "team-player" in badge_ids(last)
    assert ben.me()["team-player"] == 1
    assert ann.me()["team-player"] == 1  # awarded to each member when the last one completes the track
    ann.finish(modules[0])
    ben.finish(modules[-1])
    assert ann.me()["team-player"] == 1 and ben.me()["team-player"] == 1
    assert ann.times_announced("team-player") == 0 and ben.times_announced("team-player") == 1
    for learner in (solo, loner, cy):
        for module_id in modules:
            learner.finish(module_id)
    for module_id in modules[:-1]:
        dee.finish(module_id)
    dee.finish(modules[-1], best=False)
    for learner in (solo, loner, cy, dee):
        assert learner.times_announced("team-player") == 0 and "team-player" not in learner.me(), learner.email


def _race_to_the_end_of_the_track(app, runner, members: int) -> None:  # type: ignore[no-untyped-def]
    """A team passes the track but one choice; then every member makes their last choice at once."""
    modules = track_modules(app)
    client = app.test_client()
    emails = [f"racer{i}@example.org" for i in range(members)]
    for email in emails:
        add_learner(runner, email, "frontline-associate", "Racers")
    learners = [Learner(app, client, email) for email in emails]
    last = app.extensions["cxtrain.catalog"].library.modules[modules[-1]].grade.best_path
    pending = []
    for learner in learners:
        for module_id in modules[:-1]:
            learner.finish(module_id)
        state = play(client, learner.email, modules[-1], list(last[:-1]), learner.tokens)
        pending.append((learner, f"/api/attempts/{state['id']}/choices", state["node"]["id"]))
    barrier = threading.Barrier(members)
    errors: list[BaseException] = []

    def finish(learner: Learner, url: str, node: str) -> None:
        try:
            local = app.test_client()
            barrier.wait()
            response = local.post(url, json={"node": node, "choice": last[-1]}, headers=learner.tokens[learner.email])
            assert response.status_code == 200, response.get_data(as_text=True)
            learner.announced.append(badge_ids(response.get_json()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=finish, args=item) for item in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for learner in learners:
        # Which request awarded whom depends on timing; each member holds the badge once either way.
        assert learner.me()["team-player"] == 1 and learner.times_announced("team-player") <= 1


def test_team_player_when_the_whole_team_finishes_at_once_on_sqlite(app, runner, clock):
    _race_to_the_end_of_the_track(app, runner, 4)


@pytest.fixture
def postgres_app(app_config, postgres_url) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from cxtrain.web import create_app

    migrate.upgrade(postgres_url)
    app = create_app({**app_config, "DATABASE_URL": postgres_url})
    app.config["CLOCK"] = Clock()
    yield app
    app.extensions["cxtrain.engine"].dispose()


@pytest.mark.postgres
def test_team_player_when_the_whole_team_finishes_at_once_on_postgres(postgres_app):
    """Row locks and READ COMMITTED: racing teammates still leave each member with the badge once."""
    _race_to_the_end_of_the_track(postgres_app, postgres_app.test_cli_runner(), 4)
