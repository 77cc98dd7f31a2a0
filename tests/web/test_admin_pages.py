"""The admin's Accounts pages: what `cxtrain users` does, in the browser, for admins only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from webhelpers import PASSWORD, add_user, csrf_from, login

from cxtrain.store import accounts
from cxtrain.store.models import TeamStats, User

ADMIN = "admin@example.org"


@pytest.fixture
def admin(app) -> str:  # type: ignore[no-untyped-def]
    add_user(app, ADMIN, "admin", None)
    return ADMIN


@pytest.fixture
def as_admin(client, admin):  # type: ignore[no-untyped-def]
    login(client, admin)
    return client


def _user(app, email: str) -> User:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = db.scalar(select(User).where(User.email == email))
        assert user is not None, email
        db.expunge(user)
        return user


def _team(app, name: str) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        row = db.get(TeamStats, name)
        return row.members if row else 0


def _post(client, page_url: str, action: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """POST ``data`` to ``action`` with the CSRF token of the page at ``page_url``."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **(data or {})})


def _edit(client, user_id: int, **changes: str):  # type: ignore[no-untyped-def]
    url = f"/admin/users/{user_id}"
    page = client.get(url).get_data(as_text=True)
    form = {
        "name": re.search(r'id="name" name="name" value="([^"]*)"', page).group(1),  # type: ignore[union-attr]
        "job_role": (re.search(r'id="job_role".*?<option value="([^"]*)" selected', page, re.S) or [None, ""])[1],
        "team": re.search(r'id="team" name="team" value="([^"]*)"', page).group(1),  # type: ignore[union-attr]
        "role": re.search(r'id="role".*?<option value="([^"]*)" selected', page, re.S).group(1),  # type: ignore[union-attr]
    }
    return client.post(url, data={"csrf_token": csrf_from(page), **form, **changes})


def _shown_password(html: str) -> str:
    match = re.search(r'<p class="one-time">Password: <code>([^<]+)</code>', html)
    assert match, html
    return match.group(1)


# --- who may


