"""The "Forgot your password?" form over HTTP: the real app and its test client, a real SQLite file and a real
SMTP server in this process.

Ask for a link, get the email, follow the link, choose a password, be logged in with every other
session ended; the same answer for addresses without an account; expired, used and tampered links
refused with a page that says so; the form's rate limits.
"""

from __future__ import annotations

import re
import threading

from mailhelpers import password_link, signed_ago
from webhelpers import PASSWORD, add_user, csrf_from, login, token_for

from cxtrain.store.models import User
from cxtrain.web import account_mail, password_links

PUBLIC = "https://cx.example.org/training"
NEW = "a brand new passphrase"
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def ask(app, client, email: str, headers: dict[str, str] | None = None, **environ: str):  # type: ignore[no-untyped-def]
    """Send the Forgot form for ``email`` and wait until the outbox has done what it does with it."""
    page = client.get("/password/forgot", headers=headers).get_data(as_text=True)
    response = client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": csrf_from(page)},
        headers=headers,
        environ_base=environ,
    )
    assert account_mail.outbox(app).wait(10), "the outbox did not finish"
    return response


def path_of(link: str) -> str:
    assert link.startswith(PUBLIC + "/password/"), link  # built on the public URL, not the request's host
    return link.removeprefix(PUBLIC)


