"""The learner's side of the reminders: the profile setting and the unsubscribe link; and the settings."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from mailhelpers import add_learner
from webhelpers import csrf_from, login

from cxtrain.store.models import User
from cxtrain.web import config, mailer, unsubscribe


def _user(app, uid: int) -> User:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return db.get(User, uid)


def _link(app, uid: int) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return "/reminders/unsubscribe/" + unsubscribe.token_for(_user(app, uid))


@pytest.fixture
def csrf_on(app):  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    return app


# --- The unsubscribe link


def test_opening_the_link_only_asks(csrf_on, client):
    uid = add_learner(csrf_on, "open@example.org", reminders=True)
    page = client.get(_link(csrf_on, uid))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert '<form method="post"' in html and "Stop reminder emails</button>" in html
    assert _user(csrf_on, uid).reminders is True  # a link scanner's GET changes nothing


def test_the_button_switches_reminders_off_without_logging_in(csrf_on, client):
    uid = add_learner(csrf_on, "button@example.org", reminders=True)
    done = client.post(_link(csrf_on, uid))
    assert done.status_code == 200
    assert "you will get no more reminder emails" in done.get_data(as_text=True)
    assert _user(csrf_on, uid).reminders is False
    assert client.post(_link(csrf_on, uid)).status_code == 200  # a second click is no error


def test_one_click_unsubscribe_from_the_mail_client(csrf_on, client):
    uid = add_learner(csrf_on, "one-click@example.org")  # never chose: the default applied
    response = client.post(
        _link(csrf_on, uid),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert _user(csrf_on, uid).reminders is False


def test_other_forms_still_need_their_csrf_token(csrf_on, client):
    uid = add_learner(csrf_on, "csrf@example.org", reminders=True)
    login(client, "csrf@example.org")
    assert client.post("/profile", data={"reminders": "off"}).status_code == 400
    assert _user(csrf_on, uid).reminders is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_or_foreign_token_is_a_clear_400(csrf_on, client, method):
    uid = add_learner(csrf_on, "tamper@example.org", reminders=True)
    good = _link(csrf_on, uid)
    signed_elsewhere = URLSafeTimedSerializer("test-secret-key", salt="another purpose").dumps([uid, "x"])
    for bad in (
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        good.replace("/unsubscribe/", "/unsubscribe/x"),
        "/reminders/unsubscribe/" + signed_elsewhere,
        "/reminders/unsubscribe/not-a-token",
        "/reminders/unsubscribe/%00%ff",
    ):
        response = getattr(client, method)(bad)
        assert response.status_code == 400, bad
        assert "This link does not work" in response.get_data(as_text=True)
    assert _user(csrf_on, uid).reminders is True


def test_a_link_more_than_a_year_old_says_so(app, client):
    uid = add_learner(app, "old@example.org", reminders=True)

    class LastYear(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 400 * 24 * 3600

    user = _user(app, uid)
    signer = URLSafeTimedSerializer("test-secret-key", salt=unsubscribe.SALT, signer=LastYear)
    token = signer.dumps([uid, unsubscribe._email_mark(user.email)])
    response = client.post("/reminders/unsubscribe/" + token)
    assert response.status_code == 400 and "more than a year old" in response.get_data(as_text=True)
    assert _user(app, uid).reminders is True


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(app, client):
    uid = add_learner(app, "before@example.org", reminders=True)
    link = _link(app, uid)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.get(User, uid).email = "after@example.org"
        db.commit()
    assert client.post(link).status_code == 400
    assert _user(app, uid).reminders is True


# --- The profile setting


def _profile_form(client, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get("/profile").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "name": "", "leaderboard": "anonymous", "timezone": "UTC"}
    form.update(changes)
    return form


def test_the_profile_offers_reminders_and_saves_the_choice(csrf_on, client):
    uid = add_learner(csrf_on, "profile@example.org")
    login(client, "profile@example.org")
    page = client.get("/profile").get_data(as_text=True)
    assert "Reminder emails" in page
    assert 'name="reminders" value="off" checked' in page  # the default (off) is shown as it is
    assert client.post("/profile", data=_profile_form(client, reminders="on")).status_code == 200
    assert _user(csrf_on, uid).reminders is True
    assert 'name="reminders" value="on" checked' in client.get("/profile").get_data(as_text=True)
    client.post("/profile", data=_profile_form(client, reminders="off"))
    assert _user(csrf_on, uid).reminders is False
    refused = client.post("/profile", data=_profile_form(client, reminders="sometimes"))
    assert refused.status_code == 400 and _user(csrf_on, uid).reminders is False


def test_saving_the_profile_without_touching_reminders_keeps_following_the_default(csrf_on, client):
    csrf_on.config["REMINDERS_DEFAULT"] = True
    uid = add_learner(csrf_on, "default@example.org")
    login(client, "default@example.org")
    assert 'name="reminders" value="on" checked' in client.get("/profile").get_data(as_text=True)
    client.post("/profile", data=_profile_form(client, name="Dee", reminders="on"))
    client.post("/profile", data=_profile_form(client, name="Dee D."))  # a form from before reminders existed
    assert _user(csrf_on, uid).reminders is None and _user(csrf_on, uid).name == "Dee D."


# --- Settings from the environment


def test_mail_settings_are_read_and_checked_at_start(tmp_path):
    env = {"CXTRAIN_INSTANCE": str(tmp_path)}
    assert config.from_environment(env)["REMINDERS_DEFAULT"] is False
    read = config.from_environment(
        {
            **env,
            "CXTRAIN_REMINDERS_DEFAULT": "On",
            "CXTRAIN_SMTP_URL": "smtps://mailer:s3cr%40t@mail.example.org",
            "CXTRAIN_MAIL_FROM": "cxtrain <cxtrain@example.org>",
        }
    )
    assert read["REMINDERS_DEFAULT"] is True and read["MAIL_FROM"] == "cxtrain <cxtrain@example.org>"
    assert mailer.parse_smtp_url(read["SMTP_URL"]) == mailer.SmtpSettings(
        "tls", "mail.example.org", 465, "mailer", "s3cr@t"
    )
    for variable, value, says in (
        ("CXTRAIN_REMINDERS_DEFAULT", "maybe", "write on or off"),
        ("CXTRAIN_SMTP_URL", "http://u:hunter2@mail.example.org", "must start with one of smtp://"),
        ("CXTRAIN_SMTP_URL", "smtp://u:hunter2@mail.example.org:port", "valid port"),
        ("CXTRAIN_SMTP_URL", "smtp://u:hunter2@/", "names no server"),
        ("CXTRAIN_MAIL_FROM", "cxtrain", "not an email address"),
    ):
        with pytest.raises(SystemExit) as refused:
            config.from_environment({**env, variable: value})
        assert variable in str(refused.value) and says in str(refused.value)
        assert "hunter2" not in str(refused.value)  # a password never reaches the log


def test_smtp_url_defaults_and_description():
    assert mailer.parse_smtp_url("smtp://mail.example.org") == mailer.SmtpSettings("starttls", "mail.example.org", 587)
    assert mailer.parse_smtp_url("smtp+insecure://localhost").port == 25
    settings = mailer.parse_smtp_url("smtp://me:pw@mail.example.org:2525")
    assert settings.describe() == "smtp://me@mail.example.org:2525" and "pw" not in repr(settings)
