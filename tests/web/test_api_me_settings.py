"""`GET`/`PATCH /api/me`: the page language and the reminder emails, as on the Profile page.

The real app over its test client, on a fresh SQLite file; what the API saved is read back
through the pages and the reminder run's own query.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from webhelpers import add_user, csrf_from, login

from cxtrain.store import reminders as reminder_store
from cxtrain.store.models import User


def _user(app, email: str) -> User:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = db.scalar(select(User).where(User.email == email))
        db.expunge(user)
        return user


def test_the_language_is_read_and_set_and_the_pages_follow_it(app, client, auth, learner):
    me = client.get("/api/me", headers=auth).get_json()
    assert me["language"] is None  # follows the browser

    response = client.patch("/api/me", json={"language": "fr"}, headers=auth)
    assert response.status_code == 200 and response.get_json()["language"] == "fr"
    assert client.get("/api/me", headers=auth).get_json()["language"] == "fr"
    assert _user(app, learner).language == "fr"
    login(client, learner)  # the pages read the cookie; the API calls below still send the token
    page = client.get("/modules", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page

    # null goes back to the browser's language.
    assert client.patch("/api/me", json={"language": None}, headers=auth).get_json()["language"] is None
    page = client.get("/modules", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page


@pytest.mark.parametrize("bad", ["xx", "fr-FR", "FR", "", "e" * 300, 7, True, ["fr"]])
def test_an_unknown_language_is_a_400_naming_the_languages(app, client, auth, learner, bad):
    response = client.patch("/api/me", json={"language": bad, "name": "Sam"}, headers=auth)
    body = response.get_json()
    assert response.status_code == 400 and body["error"] == "invalid-fields"
    assert list(body["fields"]) == ["language"]
    if isinstance(bad, str):
        [message] = body["fields"]["language"]
        assert "en, fr" in message and message.isascii()  # the API speaks English
    assert _user(app, learner).language is None and _user(app, learner).name == ""  # nothing saved


def test_reminders_read_as_the_choice_and_what_it_means_now(app, client, auth, learner):
    app.config["REMINDERS_DEFAULT"] = False
    me = client.get("/api/me", headers=auth).get_json()
    assert me["reminders"] is None and me["reminders_on"] is False  # never chose: the default, off

    app.config["REMINDERS_DEFAULT"] = True
    assert client.get("/api/me", headers=auth).get_json()["reminders_on"] is True  # the default moved

    # An explicit "no" is kept even while it equals the default: a later default of "on" must not
    # start emailing someone who said no.
    app.config["REMINDERS_DEFAULT"] = False
    me = client.patch("/api/me", json={"reminders": False}, headers=auth).get_json()
    assert me["reminders"] is False and me["reminders_on"] is False
    app.config["REMINDERS_DEFAULT"] = True
    assert client.get("/api/me", headers=auth).get_json()["reminders_on"] is False
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert [u.email for u in reminder_store.subscribers(db, True)] == []

    me = client.patch("/api/me", json={"reminders": True}, headers=auth).get_json()
    assert me["reminders"] is True and me["reminders_on"] is True
    app.config["REMINDERS_DEFAULT"] = False
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert [u.email for u in reminder_store.subscribers(db, False)] == [learner]

    # null: follow the service's default again.
    me = client.patch("/api/me", json={"reminders": None}, headers=auth).get_json()
    assert me["reminders"] is None and me["reminders_on"] is False
    assert _user(app, learner).reminders is None


@pytest.mark.parametrize("bad", ["yes", "on", 1, 0, "true", {}])
def test_reminders_take_only_true_false_or_null(app, client, auth, learner, bad):
    response = client.patch("/api/me", json={"reminders": bad}, headers=auth)
    assert response.status_code == 400 and "reminders" in response.get_json()["fields"]
    assert _user(app, learner).reminders is None


def test_the_profile_page_shows_what_the_api_set(app, client, auth, learner):
    app.config["REMINDERS_DEFAULT"] = False
    client.patch("/api/me", json={"reminders": True}, headers=auth)
    browser = app.test_client()
    login(browser, learner)
    page = browser.get("/profile").get_data(as_text=True)
    assert 'name="reminders" value="on" checked' in page


def test_the_openapi_document_describes_both_settings(client):
    spec = client.get("/api/openapi.json").get_json()
    update = spec["components"]["schemas"]["MeUpdateSchema"]["properties"]
    assert update["language"]["enum"] == ["en", "fr", None] and update["language"]["nullable"] is True
    assert update["reminders"]["type"] == "boolean" and update["reminders"]["nullable"] is True
    me = spec["components"]["schemas"]["MeSchema"]["properties"]
    assert {"language", "reminders", "reminders_on"} <= set(me)


def test_the_admin_page_shows_the_reminder_setting_and_offers_no_way_to_change_it(app, client, auth, learner):
    add_user(app, "admin@example.org", "admin", None)
    admin = app.test_client()
    login(admin, "admin@example.org")
    learner_id = _user(app, learner).id
    url = f"/admin/users/{learner_id}"

    def state() -> str:
        page = admin.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        return page.split('<p id="reminders-state">', 1)[1].split("</p>", 1)[0]

    app.config["REMINDERS_DEFAULT"] = True
    assert state().startswith("On: they have not chosen")
    app.config["REMINDERS_DEFAULT"] = False
    assert state().startswith("Off: they have not chosen")
    client.patch("/api/me", json={"reminders": True}, headers=auth)
    assert state() == "On: they chose to get reminder emails."
    client.patch("/api/me", json={"reminders": False}, headers=auth)
    assert state() == "Off: they chose not to get reminder emails."
    page = admin.get(url).get_data(as_text=True)
    assert 'name="reminders"' not in page

    # A hand-made form field is ignored: saving the account leaves the learner's choice alone.
    form = {"csrf_token": csrf_from(page), "name": "", "job_role": "frontline-associate", "team": ""}
    form |= {"role": "learner", "reminders": "on"}
    assert admin.post(url, data=form).status_code == 302
    assert _user(app, learner).reminders is False
    french = admin.get(url, headers={"Accept-Language": "fr"}).get_data(as_text=True).replace("\u00a0", " ")
    assert "Désactivés : cette personne a choisi de ne pas recevoir d’e-mails de rappel." in french
