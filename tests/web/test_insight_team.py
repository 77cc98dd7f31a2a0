"""The managers' team view: numbers from attempts played through the API, CSV, and who may see what."""

from __future__ import annotations

import csv
import io

import pytest
from insighthelpers import CARE, FOLDERS, FRONT, eastgate
from webhelpers import login

from cxtrain.web.insight import safe_cell


@pytest.fixture
def scenario_folders() -> list[str]:
    return FOLDERS


@pytest.fixture
def app_config(app_config):  # type: ignore[no-untyped-def]
    return {**app_config, "RATELIMIT_ENABLED": False}


@pytest.fixture
def team(app, client):  # type: ignore[no-untyped-def]
    return eastgate(app, client)


def _report(app, team_name: str = "Eastgate", show_email: bool = False):  # type: ignore[no-untyped-def]
    from cxtrain.web.database import db
    from cxtrain.web.insight_team import team_report

    with app.test_request_context():
        return team_report(db(), app.extensions["cxtrain.catalog"], team_name, show_email)


def _own_modules(app, role: str) -> int:
    with app.app_context():
        from cxtrain.web.database import db

        return sum(1 for e in app.extensions["cxtrain.catalog"].current(db()).values() if e.module.role == role)


def test_member_numbers(app, team):
    report = _report(app)
    members = {m.user_id: m for m in report.members}
    assert set(members) == {team[k] for k in ("manager", "alice", "bob", "erin", "carol", "frank", "gina")}
    alice = members[team["alice"]]
    # The best attempt counts for passing; the latest finished one for the meters.
    assert alice.passed == {FRONT} and alice.attempted == {FRONT}
    assert alice.customer == pytest.approx(0.25) and alice.employee == pytest.approx(0.50)
    assert alice.own_passed == 1 and alice.own_total == _own_modules(app, "frontline-associate")
    bob = members[team["bob"]]
    assert bob.passed == frozenset() and bob.customer == pytest.approx(0.50) and bob.employee == pytest.approx(0.55)
    carol = members[team["carol"]]
    assert carol.passed == {CARE} and carol.customer == pytest.approx(0.35)  # unfinished attempt ignored
    manager = members[team["manager"]]
    assert manager.passed == frozenset() and manager.customer is None


def test_weak_wheel_and_role_stats(app, team):
    report = _report(app)
    roles = {r.role: r for r in report.roles}
    front, care = roles["frontline-associate"], roles["customer-care-agent"]
    assert front.stats.attempts == 3 and front.stats.customer == pytest.approx((0.25 + 0.50 + 0.25) / 3)
    assert care.stats.attempts == 3 and care.stats.customer == pytest.approx((0.35 + 0.80 + 0.45) / 3)
    assert front.members == 3 and care.members == 3 and roles["team-manager"].members == 1
    assert report.weak is not None and report.weak.role == "frontline-associate"


def test_coverage(app, team):
    report = _report(app)
    roles = {r.role: r for r in report.roles}
    front, care = roles["frontline-associate"].coverage, roles["customer-care-agent"].coverage
    n_front, n_care = _own_modules(app, "frontline-associate"), _own_modules(app, "customer-care-agent")
    assert (front.members, front.modules, front.passed) == (3, n_front, 1)
    assert front.share == pytest.approx(1 / (3 * n_front))
    assert (care.members, care.modules, care.passed) == (3, n_care, 2)  # carol and frank, not gina


def test_weak_wheel_needs_three_attempts(app, client):
    from insighthelpers import person, play

    person(app, "solo@example.org", "frontline-associate", "Tiny")
    play(client, "solo@example.org", FRONT, ["shrug", "wait"], {})
    assert _report(app, "Tiny").weak is None


def test_page_for_manager_hides_emails(app, client, team):
    login(client, "manager@example.org")
    response = client.get("/team")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Team Eastgate" in page and 'id="weak-role" data-role="frontline-associate"' in page
    assert "Only roles with at least three finished attempts are compared" in page  # why another role is not named
    assert "@example.org" not in page  # never another learner's email
    assert "Dave" not in page  # another team's member
    assert "Customer care agent #" not in page and "Frontline associate #" in page  # bob has no name
    assert 'href="/team"' in page  # the nav link
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"] and "style=" not in page


def test_a_name_that_is_an_address_is_never_shown_to_the_manager(app, client, team):
    from sqlalchemy import update

    from cxtrain.store.models import User

    with app.extensions["cxtrain.sessionmaker"]() as db:  # typed before names were checked
        db.execute(update(User).where(User.email == "bob@example.org").values(name="bob.private＠corp.example"))
        db.commit()
    login(client, "manager@example.org")
    page = client.get("/team").get_data(as_text=True)
    exported = client.get("/team.csv").get_data(as_text=True)
    assert "corp.example" not in page and "corp.example" not in exported
    assert "Frontline associate #" in page  # the role and number, as for a member without a name


