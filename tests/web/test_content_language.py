"""Module text in another language than the page's is marked with it (WCAG 3.1.2, language of parts).

The real app over its test client, on a fresh SQLite file: an English module on French pages, a
French one on English pages, and one that does not say (no mark anywhere).
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from markupsafe import Markup, escape
from webhelpers import csrf_from, login, token_for

from cxtrain.scenario import bundled_path, content_version
from cxtrain.store import modules as stored

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en"}

ENGLISH_MODULE = """id: lang-english
title: The late parcel
role: frontline-associate
language: en
summary: A parcel is late and the customer is at the counter.
start: counter
nodes:
  counter:
    title: At the counter
    text: The customer **waits**.
    customer_link: You are the company to her.
    choices:
      - {id: listen, text: Listen first, next: done, effects: {customer: 10}, feedback: She feels heard.}
      - {id: shrug, text: Shrug, next: done, effects: {customer: -10}, feedback: She leaves upset.}
  done:
    title: Later
    text: The day goes on.
    ending: {title: Parcel found}
"""
FRENCH_MODULE = ENGLISH_MODULE.replace("lang-english", "lang-french").replace("language: en", "language: fr")
BUNDLED_BADGES = (bundled_path() / "badges.yaml").read_text(encoding="utf-8")
SILENT_MODULE = ENGLISH_MODULE.replace("lang-english", "lang-silent").replace("language: en\n", "")


def save_modules(app) -> None:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        for text in (ENGLISH_MODULE, FRENCH_MODULE, SILENT_MODULE):
            module_id = re.search(r"^id: (\S+)", text, re.M).group(1)
            stored.save_version(db, module_id, content_version(text), text)
        db.commit()


@pytest.fixture
def modules(app):  # type: ignore[no-untyped-def]
    save_modules(app)


def tree(html: str):  # type: ignore[no-untyped-def]
    return lxml.html.fromstring(html)


def marked(html: str, lang: str) -> list[str]:
    """The text of every element marked with ``lang``, in page order."""
    return [" ".join(e.text_content().split()) for e in tree(html).xpath(f'//body//*[@lang="{lang}"]')]


def open_attempt(client, module_id: str, headers: dict[str, str]) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """Start an attempt from the module's page: (its URL, its first page, the choice form's action)."""
    page = client.get(f"/modules/{module_id}", headers=headers).get_data(as_text=True)
    url = client.post(f"/modules/{module_id}/attempts", data={"csrf_token": csrf_from(page)}).headers["Location"]
    first = client.get(url, headers=headers).get_data(as_text=True)
    return url, first, re.search(r'action="([^"]+/choose)"', first).group(1)


def play_to_the_end(client, module_id: str, headers: dict[str, str]) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The attempt page at the start, then at its ending (after the worse choice)."""
    url, first, action = open_attempt(client, module_id, headers)
    client.post(action, data={"csrf_token": csrf_from(first), "node": "counter", "choice": "shrug"})
    return first, client.get(url, headers=headers).get_data(as_text=True)


def best_choice_fragment(client) -> str:  # type: ignore[no-untyped-def]
    """What play.js gets back for the best (and finishing) choice of lang-english on a French page."""
    _, first, action = open_attempt(client, "lang-english", FRENCH)
    fragment = client.post(
        action,
        data={"csrf_token": csrf_from(first), "node": "counter", "choice": "listen"},
        headers={**FRENCH, "X-Cx-Fragment": "1"},
    )
    return f"<html><body>{fragment.get_data(as_text=True)}</body></html>"


def test_the_module_list_marks_an_english_module_on_a_french_page_and_names_its_language(client, learner, modules):
    login(client, learner)
    html = client.get("/modules", headers=FRENCH).get_data(as_text=True)
    assert tree(html).get("lang") == "fr"
    english = marked(html, "en")
    assert "The late parcel" in english and "A parcel is late and the customer is at the counter." in english
    item = tree(html).xpath('//a[@href="/modules/lang-english"]/..')[0]
    assert "en anglais" in item.text_content()
    # The French module is in the page's language: nothing to mark, no language tag.
    french_item = tree(html).xpath('//a[@href="/modules/lang-french"]/..')[0]
    assert french_item.xpath(".//*[@lang]") == [] and "en français" not in french_item.text_content()
    # A module that does not say its language is taken to be in the page's.
    assert tree(html).xpath('//a[@href="/modules/lang-silent"]/..')[0].xpath(".//*[@lang]") == []