def choose(client, path: str, new: str = NEW, confirm: str | None = None):  # type: ignore[no-untyped-def]
    """Open the link's page and send its form."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf_from(html), "token": token, "new_password": new, "confirm_password": confirm or new}
    return client.post(action, data=form)


def user(app, email: str) -> User:  # type: ignore[no-untyped-def]
    from cxtrain.store import accounts

    with app.extensions["cxtrain.sessionmaker"]() as db:
        found = accounts.find_user(db, email)
        assert found is not None
        db.expunge(found)
        return found


def test_forgot_email_link_new_password_logged_in_and_every_other_session_ended(mail_app, client, smtp, learner):
    elsewhere = mail_app.test_client()  # the learner's phone, still logged in with the old password
    assert login(elsewhere, learner).status_code == 302

    login_page = client.get("/login").get_data(as_text=True)
    assert '<a class="tap" href="/password/forgot">Forgot your password?</a>' in login_page
    response = ask(mail_app, client, " Learner@Example.org ")
    assert response.status_code == 303 and response.headers["Location"] == "/password/forgot/sent"
    sent = client.get("/password/forgot/sent").get_data(as_text=True)
    assert "If learner@example.org is the address of an open cxtrain account, an email" in sent
    assert "The link works for 24 hours." in sent

    [message] = smtp.sink.messages
    assert smtp.sink.to() == [learner]
    assert message["Subject"] == "Choose a new password for cxtrain"
    assert message["From"] == "cxtrain <cxtrain@example.org>" and message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en" and "List-Unsubscribe" not in message
    text = message.get_body(("plain",)).get_content()
    assert "The link works for 24 hours, and only once." in text
    assert f"{PUBLIC}/password/forgot" in text
    path = path_of(password_link(message, PUBLIC))

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<h1>Choose a new password</h1>" in html and 'value="learner@example.org" readonly' in html
    assert 'action="/password/reset"' in html  # the form posts the token in its body, not in the URL

    done = choose(client, path)
    assert done.status_code == 303 and done.headers["Location"] == "/modules"
    assert done.headers["Cache-Control"] == "no-store"
    modules = client.get("/modules")
    assert modules.status_code == 200  # logged in by choosing the password
    assert "Your new password is saved and you are logged in" in modules.get_data(as_text=True)
    assert elsewhere.get("/modules").status_code == 302  # the phone's session has ended

    assert login(mail_app.test_client(), learner, PASSWORD).status_code == 200  # the old password is refused
    assert login(mail_app.test_client(), learner, NEW).status_code == 302

    again = mail_app.test_client().get(path)  # the same link a second time
    assert again.status_code == 400 and again.headers["Cache-Control"] == "no-store"
    assert "<h1>This link has been used</h1>" in again.get_data(as_text=True)
    assert 'href="/password/forgot"' in again.get_data(as_text=True)  # and how to get another


def test_a_used_link_refuses_its_form_too(mail_app, client, smtp, learner):
    ask(mail_app, client, learner)
    path = path_of(password_link(smtp.sink.messages[0], PUBLIC))
    stale = mail_app.test_client()
    html = stale.get(path).get_data(as_text=True)  # a second tab, opened before the first saves
    assert choose(client, path).status_code == 303
    form = {
        "csrf_token": csrf_from(html),
        "token": path.rsplit("/", 1)[1],
        "new_password": "the other tab's choice",
        "confirm_password": "the other tab's choice",
    }
    response = stale.post("/password/reset", data=form)
    assert response.status_code == 400 and "This link has been used" in response.get_data(as_text=True)
    assert login(mail_app.test_client(), learner, NEW).status_code == 302


def test_two_tabs_sending_one_link_at_once_set_one_password(mail_app, client, smtp, learner):
    ask(mail_app, client, learner)
    path = path_of(password_link(smtp.sink.messages[0], PUBLIC))
    tabs = [mail_app.test_client() for _ in range(4)]
    forms = []
    for n, tab in enumerate(tabs):
        html = tab.get(path).get_data(as_text=True)
        forms.append({"csrf_token": csrf_from(html), "token": path.rsplit("/", 1)[1]} | dict.fromkeys(
            ("new_password", "confirm_password"), f"password of tab {n}"
        ))  # fmt: skip
    statuses: dict[int, int] = {}
    barrier = threading.Barrier(len(tabs))

    def send(n: int) -> None:
        barrier.wait()
        statuses[n] = tabs[n].post("/password/reset", data=forms[n]).status_code

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [303, 400, 400, 400]
    [winner] = [n for n, status in statuses.items() if status == 303]
    assert login(mail_app.test_client(), learner, f"password of tab {winner}").status_code == 302
    assert tabs[winner].get("/modules").status_code == 200


def test_unknown_and_closed_addresses_get_the_same_answer_and_no_email(mail_app, client, smtp, learner):
    add_user(mail_app, "gone@example.org")
    with mail_app.extensions["cxtrain.sessionmaker"]() as db:
        db.query(User).filter_by(email="gone@example.org").one().active = False
        db.commit()
    answers = {}
    for email in ("nobody@example.org", "gone@example.org", learner):
        response = ask(mail_app, mail_app.test_client(), email)
        answers[email] = (response.status_code, response.headers["Location"], response.get_data())
        sent = client.get("/password/forgot/sent")  # what the page then says
        assert sent.status_code == 200
    assert answers["nobody@example.org"] == answers["gone@example.org"] == answers[learner]
    assert smtp.sink.to() == [learner]  # only the open account got one


def test_an_address_that_is_not_one_is_said_so_and_nothing_is_sent(mail_app, client, smtp):
    for typed, message in (("", "Enter the email address of your account."), ("ana.example.org", "not an email")):
        response = ask(mail_app, client, typed)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert smtp.sink.messages == []


def test_expired_links_are_refused_with_their_lifetime_and_a_way_to_a_new_one(mail_app, client, learner):
    me = user(mail_app, learner)
    secret = mail_app.config["SECRET_KEY"]
    payload = [me.id, me.session_mark]
    day = 24 * 3600
    reset, invitation = password_links.RESET, password_links.INVITATION

    fresh_enough = signed_ago(secret, reset.salt, payload, day - 60)
    assert client.get(f"/password/reset/{fresh_enough}").status_code == 200
    expired = signed_ago(secret, reset.salt, payload, day + 60)
    response = client.get(f"/password/reset/{expired}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<h1>This link has expired</h1>" in html
    assert "A link to choose a new password works for 24 hours, and this one is older." in html
    assert 'href="/password/forgot"' in html

    # An invitation lives 7 days; a reset link cannot pass for one to live longer.
    six_days = signed_ago(secret, invitation.salt, payload, 6 * day)
    assert client.get(f"/password/invitation/{six_days}").status_code == 200
    old_invitation = client.get(f"/password/invitation/{signed_ago(secret, invitation.salt, payload, 8 * day)}")
    assert old_invitation.status_code == 400
    assert "An invitation link works for 7 days, and this one is older." in old_invitation.get_data(as_text=True)
    assert client.get(f"/password/invitation/{fresh_enough}").status_code == 400

    # The form of a page opened in time, sent after the link expired, is refused too.
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "token": expired, "new_password": NEW, "confirm_password": NEW}
    assert client.post("/password/reset", data=form).status_code == 400
    assert user(mail_app, learner).password_hash == me.password_hash


def test_tampered_cut_or_foreign_links_say_the_link_does_not_work(mail_app, client, learner):
    me = user(mail_app, learner)
    secret = mail_app.config["SECRET_KEY"]
    good = signed_ago(secret, password_links.RESET.salt, [me.id, me.session_mark], 0)
    other_id = signed_ago(secret + "x", password_links.RESET.salt, [me.id + 1, me.session_mark], 0)
    for token in (
        good[:-3],  # cut short
        # One character changed: the first, as its six bits all count (the signature's last
        # character also carries two padding bits, and a change to those alone decodes the same).
        ("A" if good[0] != "A" else "B") + good[1:],
        other_id,  # signed with another instance's key
        signed_ago(secret, "cxtrain.reminders.unsubscribe", [me.id, me.session_mark], 0),  # another purpose
        signed_ago(secret, password_links.RESET.salt, [999, me.session_mark], 0),  # no such account
        signed_ago(secret, password_links.RESET.salt, {"id": me.id}, 0),  # not our payload's shape
        "not-a-token",
        "x" * 5000,
    ):
        response = client.get(f"/password/reset/{token}")
        assert response.status_code == 400, token
        assert "<h1>This link does not work</h1>" in response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"
    form = {"csrf_token": csrf_from(client.get("/login").get_data(as_text=True)), "new_password": NEW}
    assert client.post("/password/reset", data={**form, "confirm_password": NEW}).status_code == 400  # no token
    assert client.get(f"/password/reset/{good}").status_code == 200


def test_logging_in_ends_the_links_sent_before(mail_app, client, smtp, learner):
    ask(mail_app, client, learner)
    ask(mail_app, client, learner)
    first, second = (path_of(password_link(m, PUBLIC)) for m in smtp.sink.messages)
    assert client.get(first).status_code == 200  # opening a link changes nothing
    # The learner remembered the password after all, and logs in with it.
    assert login(mail_app.test_client(), learner, PASSWORD).status_code == 302
    for path in (first, second):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 400 and "<h1>This link has been used</h1>" in html
        assert "since it was sent the password was changed or you logged in" in html
    ask(mail_app, client, learner)  # a link asked for after the login works
    assert choose(client, path_of(password_link(smtp.sink.messages[-1], PUBLIC))).status_code == 303
    assert login(mail_app.test_client(), learner, NEW).status_code == 302


def test_asking_for_an_api_token_is_a_login_too(mail_app, client, smtp, learner):
    ask(mail_app, client, learner)
    path = path_of(password_link(smtp.sink.messages[0], PUBLIC))
    refused = client.post("/api/tokens", json={"email": learner, "password": "not the password"})
    assert refused.status_code == 401
    assert client.get(path).status_code == 200  # a wrong password is not a login
    token_for(client, learner)
    assert client.get(path).status_code == 400


def test_links_outstanding_at_the_upgrade_keep_working_until_a_login(mail_app, client, learner):
    # Before the last login was recorded, a link carried the session mark; an account with no login
    # recorded since still accepts it, so invitations and resets sent before the upgrade work.
    me = user(mail_app, learner)
    assert me.last_login_at is None
    before_upgrade = signed_ago(mail_app.config["SECRET_KEY"], password_links.RESET.salt, [me.id, me.session_mark], 60)
    assert client.get(f"/password/reset/{before_upgrade}").status_code == 200
    login(mail_app.test_client(), learner)
    assert user(mail_app, learner).last_login_at is not None
    assert client.get(f"/password/reset/{before_upgrade}").status_code == 400


def test_a_closed_accounts_link_does_not_set_a_password(mail_app, client, learner):
    me = user(mail_app, learner)
    token = signed_ago(mail_app.config["SECRET_KEY"], password_links.RESET.salt, [me.id, me.session_mark], 0)
    with mail_app.extensions["cxtrain.sessionmaker"]() as db:
        db.get(User, me.id).active = False
        db.commit()
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400 and "<h1>This account is closed</h1>" in response.get_data(as_text=True)


def test_the_new_password_follows_the_same_rules_and_the_link_still_works_after_a_mistake(
    mail_app, client, smtp, learner
):
    before = user(mail_app, learner).password_hash
    ask(mail_app, client, learner)
    path = path_of(password_link(smtp.sink.messages[0], PUBLIC))
    short = choose(client, path, "short")
    assert short.status_code == 422 and "A password needs at least 8 characters." in short.get_data(as_text=True)
    differ = choose(client, path, NEW, NEW + "!")
    assert differ.status_code == 422 and "The two new passwords differ." in differ.get_data(as_text=True)
    assert 'aria-invalid="true"' in differ.get_data(as_text=True)
    assert user(mail_app, learner).password_hash == before  # nothing changed yet
    assert choose(client, path).status_code == 303


def test_the_link_needs_the_csrf_token(mail_app, client, smtp, learner):
    mail_app.config["WTF_CSRF_ENABLED"] = True
    ask(mail_app, client, learner)
    path = path_of(password_link(smtp.sink.messages[0], PUBLIC))
    form = {"token": path.rsplit("/", 1)[1], "new_password": NEW, "confirm_password": NEW}
    assert client.post("/password/reset", data=form).status_code == 400
    assert client.post("/password/forgot", data={"email": learner}).status_code == 400
    assert login(mail_app.test_client(), learner, PASSWORD).status_code == 302


def test_the_form_is_rate_limited_per_address_and_per_client(mail_app, smtp, learner):
    client = mail_app.test_client()
    # One address from many clients: three emails an hour, then 429.
    for n in range(3):
        assert ask(mail_app, client, learner, REMOTE_ADDR=f"10.0.0.{n}").status_code == 303
    response = ask(mail_app, client, learner.upper(), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429 and "Too many" in response.get_data(as_text=True)
    assert len(smtp.sink.messages) == 3
    # One client, many addresses: five a minute, then 429 (whether or not they have accounts).
    for n in range(5):
        assert ask(mail_app, client, f"someone{n}@example.org", REMOTE_ADDR="10.0.1.1").status_code == 303
    assert ask(mail_app, client, "someone5@example.org", REMOTE_ADDR="10.0.1.1").status_code == 429
    assert ask(mail_app, client, "someone5@example.org", REMOTE_ADDR="10.0.1.2").status_code == 303


def test_without_email_set_up_the_login_page_says_to_ask_the_administrator(app, client, learner):
    page = client.get("/login").get_data(as_text=True)
    assert "Forgot your password? Ask your administrator to reset it." in page
    assert 'href="/password/forgot"' not in page
    forgot = client.get("/password/forgot").get_data(as_text=True)
    assert "This service cannot send emails" in forgot and 'name="email"' not in forgot
    app.config.update(SMTP_URL="smtp+insecure://127.0.0.1:25", MAIL_FROM="cxtrain@example.org")  # no PUBLIC_URL
    assert "Ask your administrator to reset it." in client.get("/login").get_data(as_text=True)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/password/forgot", data={"email": learner, "csrf_token": token})
    assert response.status_code == 200 and "This service cannot send emails" in response.get_data(as_text=True)


def test_the_email_is_in_the_accounts_language_else_in_the_pages(mail_app, client, smtp, learner):
    add_user(mail_app, "chosen@example.org")
    with mail_app.extensions["cxtrain.sessionmaker"]() as db:
        db.query(User).filter_by(email="chosen@example.org").one().language = "en"
        db.query(User).filter_by(email=learner).one().name = "Zoë"
        db.commit()
    ask(mail_app, client, learner, headers=FRENCH)  # no language of their own: the page's
    ask(mail_app, client, "chosen@example.org", headers=FRENCH)  # their saved English wins
    french, english = smtp.sink.messages
    assert french["Subject"] == "Choisissez un nouveau mot de passe pour cxtrain"
    assert french["Content-Language"] == "fr"
    assert "Bonjour Zoë," in french.get_body(("plain",)).get_content()
    assert '<html lang="fr">' in french.get_body(("html",)).get_content()
    assert english["Subject"] == "Choose a new password for cxtrain"
    page = client.get(path_of(password_link(french, PUBLIC)), headers=FRENCH).get_data(as_text=True)
    assert "<h1>Choisissez un nouveau mot de passe</h1>" in page


def test_a_mail_server_that_cannot_be_reached_is_logged_and_the_answer_is_the_same(mail_app, client, learner, caplog):
    from liveserver import free_port

    mail_app.config["SMTP_URL"] = f"smtp+insecure://127.0.0.1:{free_port()}"  # nobody listens there
    with caplog.at_level("INFO", logger="cxtrain.mail"):
        response = ask(mail_app, client, learner)
    assert response.status_code == 303
    [record] = [r for r in caplog.records if r.name == "cxtrain.mail"]
    assert record.levelname == "WARNING" and "not sent: cannot use the mail server" in record.getMessage()