def test_page_for_trainer_has_team_filter_and_emails(client, team):
    login(client, "trainer@example.org")
    listing = client.get("/team").get_data(as_text=True)
    assert "Eastgate" in listing and "Westgate" in listing and 'name="q"' in listing
    assert "Westgate" not in client.get("/team?q=East").get_data(as_text=True)
    page = client.get("/team?team=Westgate").get_data(as_text=True)
    assert "dave@example.org" in page and "alice@example.org" not in page
    # A team nobody belongs to (mistyped, or everyone moved on): said so, with the list to pick from.
    missing = client.get("/team?team=Westgat")
    text = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "No team is called “Westgat”." in text and "Eastgate" in text


def test_a_team_named_in_another_script_downloads_its_csv(app, client, team):
    from urllib.parse import unquote

    from insighthelpers import person

    person(app, "li@example.org", "frontline-associate", "北区", name="Li")
    login(client, "trainer@example.org")
    response = client.get("/team.csv?team=北区")
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # what a WSGI server sends; gunicorn refused the raw name with a 500
    assert response.status_code == 200 and 'filename="team----members.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "team-北区-members.csv"
    assert any(row[0] == "Li" for row in _csv(response)[1:])


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("bob@example.org", "/team"),  # a learner who manages nobody
        ("bob@example.org", "/team.csv"),
        ("bob@example.org", "/team?team=Westgate"),
        ("manager@example.org", "/team?team=Westgate"),  # a manager, another team
        ("manager@example.org", "/team.csv?team=Westgate"),
        ("manager@example.org", "/trainer/insight"),
        ("manager@example.org", f"/trainer/insight/{CARE}"),
        ("bob@example.org", f"/trainer/insight/{CARE}.csv"),
    ],
)
def test_forbidden(client, team, who, path):
    login(client, who)
    assert client.get(path).status_code == 403


def test_manager_without_team_is_forbidden(app, client):
    from insighthelpers import person

    person(app, "loner@example.org", "department-head", None)
    login(client, "loner@example.org")
    assert client.get("/team").status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/team").status_code == 302
    assert client.get("/trainer/insight").status_code == 302


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_members_for_manager(client, team):
    login(client, "manager@example.org")
    rows = _csv(client.get("/team.csv"))
    head, body = rows[0], {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert "email" not in head and "@example.org" not in "".join(",".join(r) for r in rows)
    assert body["Alice"]["modules_passed"] == "1" and body["Alice"][FRONT] == "passed"
    assert body["Alice"]["avg_customer_pct"] == "25" and body["Alice"]["avg_employee_pct"] == "50"
    assert body["Carol"][CARE] == "passed"
    # CSV injection: cells a spreadsheet would run as formulas start with a quote.
    assert '\'=HYPERLINK("x")' in body and "'-Frank" in body and "'+Gina" in body
    assert body["'-Frank"][CARE] == "passed"


def test_csv_roles_and_trainer_emails(client, team):
    login(client, "trainer@example.org")
    rows = _csv(client.get("/team.csv?team=Eastgate&view=roles"))
    by_role = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_role["frontline-associate"]["weak_wheel"] == "yes"
    assert (
        by_role["frontline-associate"]["attempts"] == "3" and by_role["frontline-associate"]["avg_customer_pct"] == "33"
    )
    members = _csv(client.get("/team.csv?team=Eastgate"))
    assert members[0][1] == "email" and any(r[1] == "alice@example.org" for r in members[1:])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (3, "3"),
        (None, ""),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_fast_outcomes_equal_the_gamify_rule():
    """The team view's memoised outcome must be gamify.outcome_of exactly, on real modules and random paths."""
    import random

    from cxtrain.gamify import outcome_of
    from cxtrain.scenario import engine, load_library
    from cxtrain.scenario.library import bundled_path
    from cxtrain.web.insight_team import OutcomeCache

    rng = random.Random(3)
    cache = OutcomeCache()
    for module in load_library([bundled_path()]).modules.values():
        for _ in range(25):
            state = engine.start(module)
            while not state.finished:
                choice = rng.choice(engine.visible_choices(module, state))
                state = engine.choose(module, state, state.node, choice.id).state
            expected = outcome_of(module, state, None)
            assert cache.get(module, state.to_json()) == expected
            assert cache.get(module, state.to_json()) == expected  # and from the cache
