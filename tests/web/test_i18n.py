"""The pages' language: the learner's saved choice, then Accept-Language, then CXTRAIN_DEFAULT_LANGUAGE.

The real app over its test client, on a fresh SQLite file, with the shipped French catalogue.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from webhelpers import MODULE, PASSWORD, add_user, csrf_from, login

from cxtrain.web import config, create_app

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "no <html lang>"
    return match.group(1)


def profile_form(client, **fields: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The profile form as the page fills it in, with ``fields`` changed."""
    page = client.get("/profile").get_data(as_text=True)
    return {"csrf_token": csrf_from(page), "name": "", "leaderboard": "anonymous", "timezone": "UTC", **fields}


def test_logged_out_pages_follow_the_browser_and_say_they_vary_by_it(client):
    response = client.get("/login", headers=FRENCH)
    html = response.get_data(as_text=True)
    assert html_lang(html) == "fr"
    assert "<h1>Se connecter</h1>" in html and '<label for="password">Mot de passe</label>' in html
    assert "Accept-Language" in response.headers["Vary"]

    english = client.get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert html_lang(english) == "en" and "<h1>Log in</h1>" in english


def test_a_browser_language_without_a_catalogue_falls_back_to_the_default(client):
    html = client.get("/login", headers=GERMAN).get_data(as_text=True)
    assert html_lang(html) == "en" and "<h1>Log in</h1>" in html
    assert html_lang(client.get("/login").get_data(as_text=True)) == "en"  # no header at all


@pytest.fixture
def french_by_default(app_config):  # type: ignore[no-untyped-def]
    from cxtrain.store import migrate

    app = create_app({**app_config, "DEFAULT_LANGUAGE": "fr"})
    migrate.upgrade(app.config["DATABASE_URL"])
    yield app
    app.extensions["cxtrain.engine"].dispose()


def test_the_configured_default_applies_when_the_browser_names_no_known_language(french_by_default):
    client = french_by_default.test_client()
    assert "<h1>Se connecter</h1>" in client.get("/login", headers=GERMAN).get_data(as_text=True)
    # The browser's choice among the catalogues still beats the default.
    assert "<h1>Log in</h1>" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_an_unknown_default_language_stops_the_start_with_its_name(tmp_path, app_config):
    with pytest.raises(SystemExit, match=r"CXTRAIN_DEFAULT_LANGUAGE.*'xx'.*en, fr"):
        config.from_environment({"CXTRAIN_INSTANCE": str(tmp_path), "CXTRAIN_DEFAULT_LANGUAGE": "xx"})
    assert (
        config.from_environment({"CXTRAIN_INSTANCE": str(tmp_path), "CXTRAIN_DEFAULT_LANGUAGE": "fr"})[
            "DEFAULT_LANGUAGE"
        ]
        == "fr"
    )
    with pytest.raises(ValueError, match=r"DEFAULT_LANGUAGE.*'klingon'"):
        create_app({**app_config, "DEFAULT_LANGUAGE": "klingon"})


def test_logged_in_pages_and_messages_in_french_by_the_browser(app, client, learner):
    login(client, learner)
    for path in ("/modules", f"/modules/{MODULE}", "/history", "/practice", "/badges", "/leaderboard", "/profile"):
        response = client.get(path, headers=FRENCH)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert html_lang(html) == "fr", path
        assert "Se déconnecter" in html and "Log out" not in html, path
    page = client.get("/profile", headers=FRENCH).get_data(as_text=True)
    assert "Niveau 1 · Écoutant" in page  # the default level names are UI words, translated
    assert "<h1>Votre profil</h1>" in page and "Langue des pages" in page
    missing = client.get("/modules/nowhere", headers=FRENCH)
    assert missing.status_code == 404 and "Page introuvable" in missing.get_data(as_text=True)


def test_the_saved_language_beats_the_browser_and_the_page_that_saves_it_speaks_it(app, client, learner):
    login(client, learner)
    saved = client.post("/profile", data=profile_form(client, language="fr"), headers={"Accept-Language": "en"})
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and html_lang(html) == "fr" and "Enregistré." in html
    assert '<option value="fr" lang="fr" selected>Français</option>' in html

    # An English browser now gets French; the answer no longer depends on the header.
    response = client.get("/modules", headers={"Accept-Language": "en"})
    assert html_lang(response.get_data(as_text=True)) == "fr"
    assert "Accept-Language" not in response.headers.get("Vary", "")

    # Back to "the language of my browser": the header decides again.
    client.post("/profile", data=profile_form(client, language=""), headers=FRENCH)
    assert html_lang(client.get("/modules", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "en"
    assert html_lang(client.get("/modules", headers=FRENCH).get_data(as_text=True)) == "fr"


def test_a_profile_form_without_the_language_field_keeps_the_saved_choice(app, client, learner):
    login(client, learner)
    client.post("/profile", data=profile_form(client, language="fr"))
    form = profile_form(client, name="Sam")
    assert client.post("/profile", data=form).status_code == 200  # an older form: no "language" at all
    assert html_lang(client.get("/modules").get_data(as_text=True)) == "fr"


@pytest.mark.parametrize("bad", ["xx", "fr-FR", "<script>", "e" * 300])
def test_an_unknown_language_in_the_form_is_refused_with_a_message(app, client, learner, bad):
    login(client, learner)
    response = client.post("/profile", data=profile_form(client, language=bad, name="Sam"), headers=FRENCH)
    html = response.get_data(as_text=True)
    assert response.status_code == 400  # re-rendered like every refused profile form
    assert "Choisissez l’une des langues de la liste." in html and 'aria-invalid="true"' in html
    assert "<script>" not in html
    again = client.get("/profile").get_data(as_text=True)
    assert 'value="Sam"' not in again  # nothing was saved


def test_form_errors_flashes_and_play_notices_are_translated(app, client, learner):
    login(client, learner)
    refused = client.post("/profile", data=profile_form(client, timezone="Mars/Olympus"), headers=FRENCH)
    assert "Fuseau horaire inconnu" in refused.get_data(as_text=True)

    page = client.get("/password", headers=FRENCH).get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "current_password": PASSWORD}
    form |= {"new_password": "short", "confirm_password": "short"}
    too_short = client.post("/password", data=form, headers=FRENCH).get_data(as_text=True)
    assert "Un mot de passe doit compter au moins 8 caractères." in too_short

    started = client.post(
        f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)}, headers=FRENCH, follow_redirects=True
    )
    attempt = started.get_data(as_text=True)
    assert "Que faites-vous" in attempt
    action = re.search(r'<form method="post" action="([^"]+/choose)"', attempt).group(1)
    data = {"csrf_token": csrf_from(attempt), "node": "counter", "choice": "nowhere"}
    refused = client.post(action, data=data, headers={**FRENCH, "X-Cx-Fragment": "1"})
    assert refused.status_code == 400
    assert "Le choix «\u00a0nowhere\u00a0» n’est pas disponible" in refused.get_data(as_text=True)
    expired = client.post(action, data={**data, "csrf_token": "stale"}, headers={**FRENCH, "X-Cx-Fragment": "1"})
    assert expired.status_code == 400 and expired.get_data(as_text=True).startswith("Cette page a expiré.")


