"""i18n: strings go through the runtime's i18n service, and the catalogue lists every one of them."""

from __future__ import annotations

import gettext
from pathlib import Path

import cxtrain_xblock
from xblock_support import call

PACKAGE = Path(cxtrain_xblock.__file__).parent
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES" / "text.po"


class Shouting:
    """An i18n service that 'translates' by upper-casing, so translated text is easy to spot."""

    def gettext(self, text: str) -> str:
        return text.upper()

    ugettext = gettext


def test_views_and_handlers_translate_through_the_runtime(make_block, runtime):
    runtime._services["i18n"] = Shouting()
    block = make_block()
    html = block.render("student_view").content
    assert "ATTEMPTS USED" in html
    assert "Attempts used" not in html
    status, answer = call(block, "choose", {"node": "counter", "choice": "nowhere"})
    assert status == 400
    assert answer["message"] == "THAT CHOICE IS NOT AVAILABLE AT THIS POINT."
    assert "PROBLEMS FOUND" in block.render("studio_view").content


def test_catalogue_lists_every_message():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "_noop": None}
    found = {msg for _file, _line, msg, _comments, _ctx in extract_from_dir(PACKAGE, method_map, keywords=keywords)}
    with CATALOGUE.open("rb") as fh:
        listed = {m.id for m in read_po(fh) if m.id}
    missing = found - listed
    assert not missing, f"run the extraction command in docs/openedx.md; missing: {sorted(missing)}"


def test_compiled_catalogue_loads():
    translations = gettext.translation("text", localedir=PACKAGE / "translations", languages=["en"])
    assert translations.gettext("Play again") == "Play again"