def test_the_attempt_page_marks_the_module_text_and_not_the_page_words(client, learner, modules):
    login(client, learner)
    first, ending = play_to_the_end(client, "lang-english", FRENCH)
    english = marked(first, "en")
    for text in ("The late parcel", "At the counter", "The customer waits.", "You are the company to her."):
        assert text in english, (text, english)
    assert "Listen first" in english and "Shrug" in english
    assert "Customer experience" in english  # a meter's label is module text too
    page = tree(first)
    assert page.xpath('//legend[not(ancestor-or-self::*[@lang="en"])]')[0].text_content().startswith("Que faites-vous")
    label = page.xpath('//*[contains(@class, "cx-customer-link")]/strong')[0]
    assert label.get("lang") is None and label.text_content().startswith("Lien avec le client")

    english = marked(ending, "en")
    assert "She leaves upset." in english  # the feedback
    heading = tree(ending).xpath('//*[contains(@class, "cx-ending-title")]')[0]
    assert heading.get("lang") is None and heading.text_content().startswith("Fin")
    assert [e.text_content() for e in heading.xpath('.//*[@lang="en"]')] == ["Parcel found"]
    missed = tree(ending).xpath('//ul[contains(@class, "cx-missed")]/li')[0]
    assert missed.get("lang") is None and missed.xpath('.//*[@lang="en"]')[0].text_content() == "Listen first"


def test_english_pages_mark_a_french_module_and_nothing_of_an_english_one(client, learner, modules):
    login(client, learner)
    first, ending = play_to_the_end(client, "lang-french", ENGLISH)
    assert "At the counter" in marked(first, "fr") and "Parcel found" in marked(ending, "fr")
    first, ending = play_to_the_end(client, "lang-english", ENGLISH)
    assert tree(first).xpath("//body//*[@lang]") == [] and tree(ending).xpath("//body//*[@lang]") == []
    assert "Ending: Parcel found" in " ".join(tree(ending).text_content().split())


def test_the_fragment_answer_carries_the_marks(client, learner, modules):
    login(client, learner)
    fragment = best_choice_fragment(client)
    assert "She feels heard." in marked(fragment, "en")


def test_the_api_says_each_module_s_language(client, learner, modules):
    headers = token_for(client, learner)
    listed = {m["id"]: m for m in client.get("/api/modules", headers=headers).get_json()}
    assert listed["lang-english"]["language"] == "en" and listed["lang-french"]["language"] == "fr"
    assert listed["lang-silent"]["language"] is None
    attempt = client.post("/api/attempts", json={"module": "lang-english"}, headers=headers).get_json()
    assert attempt["language"] == "en"
    spec = client.get("/api/openapi.json").get_json()
    assert "language" in spec["components"]["schemas"]["AttemptSchema"]["properties"]


def test_the_trainer_preview_marks_the_title_inside_its_french_heading(client, trainer, modules):
    login(client, trainer)
    html = client.get("/trainer/preview/lang-english?restart=1", headers=FRENCH).get_data(as_text=True)
    heading = tree(html).xpath("//h1")[0]
    assert heading.get("lang") is None and heading.text_content().startswith("Aperçu")
    assert [e.text_content() for e in heading.xpath('.//*[@lang="en"]')] == ["The late parcel"]
    assert "The customer waits." in marked(html, "en")


def test_history_trainer_and_insight_pages_mark_module_titles_and_choices(client, learner, trainer, modules):
    login(client, learner)
    play_to_the_end(client, "lang-english", FRENCH)
    assert "The late parcel" in marked(client.get("/history", headers=FRENCH).get_data(as_text=True), "en")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/modules").get_data(as_text=True))})
    login(client, trainer)
    assert "The late parcel" in marked(client.get("/trainer/modules", headers=FRENCH).get_data(as_text=True), "en")
    assert "The late parcel" in marked(client.get("/trainer/insight", headers=FRENCH).get_data(as_text=True), "en")
    insight = client.get("/trainer/insight/lang-english", headers=FRENCH).get_data(as_text=True)
    english = marked(insight, "en")
    assert {"The late parcel", "At the counter", "Shrug", "Listen first"} <= set(english)
    assert not any("usually" in text or "habituellement" in text for text in english)  # the page's own tag
    # The role column says the role's French title, and its id for the trainer's YAML.
    for path in ("/trainer/modules", "/trainer/insight", "/trainer/modules/lang-english"):
        text = " ".join(tree(client.get(path, headers=FRENCH).get_data(as_text=True)).text_content().split())
        assert "Employé de première ligne" in text and "frontline-associate" in text, path


