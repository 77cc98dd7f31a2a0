"""The block's message catalogues: what a fresh extraction finds, complete, and compiled from the .po.

Extraction runs here as the command in docs/openedx.md ("Translations") runs it: the block's
package with its babel.cfg, plus the one service template the block renders. So a string marked
but never extracted fails, and so does a catalogue still listing a string the sources dropped.
English is the source language: its msgstrs are empty. Every other language is complete.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import cxtrain_xblock
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[2]
PACKAGE = Path(cxtrain_xblock.__file__).parent
TRANSLATIONS = PACKAGE / "translations"
SHARED_PARTIAL = ROOT / "templates" / "play" / "_attempt.html"
SERVICE_TRANSLATIONS = ROOT / "cxtrain" / "web" / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "_noop": None}  # pybabel's defaults plus `-k _ -k _noop`
# gettext's %(name)s and %%, and the {name} a script might fill: a translation keeps them all.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w+\}")
LANGUAGES = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/text.po"))
TRANSLATED = [language for language in LANGUAGES if language != "en"]


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def catalogue(language: str) -> Catalog:
    return read(TRANSLATIONS / language / "LC_MESSAGES" / "text.po")


def ids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


def extracted() -> set[str]:
    with (PACKAGE / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {str(msg) for _f, _l, msg, _c, _x in extract_from_dir(PACKAGE, method_map, options_map, KEYWORDS)}
    shared = extract_from_file("jinja2", SHARED_PARTIAL, KEYWORDS, options={"silent": "false"})
    return found | {str(msg) for _line, msg, _comments, _context in shared}


def test_english_and_french_ship():
    assert {"en", "fr"} <= set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_lists_exactly_what_the_sources_mark(language: str):
    listed = ids(catalogue(language))
    found = extracted()
    hint = "extract and update again (docs/openedx.md, 'Translations')"
    assert sorted(found - listed) == [], f"{hint}: new strings"
    assert sorted(listed - found) == [], f"{hint}: strings no longer in the sources"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_is_translated_with_the_same_placeholders(language: str):
    catalog = catalogue(language)
    assert not catalog.fuzzy, "the catalogue header is still marked fuzzy"
    assert catalog.locale is not None and str(catalog.locale) == language
    problems = {}
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy or not message.string:
            problems[message.id] = "fuzzy or untranslated"
            continue
        wanted = sorted(PLACEHOLDER.findall(message.id))
        if sorted(PLACEHOLDER.findall(message.string)) != wanted:
            problems[message.id] = f"placeholders {sorted(PLACEHOLDER.findall(message.string))} != {wanted}"
        for error in message.check(catalog):
            problems[message.id] = str(error)
    assert problems == {}


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_shipped_mo_is_compiled_from_the_po(language: str):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "text.mo").open("rb") as fh:
        compiled = read_mo(fh)
    expected = {m.id: m.string for m in read(folder / "text.po") if m.id and m.string}
    assert {m.id: m.string for m in compiled if m.id} == expected, "compile again (docs/openedx.md)"


@pytest.mark.parametrize("language", TRANSLATED)
def test_strings_shared_with_the_service_read_as_they_do_there(language: str):
    """A learner meets the same words in a course as on the service (the service's catalogue leads)."""
    service_po = SERVICE_TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    if not service_po.is_file():
        pytest.skip(f"the service has no {language} catalogue")
    service = read(service_po)
    differ = {}
    for message in catalogue(language):
        theirs = service.get(message.id) if message.id else None
        if theirs is None or theirs.fuzzy or not theirs.string:
            continue
        if message.string != theirs.string:
            differ[message.id] = (message.string, theirs.string)
    assert differ == {}, f"run: python xblocks/seed_translations.py {language}, then compile"


@pytest.mark.parametrize("language", TRANSLATED)
def test_gettext_finds_the_catalogue_where_the_platform_looks(language: str):
    """The LMS opens translations/<locale>/LC_MESSAGES/text.mo of the block's package with gettext."""
    found = gettext.translation("text", localedir=TRANSLATIONS, languages=[language])
    play_again = catalogue(language).get("Play again")
    assert play_again is not None
    assert found.gettext("Play again") == play_again.string != "Play again"


def test_english_loads_and_changes_nothing():
    translations = gettext.translation("text", localedir=TRANSLATIONS, languages=["en"])
    assert translations.gettext("Play again") == "Play again"
