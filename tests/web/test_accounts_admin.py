"""What an admin does with accounts after the first day: import a staff list, move people between
teams and roles, reset a forgotten password (which ends the person's other sessions)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from webhelpers import PASSWORD, change_password, login

from cxtrain.cli import main
from cxtrain.store.models import TeamStats, User


def _users(app) -> dict[str, User]:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return {u.email: u for u in db.scalars(select(User))}


def _import(runner, tmp_path: Path, content: bytes | str, *options: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "staff.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return runner.invoke(main, ["users", "import", *options, str(path)])


def _generated(output: str) -> dict[str, str]:
    """The email,password lines the import printed (after its own header line)."""
    lines = output.strip().splitlines()
    start = lines.index("email,password")
    return dict(line.split(",", 1) for line in lines[start + 1 :])


# Saved by a spreadsheet: byte-order mark, capitalised header, CRLF, a blank line at the end.
STAFF = (
    "\ufeffEmail,Name,Job_Role,Team\r\n"
    "ana@example.org,Ana Ruiz,frontline-associate,North\r\n"
    "BO@example.org,Bo Chen,,North\r\n"
    'cy@example.org,"Cy, Jr.",team-manager,South\r\n'
    ",,,\r\n"
)


def test_a_staff_list_becomes_accounts_that_can_log_in(app, client, runner, tmp_path):
    result = _import(runner, tmp_path, STAFF)
    assert result.exit_code == 0, result.output
    assert "3 accounts were created, 0 updated" in result.output
    passwords = _generated(result.output)
    assert set(passwords) == {"ana@example.org", "bo@example.org", "cy@example.org"}

    users = _users(app)
    assert (users["cy@example.org"].name, users["cy@example.org"].job_role) == ("Cy, Jr.", "team-manager")
    assert users["bo@example.org"].job_role is None and users["bo@example.org"].role == "learner"
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.get(TeamStats, "North").members == 2  # the team board counts them at once
    assert login(client, "bo@example.org", passwords["bo@example.org"]).status_code == 302


def test_importing_an_updated_list_moves_people_and_keeps_roles_and_passwords(app, client, runner, tmp_path):
    assert _import(runner, tmp_path, "email,password,role\nana@example.org,her own passphrase,trainer\n").exit_code == 0
    updated = "email,name,job_role,team,role,password\nana@example.org,Ana R.,team-manager,South,learner,\n"
    result = _import(runner, tmp_path, updated)
    assert result.exit_code == 0, result.output
    assert "0 accounts were created, 1 updated" in result.output and "email,password" not in result.output
    ana = _users(app)["ana@example.org"]
    assert (ana.name, ana.job_role, ana.team, ana.role) == ("Ana R.", "team-manager", "South", "trainer")
    assert login(client, "ana@example.org", "her own passphrase").status_code == 302

    again = _import(runner, tmp_path, updated)
    assert "0 updated, 1 already up to date" in again.output


def test_a_file_with_mistakes_changes_nothing_and_names_every_line(app, runner, tmp_path):
    bad = (
        "email,name,job_role,role\n"
        "ok@example.org,Ok,frontline-associate,learner\n"
        "not-an-email,X,,\n"
        "ok@example.org,Again,,\n"
        "dee@example.org,Dee,frontline-asociate,boss\n"
    )
    result = _import(runner, tmp_path, bad)
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "line 3: 'not-an-email' is not an email address" in result.output
    assert "line 4: ok@example.org is already on line 2" in result.output
    assert "line 5: Unknown job role 'frontline-asociate'. Did you mean 'frontline-associate'?" in result.output
    assert "line 5: unknown account role 'boss'" in result.output
    assert _users(app) == {}

    # Longer than the columns: PostgreSQL would refuse the row with an error, so the import says so first.
    long = _import(runner, tmp_path, f"email,name,team\nlong@example.org,{'N' * 201},{'T' * 101}\n")
    assert long.exit_code == 1
    assert "line 2: A name has at most 200 characters." in long.output
    assert "line 2: A team name has at most 100 characters." in long.output
    assert _users(app) == {}

    header = _import(runner, tmp_path, "mail,nmae\nx@example.org,X\n")
    assert "unknown column 'nmae'. Did you mean 'name'?" in header.output
    assert "there is no 'email' column" in header.output

    latin1 = _import(runner, tmp_path, "email,name\nok@example.org,Ok\nj@example.org,Jos\xe9\n".encode("latin-1"))
    assert latin1.exit_code == 1 and "line 3 is not UTF-8 text; save the file as 'CSV UTF-8'" in latin1.output
    assert _users(app) == {}


def test_a_dry_run_says_what_would_change_and_writes_nothing(app, runner, tmp_path):
    result = _import(runner, tmp_path, STAFF, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 accounts would be created" in result.output and "email,password" not in result.output
    assert _users(app) == {}


def test_edit_moves_a_person_to_another_team_and_role(app, runner, learner):
    result = runner.invoke(main, ["users", "edit", learner, "--team", "South", "--job-role", "team-manager"])
    assert result.exit_code == 0, result.output
    user = _users(app)[learner]
    assert (user.team, user.job_role) == ("South", "team-manager")
    assert runner.invoke(main, ["users", "edit", learner, "--team", ""]).exit_code == 0
    assert _users(app)[learner].team is None
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.coalesce(func.sum(TeamStats.members), 0))) == 0

    typo = runner.invoke(main, ["users", "edit", learner, "--job-role", "ceo-typo"])
    assert typo.exit_code == 2 and "Unknown job role 'ceo-typo'" in typo.output
    too_long = runner.invoke(main, ["users", "edit", learner, "--team", "T" * 101])
    assert too_long.exit_code == 2 and "A team name has at most 100 characters." in too_long.output
    nothing = runner.invoke(main, ["users", "edit", learner])
    assert nothing.exit_code == 2 and "Say what to change" in nothing.output
    nobody = runner.invoke(main, ["users", "edit", "nobody@example.org", "--team", "X"])
    assert nobody.exit_code == 1 and "No account for nobody@example.org" in nobody.output


def test_an_admin_password_reset_ends_the_persons_sessions(app, runner, learner):
    phone, laptop = app.test_client(), app.test_client()
    for device in (phone, laptop):
        login(device, learner)
        assert device.get("/modules").status_code == 200

    result = runner.invoke(main, ["users", "set-password", learner], input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    for device in (phone, laptop):
        assert device.get("/modules").status_code == 302  # back to the login page
    assert login(phone, learner, PASSWORD).status_code == 200  # the old password is refused
    assert login(phone, learner, "a brand new passphrase").status_code == 302

    short = runner.invoke(main, ["users", "set-password", learner], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_a_leaked_password_reset_can_revoke_the_api_tokens(app, client, runner, learner):
    from webhelpers import token_for

    script, notebook = token_for(client, learner), token_for(client, learner)
    kept = runner.invoke(main, ["users", "set-password", learner], input="a brand new passphrase\n")
    assert kept.exit_code == 0 and "Revoked" not in kept.output
    assert client.get("/api/me", headers=script).status_code == 200  # a forgotten password: scripts go on

    result = runner.invoke(main, ["users", "set-password", learner, "--revoke-tokens"], input="another passphrase\n")
    assert result.exit_code == 0 and "Revoked 2 API tokens." in result.output
    assert [client.get("/api/me", headers=h).status_code for h in (script, notebook)] == [401, 401]

    old = client.post("/api/tokens", json={"email": learner, "password": PASSWORD})
    assert old.status_code == 401  # the old password no longer makes tokens either
    new_token = client.post("/api/tokens", json={"email": learner, "password": "another passphrase"})
    assert new_token.status_code == 201
    assert runner.invoke(main, ["tokens", "revoke", learner, "--all"]).output.strip() == "Revoked 1 API token."
    neither = runner.invoke(main, ["tokens", "revoke", learner])
    assert neither.exit_code == 2 and "Give a token id" in neither.output
    both = runner.invoke(main, ["tokens", "revoke", learner, "1", "--all"])
    assert both.exit_code == 2 and "Give a token id" in both.output


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, learner):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, learner)
    login(elsewhere, learner)
    assert change_password(here, "a new passphrase").status_code == 302
    assert "logged out everywhere else" in here.get("/modules").get_data(as_text=True)
    assert elsewhere.get("/modules").status_code == 302


def test_the_example_in_the_admin_guide_imports(app, runner, tmp_path):
    guide = (Path(__file__).parents[2] / "docs" / "admin.md").read_text(encoding="utf-8")
    example = guide.split("```csv\n", 1)[1].split("```", 1)[0]
    result = _import(runner, tmp_path, example)
    assert result.exit_code == 0, result.output
    assert _users(app)["cy@example.org"].role == "trainer"
    assert set(_generated(result.output)) == {"ana@example.org", "bo@example.org", "cy@example.org"}


def test_closing_the_account_of_someone_who_left(app, client, runner, learner):
    from datetime import UTC, datetime

    from cxtrain.store import boards
    from cxtrain.store.models import Attempt, LearnerStats
    from cxtrain.store.xp_ledger import add_xp, lock_learner

    colleague = "colleague@example.org"
    assert runner.invoke(main, ["users", "edit", learner, "--team", "North"]).exit_code == 0
    from webhelpers import add_user, token_for

    add_user(app, colleague)
    headers = token_for(client, learner)
    assert client.post("/api/attempts", json={"module": "web-fixture"}, headers=headers).status_code == 201
    now = datetime.now(UTC)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        learner_id = db.scalar(select(User.id).where(User.email == learner))
        lock_learner(db, learner_id)
        add_xp(db, learner_id, 40, "practice", now)
        db.commit()
    browser = app.test_client()
    login(browser, learner)

    result = runner.invoke(main, ["users", "close", learner])
    assert result.exit_code == 0, result.output
    assert browser.get("/modules").status_code == 302  # the session is over
    assert client.get("/api/me", headers=headers).status_code == 401  # and so is the token
    refused = login(app.test_client(), learner)
    assert refused.status_code == 200 and "This account has been closed" in refused.get_data(as_text=True)
    token = client.post("/api/tokens", json={"email": learner, "password": PASSWORD})
    assert token.status_code == 403 and token.get_json()["error"] == "account-closed"
    listing = runner.invoke(main, ["users", "list"]).output
    assert f"{learner}\tlearner\tfrontline-associate\t-\t\tclosed" in listing

    with app.extensions["cxtrain.sessionmaker"]() as db:
        colleague_id = db.scalar(select(User.id).where(User.email == colleague))
        board = boards.board(db, colleague_id, "all", now.date())
        assert [p.user_id for p in board] == [colleague_id]  # off the board
        assert db.scalar(select(TeamStats.members).where(TeamStats.team == "North")) == 0  # out of the team
        assert db.scalar(select(func.count()).select_from(Attempt)) == 1  # history is kept
        assert db.scalar(select(LearnerStats.xp_total).where(LearnerStats.user_id == learner_id)) == 40

    again = runner.invoke(main, ["users", "reopen", learner])  # back into the team they left
    assert again.exit_code == 0 and "in team North" in again.output
    assert login(app.test_client(), learner).status_code == 302
    with app.extensions["cxtrain.sessionmaker"]() as db:
        board = boards.board(db, colleague_id, "all", now.date())
        assert [p.user_id for p in board] == [learner_id, colleague_id]
        assert db.scalar(select(TeamStats.members).where(TeamStats.team == "North")) == 1


def test_reopening_chooses_the_team_they_left_another_or_none(app, runner, learner):
    def team() -> str | None:
        with app.extensions["cxtrain.sessionmaker"]() as db:
            return db.scalar(select(User.team).where(User.email == learner))

    def close_in(team_name: str) -> None:
        assert runner.invoke(main, ["users", "edit", learner, "--team", team_name]).exit_code == 0
        assert runner.invoke(main, ["users", "close", learner]).exit_code == 0
        assert team() is None

    close_in("North")
    both = runner.invoke(main, ["users", "reopen", learner, "--team", "South", "--no-team"])
    assert both.exit_code == 2 and "not both" in both.output
    too_long = runner.invoke(main, ["users", "reopen", learner, "--team", "x" * 101])
    assert too_long.exit_code == 1 and "at most 100 characters" in too_long.output
    result = runner.invoke(main, ["users", "reopen", learner, "--no-team"])
    assert (result.exit_code, result.output.strip(), team()) == (0, f"Reopened {learner}.", None)

    close_in("North")
    result = runner.invoke(main, ["users", "reopen", learner, "--team", " South "])
    assert (result.exit_code, team()) == (0, "South") and "in team South" in result.output

    # Reopening an open account changes nothing (its team stays).
    again = runner.invoke(main, ["users", "reopen", learner, "--no-team"])
    assert (again.exit_code, again.output.strip(), team()) == (0, f"{learner} is already open.", "South")


def test_the_last_admin_cannot_be_closed_or_demoted(app, runner):
    from webhelpers import add_user

    add_user(app, "boss@example.org", role="admin")
    for args in (["close", "boss@example.org"], ["set-role", "boss@example.org", "trainer"]):
        result = runner.invoke(main, ["users", *args])
        assert result.exit_code == 1 and "the only admin" in result.output
    add_user(app, "deputy@example.org", role="admin")
    assert runner.invoke(main, ["users", "set-role", "boss@example.org", "trainer"]).exit_code == 0
    assert runner.invoke(main, ["users", "close", "deputy@example.org"]).exit_code == 1


@pytest.mark.postgres
def test_two_admins_demoting_each_other_at_once_leave_one_admin_on_postgres(app_config, postgres_url):
    """The last-admin rule holds under a race: the second demotion waits for the first and refuses."""
    import threading

    from cxtrain.store import accounts, migrate
    from cxtrain.web import create_app

    migrate.upgrade(postgres_url)
    pg_app = create_app({**app_config, "DATABASE_URL": postgres_url})
    make_session = pg_app.extensions["cxtrain.sessionmaker"]
    with make_session() as db:
        for email in ("ann@example.org", "ben@example.org"):
            accounts.create_user(db, email, PASSWORD, role="admin")
        db.commit()

    def demote(db, email: str) -> None:  # type: ignore[no-untyped-def]
        user = accounts.find_user(db, email)
        accounts.check_role_change(db, user, "trainer")
        user.role = "trainer"

    first = make_session()
    demote(first, "ann@example.org")  # checked and changed, not yet committed: ann's side holds the locks
    outcome: list[str] = []

    def second() -> None:
        with make_session() as db:
            try:
                demote(db, "ben@example.org")
                db.commit()
                outcome.append("demoted")
            except accounts.AccountError as exc:
                outcome.append(str(exc))

    racer = threading.Thread(target=second)
    racer.start()
    racer.join(timeout=1.0)
    assert racer.is_alive() and outcome == []  # waiting for the first transaction's locks
    first.commit()
    first.close()
    racer.join(timeout=10)
    assert outcome == ["ben@example.org is the only admin; make someone else admin first."]
    with make_session() as db:
        roles = dict(db.execute(select(User.email, User.role)).all())
    assert roles == {"ann@example.org": "trainer", "ben@example.org": "admin"}
    pg_app.extensions["cxtrain.engine"].dispose()


@pytest.mark.parametrize(
    "name, said",
    [
        ("ivy.w@corp.example", "cannot be an email address"),
        ("ivy.w＠corp.example", "cannot be an email address"),  # the full-width at sign reads the same
        ("Bob\nceo@example.org\tadmin", "control characters"),
        ("\u202eevil", "control characters"),
    ],
)
def test_every_way_in_refuses_a_name_colleagues_must_not_see(app, runner, tmp_path, name, said):
    added = runner.invoke(main, ["users", "add", "ivy@example.org", "--name", name], input=PASSWORD + "\n")
    assert added.exit_code != 0 and said in added.output
    assert runner.invoke(main, ["users", "add", "ivy@example.org"], input=PASSWORD + "\n").exit_code == 0
    edited = runner.invoke(main, ["users", "edit", "ivy@example.org", "--name", name])
    assert edited.exit_code != 0 and said in edited.output
    staff = io.StringIO()
    csv.writer(staff).writerows([["email", "name"], ["jo@example.org", name]])
    imported = _import(runner, tmp_path, staff.getvalue())
    assert imported.exit_code != 0 and "nothing was imported" in imported.output and said in imported.output
    assert {u.email: u.name for u in _users(app).values()} == {"ivy@example.org": ""}


def test_users_list_is_a_spreadsheet_that_no_name_can_forge(app, runner):
    assert runner.invoke(main, ["users", "add", "bob@example.org"], input=PASSWORD + "\n").exit_code == 0
    with app.extensions["cxtrain.sessionmaker"]() as db:  # typed before names were checked
        db.execute(
            update(User).values(name='Bob\nceo@example.org\tadmin\t-\tBoard\t=HYPERLINK("http://evil.example")')
        )
        db.commit()
    listing = runner.invoke(main, ["users", "list"]).output
    rows = list(csv.reader(io.StringIO(listing), delimiter="\t"))
    assert len(rows) == 1 and rows[0][:4] == ["bob@example.org", "learner", "-", "-"]
    assert rows[0][4].startswith("Bob\nceo@example.org")  # one quoted cell, not a second account


def test_a_staff_list_saved_with_semicolons_is_told_so(app, runner, tmp_path):
    result = _import(runner, tmp_path, "email;name;job_role;team\r\nana@example.org;Ana;;North\r\n")
    assert result.exit_code != 0
    assert "separated by semicolons, not commas" in result.output and "unknown column" not in result.output
    assert _users(app) == {}
