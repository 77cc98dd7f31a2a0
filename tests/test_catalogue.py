"""The service's message catalogues: up to date with the sources, complete, and compiled from the .po.

Extraction runs here with babel.cfg, as `pybabel extract` does (docs/admin.md, "Languages"), so a
string marked in a template or in Python but never extracted fails CI, and so does a catalogue that
still lists a string the sources dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from cxtrain.gamify.levels import LEVEL_NAMES
from cxtrain.web.i18n import DOMAIN, SOURCE_LANGUAGE, TRANSLATIONS, available_languages

ROOT = Path(__file__).parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%%")
LANGUAGES = [code for code in available_languages() if code != SOURCE_LANGUAGE]


def _key(msgid: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    return msgid if isinstance(msgid, str) else tuple(msgid)


def extracted() -> set[str | tuple[str, ...]]:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)
    return {_key(msgid) for _file, _line, msgid, _comments, _context in found}


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {_key(m.id) for m in catalog if m.id}


def test_the_template_lists_exactly_the_strings_the_sources_mark():
    listed = ids(read(TRANSLATIONS / f"{DOMAIN}.pot"))
    found = extracted()
    assert found - listed == set(), "extract again (docs/admin.md, 'Languages'); new strings"
    assert listed - found == set(), "extract again (docs/admin.md, 'Languages'); strings no longer in the sources"


def test_french_is_a_shipped_language():
    assert "fr" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_with_the_same_placeholders(language: str):
    template = ids(read(TRANSLATIONS / f"{DOMAIN}.pot"))
    catalog = read(TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po")
    assert ids(catalog) == template, "update the catalogue from the template (pybabel update)"
    assert not catalog.fuzzy, "the catalogue header is still marked fuzzy"
    problems = {}
    for message in catalog:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(targets):
            problems[str(message.id)] = "fuzzy or untranslated"
            continue
        wanted = sorted(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            if sorted(PLACEHOLDER.findall(target)) != wanted:
                problems[str(message.id)] = f"placeholders {sorted(PLACEHOLDER.findall(target))} != {wanted}"
        problems.update({str(message.id): str(error) for error in message.check(catalog)})
    assert problems == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_shipped_mo_is_compiled_from_the_po(language: str):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    source = read(folder / f"{DOMAIN}.po")
    with (folder / f"{DOMAIN}.mo").open("rb") as fh:
        compiled = read_mo(fh)
    expected = {_key(m.id): _key(m.string) for m in source if m.id and m.string}
    assert {_key(m.id): _key(m.string) for m in compiled if m.id} == expected, "compile again (pybabel compile)"


def test_the_default_level_names_are_in_the_template():
    listed = ids(read(TRANSLATIONS / f"{DOMAIN}.pot"))
    assert set(LEVEL_NAMES) <= listed