def test_only_admins_reach_the_accounts_pages(app, client, learner, trainer, admin):
    learner_id = _user(app, learner).id
    paths = ["/admin/users", "/admin/users/new", f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/close"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for email in (learner, trainer):
        login(client, email)
        assert "/admin/users" not in client.get("/modules").get_data(as_text=True)  # no Accounts link
        for path in paths:
            assert client.get(path).status_code == 403, (email, path)
        token = csrf_from(client.get("/modules").get_data(as_text=True))
        for action in ("", "/password", "/close", "/reopen"):
            response = client.post(f"/admin/users/{learner_id}{action}", data={"csrf_token": token, "role": "admin"})
            assert response.status_code == 403, (email, action)
        client.post("/logout", data={"csrf_token": token})
    assert _user(app, learner).role == "learner" and _user(app, learner).active

    login(client, admin)
    modules = client.get("/modules").get_data(as_text=True)
    assert '<a href="/admin/users">Accounts</a>' in modules
    page = client.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert '<a href="/admin/users" aria-current="true">Accounts</a>' in page  # inside the section
    assert '<a href="/admin/users" aria-current="page">Accounts</a>' in client.get("/admin/users").get_data(
        as_text=True
    )


def test_an_unknown_id_is_not_found(as_admin):
    token = csrf_from(as_admin.get("/admin/users").get_data(as_text=True))
    assert as_admin.get("/admin/users/999999").status_code == 404
    assert as_admin.get("/admin/users/999999/close").status_code == 404
    assert as_admin.get("/admin/users/99999999999999999999999999").status_code == 404
    for action in ("", "/password", "/close", "/reopen"):
        assert as_admin.post(f"/admin/users/999999{action}", data={"csrf_token": token}).status_code == 404


def test_every_form_needs_the_csrf_token(app, as_admin, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    before = _user(app, learner)
    learner_id = before.id
    for action in ("", "/password", "/close", "/reopen"):
        response = as_admin.post(f"/admin/users/{learner_id}{action}", data={"role": "admin", "team": "X"})
        assert response.status_code == 400, action
    new = {"email": "new@example.org", "role": "admin"}
    assert as_admin.post("/admin/users/new", data=new).status_code == 400
    user = _user(app, learner)
    assert (user.role, user.team, user.active, user.password_hash) == ("learner", None, True, before.password_hash)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert accounts.find_user(db, "new@example.org") is None
    for path in ("/admin/users/new", f"/admin/users/{learner_id}"):
        assert 'name="csrf_token"' in as_admin.get(path).get_data(as_text=True)


# --- the list


def test_the_list_pages_through_many_accounts_by_email_and_searches(app, as_admin):
    with app.extensions["cxtrain.sessionmaker"]() as db:
        hashed = accounts.hash_password(PASSWORD)  # one hash for all: 120 argon2 runs would be slow
        for n in range(120):
            team = "North" if n % 2 else "South"
            db.add(User(email=f"p{n:03d}@example.org", name=f"Person {n}", password_hash=hashed, team=team))
        db.add(User(email="zed@example.org", name="Zed 100%_x", password_hash=hashed, job_role="team-manager"))
        db.commit()

    first = as_admin.get("/admin/users").get_data(as_text=True)
    emails = re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', first)
    assert emails == sorted(emails) and len(emails) == 50 and emails[0] == "admin@example.org"
    assert "122 accounts, page 1 of 3" in first
    assert 'href="/admin/users?page=2"' in first and "Previous page" not in first
    last = as_admin.get("/admin/users?page=3").get_data(as_text=True)
    assert len(re.findall(r'<a href="/admin/users/\d+">', last)) == 22 and "Next page" not in last
    assert "<td>Team manager</td>" in last  # the job role's title from the catalog
    # Past the end: the last page (compared by its rows: the page's CSRF token carries a timestamp).
    beyond = as_admin.get("/admin/users?page=99").get_data(as_text=True)
    rows = re.compile(r'<a href="/admin/users/\d+">([^<]+)</a>')
    assert "page 3 of 3" in beyond and rows.findall(beyond) == rows.findall(last)
    for junk in ("0", "-3", "abc"):
        assert "page 1 of 3" in as_admin.get(f"/admin/users?page={junk}").get_data(as_text=True)

    north = as_admin.get("/admin/users?q=north").get_data(as_text=True)  # team, any case
    assert "60 accounts matching “north”, page 1 of 2" in north
    assert 'href="/admin/users?q=north&amp;page=2"' in north
    assert "1 account matching" in as_admin.get("/admin/users?q=P007@").get_data(as_text=True)  # email
    by_name = as_admin.get("/admin/users?q=Person 11").get_data(as_text=True)
    assert len(re.findall(r'<a href="/admin/users/\d+">', by_name)) == 11  # 11, 110..119
    wild = as_admin.get("/admin/users?q=100%25_").get_data(as_text=True)  # % and _ are plain characters
    assert re.findall(r'<a href="/admin/users/\d+">([^<]+)</a>', wild) == ["zed@example.org"]
    assert "0 accounts matching" in as_admin.get("/admin/users?q=nobody-here").get_data(as_text=True)


# --- editing


def test_edit_changes_job_role_team_and_role_and_the_team_board_follows(app, as_admin, learner):
    learner_id = _user(app, learner).id
    response = _edit(as_admin, learner_id, name="Lee Learner", job_role="team-manager", team="North", role="trainer")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{learner_id}"
    assert "Saved learner@example.org." in as_admin.get(response.headers["Location"]).get_data(as_text=True)
    user = _user(app, learner)
    assert (user.name, user.job_role, user.team, user.role) == ("Lee Learner", "team-manager", "North", "trainer")
    assert _team(app, "North") == 1

    assert _edit(as_admin, learner_id, team="South").status_code == 302
    assert (_team(app, "North"), _team(app, "South")) == (0, 1)
    assert _edit(as_admin, learner_id, team="", job_role="").status_code == 302
    user = _user(app, learner)
    assert (user.team, user.job_role, _team(app, "South")) == (None, None, 0)
    listed = as_admin.get("/admin/users").get_data(as_text=True)
    assert "Lee Learner" in listed and "<td>trainer</td>" in listed


def test_bad_input_is_refused_with_a_message_and_nothing_changes(app, as_admin, learner):
    learner_id = _user(app, learner).id
    for changes, message in (
        ({"job_role": "ceo-typo"}, "Unknown job role &#39;ceo-typo&#39;. The job roles are: "),
        ({"role": "boss"}, "Unknown account role &#39;boss&#39;"),
        ({"team": "T" * 101}, "A team name has at most 100 characters."),
        ({"name": "N" * 201}, "A name has at most 200 characters."),
    ):
        response = _edit(as_admin, learner_id, **{"team": "North", **changes})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, changes
        assert message in page and 'aria-invalid="true"' in page and 'role="alert"' in page, changes
    user = _user(app, learner)
    assert (user.job_role, user.role, user.team) == ("frontline-associate", "learner", None)


def test_the_last_open_admin_cannot_be_demoted_or_closed(app, as_admin, admin, trainer):
    admin_id = _user(app, admin).id
    response = _edit(as_admin, admin_id, role="trainer")
    assert response.status_code == 422
    assert "admin@example.org is the only admin; make someone else admin first." in response.get_data(as_text=True)
    assert _user(app, admin).role == "admin"

    # Their own account has no Close button, and a hand-made request is refused too.
    page = as_admin.get(f"/admin/users/{admin_id}").get_data(as_text=True)
    assert f"/admin/users/{admin_id}/close" not in page and "another admin can close it" in page
    response = _post(as_admin, f"/admin/users/{admin_id}", f"/admin/users/{admin_id}/close")
    assert response.status_code == 422 and "You cannot close your own account" in response.get_data(as_text=True)
    assert _user(app, admin).active

    # With a second admin, the first may step down, and loses the admin pages at once.
    trainer_id = _user(app, trainer).id
    assert _edit(as_admin, trainer_id, role="admin").status_code == 302
    response = _edit(as_admin, admin_id, role="learner")
    assert response.status_code == 302 and response.headers["Location"] == "/modules"
    assert as_admin.get("/admin/users").status_code == 403


def test_a_refused_close_shows_the_stores_message(app, as_admin, trainer, monkeypatch):
    # Through the page only a race reaches close_account's last-admin refusal (the acting admin is
    # an open admin, and may not close themselves): its message is shown, nothing changes.
    def refuse(_db, user):  # type: ignore[no-untyped-def]
        raise accounts.AccountError(f"{user.email} is the only admin; make someone else admin first.")

    monkeypatch.setattr(accounts, "close_account", refuse)
    trainer_id = _user(app, trainer).id
    response = _post(as_admin, f"/admin/users/{trainer_id}", f"/admin/users/{trainer_id}/close")
    assert response.status_code == 422
    assert "trainer@example.org is the only admin; make someone else admin first." in response.get_data(as_text=True)
    assert _user(app, trainer).active


# --- passwords


def test_a_password_reset_ends_the_persons_sessions_and_the_shown_password_logs_in(app, as_admin, learner):
    learner_id = _user(app, learner).id
    phone = app.test_client()
    login(phone, learner)
    assert phone.get("/modules").status_code == 200

    response = _post(as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/password")
    assert response.status_code == 200  # the one page that is not a redirect: the password is on it
    assert response.headers["Cache-Control"] == "no-store" and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    new = _shown_password(page)
    assert len(new) >= 16 and "shown only this once" in page
    assert new not in response.headers.get("Location", "") and new not in response.headers.get("Set-Cookie", "")

    assert phone.get("/modules").status_code == 302  # their session is over
    assert login(phone, learner, PASSWORD).status_code == 200  # the old password is refused
    assert login(phone, learner, new).status_code == 302
    # Nothing keeps the password: the account page and the list do not show it again.
    assert new not in as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert new not in as_admin.get("/admin/users").get_data(as_text=True)


def test_an_admin_resetting_their_own_password_stays_logged_in_here(app, as_admin, admin):
    admin_id = _user(app, admin).id
    elsewhere = app.test_client()
    login(elsewhere, admin)
    response = _post(as_admin, f"/admin/users/{admin_id}", f"/admin/users/{admin_id}/password")
    new = _shown_password(response.get_data(as_text=True))
    assert as_admin.get("/admin/users").status_code == 200
    assert elsewhere.get("/admin/users").status_code == 302
    assert login(elsewhere, admin, new).status_code == 302


def test_a_password_reset_revokes_the_api_tokens_unless_unticked(app, as_admin, learner):
    from webhelpers import token_for

    learner_id = _user(app, learner).id
    api = app.test_client()
    script = token_for(api, learner)
    page = as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert "Also revoke their 1 API token " in page and 'name="revoke_tokens" value="1" checked' in page

    # Unticked (a forgotten password): the script's token goes on working.
    response = _post(as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/password")
    assert "revoked" not in response.get_data(as_text=True)
    assert api.get("/api/me", headers=script).status_code == 200

    response = _post(
        as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/password", {"revoke_tokens": "1"}
    )
    assert "and their 1 API token was revoked." in response.get_data(as_text=True)
    assert api.get("/api/me", headers=script).status_code == 401
    # No tokens left: the box is not offered.
    assert 'name="revoke_tokens"' not in as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)


def _once(html: str) -> str:
    match = re.search(r'name="once" value="([^"]+)"', html)
    assert match, "no one-off token in the form"
    return match.group(1)


def test_reloading_the_one_time_password_page_does_not_reset_again(app, as_admin, learner):
    learner_id = _user(app, learner).id
    account = as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(account), "once": _once(account)}
    shown = _shown_password(as_admin.post(f"/admin/users/{learner_id}/password", data=form).get_data(as_text=True))
    hashed = _user(app, learner).password_hash

    # The browser's "resend the form" on reload: the same body again.
    reloaded = as_admin.post(f"/admin/users/{learner_id}/password", data=form)
    assert reloaded.status_code == 303 and reloaded.headers["Location"] == f"/admin/users/{learner_id}"
    assert "was already reset from this page" in as_admin.get(reloaded.headers["Location"]).get_data(as_text=True)
    assert _user(app, learner).password_hash == hashed
    assert login(app.test_client(), learner, shown).status_code == 302  # the password handed over still works

    # A new click on the account page is a new reset.
    account = as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert _once(account) != form["once"]
    second = _post(
        as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/password", {"once": _once(account)}
    )
    assert _shown_password(second.get_data(as_text=True)) != shown
    assert _user(app, learner).password_hash != hashed


def test_reloading_the_account_added_page_shows_the_account_not_an_error(app, as_admin):
    page = as_admin.get("/admin/users/new").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "once": _once(page), "email": "new@example.org", "role": "learner"}
    first = as_admin.post("/admin/users/new", data=form)
    assert first.status_code == 200 and _shown_password(first.get_data(as_text=True))
    new_id = _user(app, "new@example.org").id
    hashed = _user(app, "new@example.org").password_hash

    reloaded = as_admin.post("/admin/users/new", data=form)
    assert reloaded.status_code == 303 and reloaded.headers["Location"] == f"/admin/users/{new_id}"
    assert "was already added from this page" in as_admin.get(reloaded.headers["Location"]).get_data(as_text=True)
    assert _user(app, "new@example.org").password_hash == hashed
    # Without the form's token (another tool, an old page) the address is refused as taken, as before.
    taken = _post(as_admin, "/admin/users/new", "/admin/users/new", {"email": "new@example.org", "role": "learner"})
    assert taken.status_code == 422 and "There is already an account" in taken.get_data(as_text=True)


# --- close and reopen


def test_close_and_reopen(app, as_admin, learner):
    learner_id = _user(app, learner).id
    assert _edit(as_admin, learner_id, team="North").status_code == 302
    phone = app.test_client()
    login(phone, learner)

    # The account page only links to a page that says what closing does; nothing happens on a GET.
    account = as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert f'href="/admin/users/{learner_id}/close"' in account and 'action="/admin/users/{learner_id}/close"' not in (
        account
    )
    confirm = as_admin.get(f"/admin/users/{learner_id}/close").get_data(as_text=True)
    assert "Close the account of learner@example.org?" in confirm and "their team, North" in confirm
    assert f'action="/admin/users/{learner_id}/close"' in confirm and f'href="/admin/users/{learner_id}"' in confirm
    assert _user(app, learner).active and phone.get("/modules").status_code == 200

    response = _post(as_admin, f"/admin/users/{learner_id}/close", f"/admin/users/{learner_id}/close")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{learner_id}"
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Closed learner@example.org" in page and "Reopen the account" in page
    user = _user(app, learner)
    assert (user.active, user.team, _team(app, "North")) == (False, None, 0)
    assert phone.get("/modules").status_code == 302
    refused = login(phone, learner)
    assert refused.status_code == 200 and "This account has been closed" in refused.get_data(as_text=True)
    assert '<span class="status failed">closed</span>' in as_admin.get("/admin/users").get_data(as_text=True)
    # Once closed, the confirmation page sends the admin back to the account.
    again = as_admin.get(f"/admin/users/{learner_id}/close")
    assert again.status_code == 302 and again.headers["Location"] == f"/admin/users/{learner_id}"

    # A closed account joins no team through the edit form (it would count on the board again).
    response = _edit(as_admin, learner_id, team="North")
    assert response.status_code == 422 and "reopen it to put it in one" in response.get_data(as_text=True)
    assert _team(app, "North") == 0

    # Reopening offers the team they left; the admin may keep it, change it or empty it.
    page = as_admin.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert 'id="reopen-team" name="team" maxlength="100" autocomplete="off" value="North"' in page
    response = _post(as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/reopen", {"team": "North"})
    assert response.status_code == 302
    user = _user(app, learner)
    assert (user.active, user.team, user.team_when_closed, _team(app, "North")) == (True, "North", None, 1)
    assert login(phone, learner).status_code == 302

    _post(as_admin, f"/admin/users/{learner_id}/close", f"/admin/users/{learner_id}/close")
    response = _post(as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/reopen", {"team": "South"})
    user = _user(app, learner)
    assert (user.active, user.team, _team(app, "North"), _team(app, "South")) == (True, "South", 0, 1)
    _post(as_admin, f"/admin/users/{learner_id}/close", f"/admin/users/{learner_id}/close")
    response = _post(as_admin, f"/admin/users/{learner_id}", f"/admin/users/{learner_id}/reopen", {"team": ""})
    assert (_user(app, learner).active, _user(app, learner).team) == (True, None)


def test_closing_your_own_account_is_refused_on_the_confirmation_page_too(app, as_admin, admin):
    admin_id = _user(app, admin).id
    page = as_admin.get(f"/admin/users/{admin_id}/close").get_data(as_text=True)
    assert "This is your own account: another admin can close it." in page
    assert f'action="/admin/users/{admin_id}/close"' not in page


# --- adding


def test_add_an_account_with_a_password_shown_once(app, as_admin):
    response = _post(
        as_admin,
        "/admin/users/new",
        "/admin/users/new",
        {
            "email": " New.Person@Example.org ",
            "name": "New Person",
            "job_role": "team-manager",
            "team": "North",
            "role": "learner",
        },
    )
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = _shown_password(response.get_data(as_text=True))
    user = _user(app, "new.person@example.org")
    assert (user.name, user.job_role, user.team, user.role) == ("New Person", "team-manager", "North", "learner")
    assert _team(app, "North") == 1
    newcomer = app.test_client()
    assert login(newcomer, "new.person@example.org", password).status_code == 302


def test_adding_with_bad_input_says_what_is_wrong(app, as_admin, learner):
    for form, message in (
        ({"email": "not-an-email"}, "&#39;not-an-email&#39; is not an email address"),
        ({"email": "a b@example.org"}, "is not an email address"),
        ({"email": "LEARNER@example.org"}, "There is already an account for learner@example.org."),
        ({"email": "x@example.org", "job_role": "frontline-asociate"}, "Unknown job role &#39;frontline-asociate&#39;"),
        ({"email": "x@example.org", "role": "root"}, "Unknown account role &#39;root&#39;"),
        ({"email": "x" * 320 + "@example.org"}, "at most 320 characters"),
    ):
        response = _post(as_admin, "/admin/users/new", "/admin/users/new", {"role": "learner", **form})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, form
        assert message in page and 'role="alert"' in page, form
        assert f'value="{form["email"].strip().lower()}"' in page  # what was typed stays in the form
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(User).where(User.email == "x@example.org")) is None


def test_the_account_page_shows_the_last_login(app, as_admin, learner):
    url = f"/admin/users/{_user(app, learner).id}"
    assert "no login recorded" in as_admin.get(url).get_data(as_text=True)
    assert login(app.test_client(), learner, "a wrong password").status_code == 200
    assert "no login recorded" in as_admin.get(url).get_data(as_text=True)  # a failed try is no login
    assert login(app.test_client(), learner, PASSWORD).status_code == 302
    page = as_admin.get(url).get_data(as_text=True)
    assert "no login recorded" not in page
    assert re.search(r"last login \w{3} \d{1,2}, \d{4}", page), page
    french = as_admin.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "dernière connexion le" in french
