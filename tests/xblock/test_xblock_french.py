"""The block in French, as Open edX shows it to someone whose language is French.

The block runs in XBlock's own runtime, with the ``i18n`` service the LMS and Studio give it
(``PlatformI18nService``: the platform's lookup of a block's bundled ``text`` catalogue for
Django's active language), and Django's active language set the way the LMS sets it for a
request. Nothing about the block is stubbed: its views and handlers render and answer as in a
course. The trainer's module text stays English (modules are not translated); the block's own
words must all be French.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import cxtrain_xblock
import lxml.html
import pytest
from babel.messages.pofile import read_po
from xblock.test.toy_runtime import TOYRUNTIME_KVS
from xblock_support import BEST_PATH, MODULE_YAML, PlatformI18nRuntime, call, olx, play

NBSP = "\u00a0"
CATALOGUES = Path(cxtrain_xblock.__file__).parent / "translations"


@pytest.fixture
def runtime() -> Iterator[PlatformI18nRuntime]:
    TOYRUNTIME_KVS.clear()
    yield PlatformI18nRuntime()
    TOYRUNTIME_KVS.clear()


@pytest.fixture
def french(django_translation: Any) -> Iterator[None]:
    with django_translation.override("fr"):
        yield


def _english_phrases() -> list[str]:
    """The block's English phrases that French words differently, placeholders cut out.

    Each phrase is the text around a message's placeholders, three words or more, so that it can
    only come from that message: a page showing one has an English string left in it.
    """
    with (CATALOGUES / "fr" / "LC_MESSAGES" / "text.po").open("rb") as fh:
        catalogue = read_po(fh)
    phrases = set()
    for message in catalogue:
        if not message.id or message.string == message.id:
            continue
        for part in re.split(r"%\(\w+\)[sd]|%%", str(message.id)):
            if len(part.split()) >= 3:
                phrases.add(part.strip())
    return sorted(phrases)


def _script_start(html: str) -> tuple[str, dict[str, Any]]:
    """The function the runtime's wrapper starts the block's script with, and the arguments it passes."""
    function = re.search(r"data-init='(\w+)'", html)
    args = re.search(r'<script type="json/xblock-args"[^>]*>(.*?)</script>', html, re.S)
    assert function and args, "the runtime wraps the fragment with its script's name and arguments"
    return function.group(1), json.loads(args.group(1))


def _english_left(html: str) -> list[str]:
    text = unescape(html)
    return [phrase for phrase in _english_phrases() if phrase in text]


def test_the_learner_view_is_french(make_block, french) -> None:
    html = unescape(make_block(max_attempts=3).render("student_view").content)
    assert "Que faites-vous\u202f?" in html  # the attempt view shared with the service
    assert f"Tentatives utilisées{NBSP}: 1 · restantes{NBSP}: 2" in html
    assert 'aria-label="Votre progression"' in html
    assert 'aria-label="Jauges"' in html
    assert f"Lien avec le client{NBSP}:" in html
    assert "(Écoutant)" in html  # the level's name, from cxtrain.gamify's curve
    assert "niveau suivant à 100 XP" in html
    assert "What do you do?" not in html
    assert "Attempts used" not in html
    assert "Listener" not in html
    assert _english_left(html) == []


def test_the_play_script_gets_its_words_in_french(make_block, french) -> None:
    function, args = _script_start(make_block().render("student_view").content)
    assert function == "CxScenarioBlock"
    assert args["messages"] == {
        "working": "Envoi de votre choix…",
        "error": "Votre choix n’a pas pu être envoyé. Vérifiez votre connexion et réessayez.",
        "stale": "Cette étape a déjà été jouée (dans un autre onglet ou par un double clic)\u202f; "
        "voici où vous en êtes.",
        "restarted": "Une nouvelle tentative a commencé.",
    }


def test_the_handlers_answer_in_french(make_block, french) -> None:
    block = make_block()
    status, answer = call(block, "choose", {"node": "counter", "choice": "nowhere"})
    assert (status, answer["message"]) == (400, "Ce choix n’est pas disponible à ce stade.")

    answer = play(block, BEST_PATH)
    assert answer["level_name"] == "Écoutant"
    ending = unescape(answer["html"])
    assert f"Fin{NBSP}: Parcel returned" in ending  # the block's words French, the trainer's not
    assert "100\u202f%" in ending
    assert "réussi" in ending
    assert "Votre parcours" in ending
    assert f"Score retenu (meilleure tentative){NBSP}:" in ending
    assert "Rejouer" in ending
    assert _english_left(ending) == []

    status, answer = call(block, "choose", {"node": "counter", "choice": "search"})
    assert status == 409
    assert answer["message"].startswith("Cette étape a déjà été jouée")


def test_studio_is_french(make_block, french) -> None:
    block = make_block(xml=olx(display_name="Colis"))
    editor = block.render("studio_view")
    html = unescape(editor.content)
    assert "Règle de notation" in html
    assert "Pondération du problème" in html
    assert "Un module de la bibliothèque installée" in html
    assert _english_left(html) == []
    function, args = _script_start(editor.content)
    assert function == "CxScenarioStudio"
    messages = args["messages"]
    assert messages["line"] == "Ligne %(line)s, colonne %(column)s"
    assert messages["finding"] == f"%(severity)s{NBSP}: %(message)s"
    assert messages["severities"] == {"error": "erreur", "warning": "avertissement"}

    author = unescape(block.render("author_view").content)
    assert "Seuil de réussite" in author
    assert f"Aperçu{NBSP}: la première étape" in author
    assert f"Tentatives commencées{NBSP}: 0" in author
    assert _english_left(author) == []

    status, answer = call(block, "studio_submit", {"display_name": "  "})
    assert (status, answer["message"]) == (400, "Le nom d’affichage ne peut pas être vide.")


def test_findings_are_french_where_the_block_words_them(make_block, french) -> None:
    broken = olx().replace("next: happy", "next: nowhere")
    html = unescape(make_block(xml=broken).render("author_view").content)
    finding = re.search(r'<li class="cxs-finding error">(.*?)</li>', html, re.S)
    assert finding is not None
    # The lint message is the engine's (English, as on the service); the frame around it is French.
    assert re.match(rf"Ligne \d+, colonne \d+ — erreur{NBSP}: ", finding.group(1))


@pytest.mark.parametrize("language", ["fr-ca", "fr-fr"])
def test_regional_french_gets_the_french_catalogue(make_block, django_translation, language: str) -> None:
    with django_translation.override(language):
        html = unescape(make_block().render("student_view").content)
    assert f"Tentatives utilisées{NBSP}: 1" in html


@pytest.mark.parametrize("language", ["en", "de"])
def test_languages_without_a_catalogue_get_english(make_block, django_translation, language: str) -> None:
    with django_translation.override(language):
        html = unescape(make_block().render("student_view").content)
    assert "Attempts used: 1" in html
    assert "What do you do?" in html


ENGLISH_MODULE = MODULE_YAML.replace("role: frontline-associate\n", "role: frontline-associate\nlanguage: en\n")


def _marked_english(html: str) -> list[str]:
    tree = lxml.html.fromstring(f"<div>{html}</div>")
    return [" ".join(e.text_content().split()) for e in tree.xpath('//*[@lang="en"]')]


def test_an_english_module_on_a_french_page_is_marked_english(make_block, french) -> None:
    block = make_block(xml=olx(ENGLISH_MODULE))
    html = block.render("student_view").content
    english = _marked_english(html)
    for text in (
        "The lost parcel",
        "At the counter",
        "A customer says their parcel never arrived.",
        "Search the back room with them waiting",
    ):
        assert text in english, (text, english)
    assert "Que faites-vous" not in " ".join(english)  # the block's own words are the page's
    ending = call(block, "choose", {"node": "counter", "choice": "search"})[1]["html"]
    assert "You find it under a shelf." in _marked_english(ending)
    author = block.render("author_view").content
    assert "The lost parcel" in _marked_english(author)
    # The ending's heading: a French sentence with the module's words inside, marked alone
    # (the partial imports _lang.html, which the block's loader finds among the shared templates).
    block = make_block(xml=olx(ENGLISH_MODULE))
    ending = lxml.html.fromstring(f"<div>{play(block, BEST_PATH)['html']}</div>")
    heading = ending.xpath('//*[contains(@class, "cx-node-title")]')[0]  # the ending node has no title
    assert heading.get("lang") is None and heading.text_content().startswith("Fin")
    assert [e.text_content() for e in heading.xpath('.//*[@lang="en"]')] == ["Parcel returned"]
    # What cxscenario.js copies into the live region after the step is marked the same way.
    [said] = ending.xpath("//template[@data-cx-announce]")
    words = " ".join(said.text_content().split())  # NBSPs become spaces
    assert words == "They come to collect it. Fin : Parcel returned. Score 100 % — réussi."
    assert [e.text_content() for e in said.xpath('.//*[@lang="en"]')] == ["They come to collect it.", "Parcel returned"]


def test_a_module_in_the_page_s_language_or_silent_about_it_is_not_marked(make_block, django_translation) -> None:
    with django_translation.override("en"):
        html = make_block(xml=olx(ENGLISH_MODULE)).render("student_view").content
    assert 'lang="' not in html
    with django_translation.override("fr"):
        html = make_block().render("student_view").content  # MODULE_YAML does not say its language
    assert 'lang="' not in html