@pytest.fixture
def gappy_library(tmp_path, app_config):  # type: ignore[no-untyped-def]
    """The app with the bundled roles.yaml and badges.yaml, less the French title of
    frontline-associate and the French texts of the first-pass badge; the test modules stored."""
    from cxtrain.store import migrate
    from cxtrain.web import create_app

    folder = tmp_path / "library"
    folder.mkdir()
    for name, cut in (
        ("roles.yaml", "    titles: {fr: Employé de première ligne}\n"),
        ("badges.yaml", re.search(r"(?s)  first-pass:.*?(    translations:.*?)    rule:", BUNDLED_BADGES).group(1)),
    ):
        text = (bundled_path() / name).read_text(encoding="utf-8")
        assert cut in text
        (folder / name).write_text(text.replace(cut, ""), encoding="utf-8")
    app = create_app({**app_config, "SCENARIO_FOLDERS": [*app_config["SCENARIO_FOLDERS"], str(folder)]})
    migrate.upgrade(app.config["DATABASE_URL"])
    save_modules(app)
    yield app
    app.extensions["cxtrain.engine"].dispose()


def test_role_titles_show_in_the_page_s_language_or_marked_with_roles_yaml_s(gappy_library):
    from webhelpers import add_user

    app = gappy_library
    client = app.test_client()
    add_user(app, "learner@example.org")
    login(client, "learner@example.org")
    html = client.get("/modules", headers=FRENCH).get_data(as_text=True)
    # No French title in roles.yaml: the English one, marked English (roles.yaml says `language: en`).
    heading = tree(html).xpath('//h2[@id="role-frontline-associate"]')[0]
    assert heading.get("lang") is None
    assert [e.text_content() for e in heading.xpath('.//*[@lang="en"]')] == ["Frontline associate"]
    assert "votre rôle" in heading.text_content()  # the page's own words stay unmarked
    # A French title (`titles: {fr: ...}`): shown, and in the page's language, so not marked.
    heading = tree(html).xpath('//h2[@id="role-ceo"]')[0]
    assert heading.text_content().strip() == "Directeur général" and heading.xpath(".//*[@lang]") == []
    english = client.get("/modules", headers=ENGLISH).get_data(as_text=True)
    assert tree(english).xpath('//h2[@id="role-ceo"]')[0].text_content().strip() == "Chief executive"
    assert marked(english, "en") == []

    add_user(app, "admin@example.org", "admin")
    login(client, "admin@example.org")
    html = client.get("/admin/users/new", headers=FRENCH).get_data(as_text=True)
    options = {o.get("value"): o for o in tree(html).xpath('//select[@id="job_role"]/option')}
    assert options[""].get("lang") is None  # "aucun", the page's word
    assert (options["frontline-associate"].text, options["frontline-associate"].get("lang")) == (
        "Frontline associate",
        "en",
    )
    assert (options["ceo"].text, options["ceo"].get("lang")) == ("Directeur général", None)


def test_badges_show_in_the_page_s_language(client, learner, modules):
    # The bundled badges.yaml has French texts; passing a first module earns "First pass".
    login(client, learner)
    badge = tree(best_choice_fragment(client)).xpath('//*[@data-badge="first-pass"]')[0]
    assert " ".join(badge.text_content().split()).startswith("Nouveau badge : Premier succès — Vous avez réussi")
    assert badge.xpath(".//*[@lang]") == []
    item = tree(client.get("/badges", headers=FRENCH).get_data(as_text=True)).xpath('//li[@id="badge-first-pass"]')[0]
    assert "Réussir un module, quel qu’il soit." in item.text_content() and item.xpath(".//*[@lang]") == []
    # Its picture is drawn with the French title too; without ?lang, with badges.yaml's (Open Badges).
    image = item.xpath(".//img")[0].get("src")
    assert image == "/badges/first-pass.svg?lang=fr"
    assert "<title>Premier succès</title>" in client.get(image).get_data(as_text=True)
    assert "<title>First pass</title>" in client.get("/badges/first-pass.svg").get_data(as_text=True)
    assert "<title>First pass</title>" in client.get("/badges/first-pass.svg?lang=<b>").get_data(as_text=True)
    english = tree(client.get("/badges", headers=ENGLISH).get_data(as_text=True))
    assert english.xpath('//li[@id="badge-first-pass"]//h2')[0].text_content().startswith("First pass")
    # An earned badge says what the learner did; one still to earn says only how to earn it.
    assert "You passed your first module." in english.xpath('//li[@id="badge-first-pass"]')[0].text_content()
    locked = english.xpath('//li[@id="badge-streak-7"]')[0].text_content()
    assert "How to earn it:" in locked and "A week of daily practice" not in locked
    token = token_for(client, learner)
    api = client.get("/api/me", headers={**token, **FRENCH}).get_json()
    assert {(b["id"], b["title"], b["language"]) for b in api["badges"]} >= {("first-pass", "First pass", "en")}