def test_a_password_change_flash_is_in_the_learners_language(app, client, learner):
    login(client, learner)
    page = client.get("/password", headers=FRENCH).get_data(as_text=True)
    new = "another long password"
    form = {"csrf_token": csrf_from(page), "current_password": PASSWORD, "new_password": new, "confirm_password": new}
    done = client.post("/password", data=form, headers=FRENCH, follow_redirects=True).get_data(as_text=True)
    assert "Votre mot de passe a été modifié" in done


def test_numbers_and_dates_follow_the_locale(app, client, learner):
    login(client, learner)
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    client.post(f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)})
    french = client.get("/history", headers=FRENCH).get_data(as_text=True)
    english = client.get("/history", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # The month's abbreviated name, in each language's own order ("5 janv. 2025" / "Jan 5, 2025").
    assert re.search(r"<td>\d{1,2} \w+\.? \d{4}", french) and "en cours" in french
    assert re.search(r"<td>\w{3} \d{1,2}, \d{4}", english) and "in progress" in english


def test_the_api_and_its_errors_stay_english(app, client, learner):
    add_user(app, "other@example.org")
    response = client.post("/api/tokens", json={"email": learner, "password": "wrong"}, headers=FRENCH)
    body = response.get_json()
    assert response.status_code in (400, 401) and body["message"].isascii()
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_a_reminder_email_is_in_the_learners_language(app, learner):
    from cxtrain.gamify.reminders import Reason
    from cxtrain.store.models import User
    from cxtrain.web.reminder_mail import compose, public_context

    app.config["PUBLIC_URL"] = "https://cx.example.org"
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = db.query(User).filter_by(email=learner).one()
        with public_context(app):
            english = compose(user, Reason(due=2), "cxtrain@example.org")
            user.language = "fr"
            french = compose(user, Reason(due=2), "cxtrain@example.org")
    assert english["Subject"] == "2 practice questions are waiting for you today"
    assert english["Content-Language"] == "en"
    assert french["Subject"] == "2 questions d’entraînement vous attendent aujourd’hui"
    assert french["Content-Language"] == "fr"
    assert "Bonjour," in french.get_body(("plain",)).get_content()
    assert '<html lang="fr">' in french.get_body(("html",)).get_content()


def test_each_refused_profile_field_is_marked_and_points_at_its_message(app, client, learner):
    login(client, learner)
    bad = profile_form(client, name="ada@example.org", timezone="Mars/Olympus", leaderboard="public")
    page = lxml.html.fromstring(client.post("/profile", data=bad).get_data(as_text=True))
    for field, control in (("name", "//input[@id='name']"), ("timezone", "//input[@id='timezone']")):
        [element] = page.xpath(control)
        assert element.get("aria-invalid") == "true", field
        [message] = page.xpath(f"//*[@id='{element.get('aria-describedby')}']")
        assert message.text_content().strip(), field
    [group] = page.xpath("//fieldset[.//input[@name='leaderboard']]")
    assert group.get("aria-invalid") is None  # a group points at its message; the state is for controls
    assert page.xpath(f"//*[@id='{group.get('aria-describedby')}']")[0].text_content().strip()
    [reminders] = page.xpath("//fieldset[.//input[@name='reminders']]")
    assert reminders.get("aria-describedby") == "reminders-hint"  # no error there: only its hint


def test_percentages_round_halves_up_as_a_person_would(app) -> None:
    from cxtrain.web.i18n import format_whole_percent
    from cxtrain.web.insight_team import percent

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [percent(v) for v in (0.725, 0.225, 0.5)] == ["73", "23", "50"]  # round() said 72 and 22
        rendered = app.jinja_env.from_string("{{ 0.725|percentformat }} {{ 0.225|percentformat }}").render()
        assert rendered == format_whole_percent(0.725) + " " + format_whole_percent(0.225)
        assert rendered.replace("\u202f", " ").replace("\xa0", " ") == "73 % 23 %"
