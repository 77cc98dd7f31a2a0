"""i18n: strings go through the runtime's i18n service (the catalogues: test_xblock_catalogues.py)."""

from __future__ import annotations

import re
from pathlib import Path

import cxtrain_xblock
from cxtrain_xblock import gamify
from xblock_support import BEST_PATH, call, play

from cxtrain.gamify import DEFAULT_CURVE

PACKAGE = Path(cxtrain_xblock.__file__).parent
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "text.po"
PLACEHOLDER = re.compile(r"(%\(\w+\)[sd]|%%)")


class Shouting:
    """An i18n service that 'translates' by upper-casing, so translated text is easy to spot.

    Placeholders stay as they are, as in a real translation, so messages with values format.
    """

    def gettext(self, text: str) -> str:
        return "".join(part if part.startswith("%") else part.upper() for part in PLACEHOLDER.split(text))

    ugettext = gettext


def test_views_and_handlers_translate_through_the_runtime(make_block, runtime):
    runtime._services["i18n"] = Shouting()
    block = make_block()
    html = block.render("student_view").content
    assert "ATTEMPTS USED: 1" in html
    assert "Attempts used" not in html
    status, answer = call(block, "choose", {"node": "counter", "choice": "nowhere"})
    assert status == 400
    assert answer["message"] == "THAT CHOICE IS NOT AVAILABLE AT THIS POINT."
    assert "PROBLEMS FOUND" in block.render("studio_view").content


def test_default_level_names_are_in_the_catalogue():
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    names = [name for name, _xp in DEFAULT_CURVE.rows]
    assert list(gamify.LEVEL_NAMES) == names, "keep cxtrain_xblock.gamify.LEVEL_NAMES in step with cxtrain.gamify"
    with CATALOGUE.open("rb") as fh:
        source = read_po(fh)
    missing = [name for name in names if name not in source]
    assert not missing, f"run the extraction command in docs/openedx.md; missing: {missing}"
    # A compiled catalogue holds translated messages only (English, the source, has none),
    # so what shows it was compiled from this text.po is the creation date both carry.
    with CATALOGUE.with_suffix(".mo").open("rb") as fh:
        compiled = read_mo(fh)
    assert compiled.creation_date == source.creation_date, "compile the catalogue again (docs/openedx.md)"
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in source if m.id and m.string}


def test_level_names_are_translated_when_shown(make_block, runtime):
    runtime._services["i18n"] = Shouting()
    block = make_block()
    assert "(LISTENER)" in block.render("student_view").content
    answer = play(block, BEST_PATH)
    assert answer["level_name"] == "LISTENER"