def test_a_badge_without_the_page_s_language_is_marked_with_badges_yaml_s(gappy_library):
    from webhelpers import add_user

    client = gappy_library.test_client()
    add_user(gappy_library, "learner@example.org")
    login(client, "learner@example.org")
    fragment = tree(best_choice_fragment(client))
    first = fragment.xpath('//*[@data-badge="first-pass"]')[0]
    assert first.get("lang") is None and first.text_content().startswith("Nouveau badge")
    assert "First pass" in [e.text_content() for e in first.xpath('.//*[@lang="en"]')]
    perfect = fragment.xpath('//*[@data-badge="perfect-play"]')[0]  # still translated: in French, unmarked
    assert "Sans faute" in perfect.text_content() and perfect.xpath(".//*[@lang]") == []
    item = tree(client.get("/badges", headers=FRENCH).get_data(as_text=True)).xpath('//li[@id="badge-first-pass"]')[0]
    english = [" ".join(e.text_content().split()) for e in item.xpath('.//*[@lang="en"]')]
    assert "First pass" in english and "Pass any module." in english
    assert [e.text_content() for e in item.xpath(".//h2//*[@lang]")] == ["First pass"]


def test_within_a_role_modules_in_the_page_s_language_come_first(client, learner, modules):
    login(client, learner)
    order = {
        lang: [
            a.get("href")
            for a in tree(client.get("/modules", headers=headers).get_data(as_text=True)).xpath(
                '//section[@aria-labelledby="role-frontline-associate"]//a[starts-with(@href, "/modules/lang-")]'
            )
        ]
        for lang, headers in (("fr", FRENCH), ("en", ENGLISH))
    }
    # The three share a title; a module that does not say its language counts as the page's.
    assert order["fr"].index("/modules/lang-french") < order["fr"].index("/modules/lang-english")
    assert order["fr"].index("/modules/lang-silent") < order["fr"].index("/modules/lang-english")
    assert order["en"][-1] == "/modules/lang-french"


def test_the_live_region_s_announcement_marks_the_module_s_words(client, learner, modules):
    # play.js copies this template into the live region after a step, marks included.
    login(client, learner)
    [said] = tree(best_choice_fragment(client)).xpath("//template[@data-cx-announce]")
    words = " ".join(said.text_content().split())
    assert words.startswith("She feels heard. Fin : Parcel found. Score 100 % — réussi.")
    assert "Nouveau badge : Premier succès." in words
    english = [" ".join(e.text_content().split()) for e in said.xpath('.//*[@lang="en"]')]
    assert english == ["She feels heard.", "Parcel found"]  # and not the page's words around them


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('"Sorry, let me look"', "Sorry, let me look"),  # one quotation: its own pair goes
        ("“Sorry, let me look”", "Sorry, let me look"),
        ("« Désolé »", "Désolé"),
        ('"No problem" — and take the phone', '"No problem" — and take the phone'),  # a quote inside
        ('"Yes" or "No"', '"Yes" or "No"'),  # two quotations: all kept
        ('"', '"'),
        ("Listen first", "Listen first"),
    ],
)
def test_a_choice_that_is_a_quotation_is_not_quoted_twice(app, text, shown):
    template = app.jinja_env.from_string(
        '{% from "_lang.html" import in_quotes %}{{ in_quotes("was “\x1f”.", text, attrs) }}'
    )
    with app.test_request_context():
        assert template.render(text=text, attrs="") == str(escape(f"was “{shown}”."))
        marked = template.render(text=text, attrs=Markup(' lang="en"'))
    assert marked == str(Markup('was “<span lang="en">{}</span>”.').format(shown))


def test_a_step_to_a_node_without_a_title_announces_the_question(app, client, learner):
    # Without it, the live region read only the feedback: nothing said a new decision had come.
    text = ENGLISH_MODULE.replace("lang-english", "untitled").replace("    title: Later\n", "")
    text = text.replace(
        "    ending: {title: Parcel found}\n",
        "    choices:\n      - {id: end, text: Close the day, next: night}\n"
        "  night:\n    text: Night.\n    ending: {title: Parcel found}\n",
    )
    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored.save_version(db, "untitled", content_version(text), text)
        db.commit()
    login(client, learner)
    _, first, action = open_attempt(client, "untitled", ENGLISH)
    form = {"csrf_token": csrf_from(first), "node": "counter", "choice": "listen"}
    answer = client.post(action, data=form, headers={"X-Cx-Fragment": "1"})
    [said] = tree(f"<html><body>{answer.get_data(as_text=True)}</body></html>").xpath("//template[@data-cx-announce]")
    assert " ".join(said.text_content().split()) == "She feels heard. What do you do?"
