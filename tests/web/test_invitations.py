"""Invitations and emailed reset links sent by an admin: `cxtrain users add|import --invite`,
`cxtrain users invite`, and the account pages. The real app, CLI and test client, a real SQLite
file and a real SMTP server in this process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mailhelpers import GOODBYE, REFUSED, password_link
from sqlalchemy import select
from webhelpers import PASSWORD, add_user, csrf_from, login

from cxtrain.cli import main
from cxtrain.store import accounts
from cxtrain.store.models import User

PUBLIC = "https://cx.example.org"
ADMIN = "admin@example.org"
CHOSEN = "a passphrase of my own"


@pytest.fixture
def public_url() -> str:
    return PUBLIC


@pytest.fixture
def as_admin(app, client):  # type: ignore[no-untyped-def]
    add_user(app, ADMIN, "admin", None)
    login(client, ADMIN)
    return client


def accept(app, message, password: str = CHOSEN):  # type: ignore[no-untyped-def]
    """Follow the email's link in a fresh browser and choose ``password``; returns that browser."""
    browser = app.test_client()
    path = password_link(message, PUBLIC).removeprefix(PUBLIC)
    page = browser.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(html),
        "token": re.search(r'name="token" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
        "new_password": password,
        "confirm_password": password,
    }
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    response = browser.post(action, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return browser


def find(app, email: str) -> User | None:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = accounts.find_user(db, email)
        if user is not None:
            db.expunge(user)
        return user


# --- the command line


def test_users_add_invite_emails_a_link_to_choose_a_password(mail_app, runner, smtp):
    result = runner.invoke(
        main, ["users", "add", "Ana@Example.org", "--invite", "--name", "Ana Ruiz", "--job-role", "team-manager"]
    )  # no password on standard input: none is read
    assert result.exit_code == 0, result.output
    assert "Created learner ana@example.org." in result.output
    assert "Invitation sent to ana@example.org (the link works for 7 days)." in result.output
    [message] = smtp.sink.messages
    assert smtp.sink.to() == ["ana@example.org"]
    assert message["Subject"] == "Your cxtrain account is ready: choose your password"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Hello Ana Ruiz,") and "Your account is ana@example.org." in text
    assert "The link works for 7 days, and only once." in text and f"{PUBLIC}/login" in text

    page = mail_app.test_client().get(password_link(message, PUBLIC).removeprefix(PUBLIC))
    assert "<h1>Welcome to cxtrain</h1>" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    browser = accept(mail_app, message)
    assert "Welcome! Your password is saved" in browser.get("/modules").get_data(as_text=True)
    assert login(mail_app.test_client(), "ana@example.org", CHOSEN).status_code == 302
    assert mail_app.test_client().get(password_link(message, PUBLIC).removeprefix(PUBLIC)).status_code == 400


def test_without_email_set_up_invite_changes_nothing_and_says_why(app, runner):
    result = runner.invoke(main, ["users", "add", "ana@example.org", "--invite"])
    assert result.exit_code == 1
    assert (
        "email is not set up: CXTRAIN_SMTP_URL, CXTRAIN_MAIL_FROM, CXTRAIN_PUBLIC_URL are missing "
        "(see docs/admin.md, 'Email'). Nothing was changed." in result.output
    )
    assert find(app, "ana@example.org") is None
    app.config.update(SMTP_URL="smtp+insecure://127.0.0.1:25", MAIL_FROM="cxtrain@example.org")
    assert "CXTRAIN_PUBLIC_URL is missing" in runner.invoke(main, ["users", "invite", "x@example.org"]).output


STAFF = (
    "email,name,job_role,team,password\r\n"
    "ana@example.org,Ana Ruiz,frontline-associate,North,\r\n"
    "bo@example.org,Bo Chen,,North,\r\n"
    "cy@example.org,Cy Okafor,team-manager,South,a password of the file\r\n"
)


def _import(runner, tmp_path: Path, content: str, *options: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "staff.csv"
    path.write_text(content, encoding="utf-8")
    return runner.invoke(main, ["users", "import", *options, str(path)])


def test_import_invite_emails_new_people_instead_of_printing_passwords(mail_app, runner, smtp, tmp_path):
    result = _import(runner, tmp_path, STAFF, "--invite")
    assert result.exit_code == 0, result.output
    assert "3 accounts were created, 0 updated" in result.output
    assert "email,password" not in result.output  # nothing to hand out
    assert sorted(smtp.sink.to()) == ["ana@example.org", "bo@example.org"]  # cy has the file's password
    assert login(mail_app.test_client(), "cy@example.org", "a password of the file").status_code == 302
    accept(mail_app, smtp.sink.messages[0])
    assert login(mail_app.test_client(), smtp.sink.to()[0], CHOSEN).status_code == 302

    again = _import(runner, tmp_path, STAFF + "dee@example.org,Dee,,,\r\n", "--invite")
    assert again.exit_code == 0, again.output
    assert smtp.sink.to()[2:] == ["dee@example.org"]  # people with accounts are not invited again


def test_import_invite_dry_run_says_how_many_and_sends_nothing(app, runner, smtp, tmp_path):
    result = _import(runner, tmp_path, STAFF, "--invite", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 accounts would be created" in result.output and "2 invitations would be sent." in result.output
    assert "note: CXTRAIN_SMTP_URL is not set; a real import with --invite would refuse." in result.output
    assert smtp.sink.messages == [] and find(app, "ana@example.org") is None
    refused = _import(runner, tmp_path, STAFF, "--invite")
    assert refused.exit_code == 1 and "email is not set up" in refused.output
    assert find(app, "ana@example.org") is None


def test_an_invitation_the_server_refuses_is_listed_with_the_command_to_send_it_again(mail_app, runner, smtp, tmp_path):
    staff = f"email\n{REFUSED}\nlast@example.org\n"
    result = _import(runner, tmp_path, staff, "--invite")
    assert result.exit_code == 1
    assert f"not sent: {REFUSED}: the mail server refused it (550 5.1.1 No such mailbox)" in result.output
    assert f"1 invitation not sent. Once the problem is fixed, send it with:\n  cxtrain users invite {REFUSED}" in (
        result.output
    )
    assert smtp.sink.to() == ["last@example.org"]  # the batch went on
    assert find(mail_app, REFUSED) is not None  # the accounts are there; only the email is missing


def test_a_mail_server_that_cannot_be_used_stops_and_lists_everybody_not_invited(mail_app, runner, tmp_path):
    from liveserver import free_port

    mail_app.config["SMTP_URL"] = f"smtp+insecure://127.0.0.1:{free_port()}"  # nobody listens there
    result = _import(runner, tmp_path, STAFF, "--invite")
    assert result.exit_code == 1
    assert "stopped: cannot use the mail server smtp+insecure://127.0.0.1:" in result.output
    assert "cxtrain users invite ana@example.org bo@example.org" in result.output


def test_a_server_lost_mid_batch_lists_who_was_not_invited(mail_app, runner, smtp, learner):
    for email in (GOODBYE, "third@example.org"):
        add_user(mail_app, email)
    result = runner.invoke(main, ["users", "invite", learner, GOODBYE, "third@example.org"])
    assert result.exit_code == 1
    assert "stopped: lost the mail server" in result.output
    assert f"cxtrain users invite {GOODBYE} third@example.org" in result.output
    assert smtp.sink.to() == [learner]


def test_users_invite_sends_again_and_every_link_ends_once_a_password_is_chosen(mail_app, runner, smtp, learner):
    add_user(mail_app, "bo@example.org")
    result = runner.invoke(main, ["users", "invite", learner, "BO@example.org", learner])
    assert result.exit_code == 0, result.output
    assert smtp.sink.to() == [learner, "bo@example.org"]  # once each
    assert runner.invoke(main, ["users", "invite", learner]).exit_code == 0
    first, _, second = smtp.sink.messages
    accept(mail_app, second)
    refused = mail_app.test_client().get(password_link(first, PUBLIC).removeprefix(PUBLIC))
    assert refused.status_code == 400 and "This link has been used" in refused.get_data(as_text=True)

    unknown = runner.invoke(main, ["users", "invite", "nobody@example.org"])
    assert unknown.exit_code == 1 and "No account for nobody@example.org." in unknown.output
    assert runner.invoke(main, ["users", "close", "bo@example.org"]).exit_code == 0
    closed = runner.invoke(main, ["users", "invite", learner, "bo@example.org"])
    assert closed.exit_code == 1 and "closed: bo@example.org; reopen the account first" in closed.output
    assert len(smtp.sink.messages) == 3  # nothing sent, not even to the open one


# --- the account pages


def _account_page(client, email: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    user = find(client.application, email)
    assert user is not None
    url = f"/admin/users/{user.id}"
    return url, client.get(url).get_data(as_text=True)


def test_the_account_page_emails_an_invitation_or_a_reset_link(mail_app, as_admin, smtp, learner):
    phone = mail_app.test_client()
    assert login(phone, learner, PASSWORD).status_code == 302
    url, page = _account_page(as_admin, learner)
    assert "Email an invitation" in page and "Send a password reset link" in page
    response = as_admin.post(f"{url}/email-link", data={"csrf_token": csrf_from(page), "kind": "invitation"})
    assert response.status_code == 303 and response.headers["Location"] == url
    assert "An invitation was emailed to learner@example.org; its link works for 7 days." in as_admin.get(url).get_data(
        as_text=True
    )
    response = as_admin.post(f"{url}/email-link", data={"csrf_token": csrf_from(page), "kind": "reset"})
    assert response.status_code == 303
    assert "it works for 24 hours" in as_admin.get(url).get_data(as_text=True)
    invitation, reset = smtp.sink.messages
    assert invitation["Subject"] == "Your cxtrain account is ready: choose your password"
    assert reset["Subject"] == "Choose a new password for cxtrain"
    # Nothing changes until the link is used: the learner's sessions go on (a new login with the
    # password would end the links; see test_password_reset).
    assert phone.get("/modules").status_code == 200
    accept(mail_app, reset)
    assert phone.get("/modules").status_code == 302
    assert login(mail_app.test_client(), learner, CHOSEN).status_code == 302


def test_the_account_pages_action_needs_the_csrf_token_and_an_admin(mail_app, client, as_admin, smtp, learner):
    mail_app.config["WTF_CSRF_ENABLED"] = True
    url, page = _account_page(as_admin, learner)
    assert as_admin.post(f"{url}/email-link", data={"kind": "reset"}).status_code == 400
    assert as_admin.post(f"{url}/email-link", data={"csrf_token": csrf_from(page), "kind": "x"}).status_code == 400
    assert as_admin.post("/admin/users/999999/email-link", data={"csrf_token": csrf_from(page)}).status_code == 404
    someone = mail_app.test_client()
    login(someone, learner)
    token = csrf_from(someone.get("/modules").get_data(as_text=True))
    assert someone.post(f"{url}/email-link", data={"csrf_token": token, "kind": "reset"}).status_code == 403
    assert smtp.sink.messages == []


def test_the_account_page_says_when_email_is_not_set_up_or_the_account_is_closed(app, as_admin, learner):
    url, page = _account_page(as_admin, learner)
    assert "Email is not set up on this service, so no invitation or reset link can be sent" in page
    assert "Email an invitation" not in page
    response = as_admin.post(f"{url}/email-link", data={"csrf_token": csrf_from(page), "kind": "reset"})
    assert response.status_code == 422 and "Email is not set up on this service" in response.get_data(as_text=True)

    app.config.update(SMTP_URL="smtp+insecure://127.0.0.1:25", MAIL_FROM="cxtrain@example.org", PUBLIC_URL=PUBLIC)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.scalar(select(User).where(User.email == learner)).active = False
        db.commit()
    page = as_admin.get(url).get_data(as_text=True)
    assert "Email an invitation" not in page  # a closed account gets no link
    response = as_admin.post(f"{url}/email-link", data={"csrf_token": csrf_from(page), "kind": "reset"})
    assert response.status_code == 422 and "The account is closed; reopen it first." in response.get_data(as_text=True)


def test_a_refused_email_is_said_on_the_account_page(mail_app, as_admin, smtp):
    add_user(mail_app, REFUSED)
    url, page = _account_page(as_admin, REFUSED)
    response = as_admin.post(f"{url}/email-link", data={"csrf_token": csrf_from(page), "kind": "invitation"})
    assert response.status_code == 502
    html = response.get_data(as_text=True)
    assert f"The email to {REFUSED} could not be sent: 550 5.1.1 No such mailbox" in html
    assert 'class="error" role="alert"' in html


def test_adding_an_account_with_an_invitation(mail_app, as_admin, smtp):
    page = as_admin.get("/admin/users/new").get_data(as_text=True)
    assert 'name="access" value="invite" checked' in page  # email is set up: inviting is offered first
    form = {"csrf_token": csrf_from(page), "email": "New@Example.org", "role": "learner", "access": "invite"}
    response = as_admin.post("/admin/users/new", data={**form, "once": "one-off"})
    user = find(mail_app, "new@example.org")
    assert user is not None
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/users/{user.id}"
    assert "Added new@example.org and emailed them an invitation" in as_admin.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    [message] = smtp.sink.messages
    accept(mail_app, message)
    assert login(mail_app.test_client(), "new@example.org", CHOSEN).status_code == 302
    # Sent again (a reload of the answer): the account is not added twice, nor invited again.
    again = as_admin.post("/admin/users/new", data={**form, "once": "one-off"})
    assert again.status_code == 303
    assert "If the invitation did not reach them, send it again below." in as_admin.get(
        again.headers["Location"]
    ).get_data(as_text=True)
    assert len(smtp.sink.messages) == 1


def test_without_email_the_add_page_shows_a_password_as_before(app, as_admin):
    page = as_admin.get("/admin/users/new").get_data(as_text=True)
    assert 'name="access"' not in page and "no invitation can be sent" in page
    form = {"csrf_token": csrf_from(page), "email": "new@example.org", "role": "learner", "access": "invite"}
    response = as_admin.post("/admin/users/new", data=form)  # an old tab, from before email was switched off
    assert response.status_code == 422 and find(app, "new@example.org") is None
    del form["access"]
    assert 'class="one-time"' in as_admin.post("/admin/users/new", data=form).get_data(as_text=True)
