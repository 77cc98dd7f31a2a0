"""In headless Chromium: after a step, the live region says the module's words in the module's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from liveserver import LiveServer
from test_content_language import ENGLISH_MODULE
from webhelpers import browser_log_in_and_start, serve_modules

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def english_module_server(tmp_path: Path) -> Iterator[LiveServer]:
    live = serve_modules(tmp_path, {"lang-english.yaml": ENGLISH_MODULE})
    yield live
    live.stop()


@pytest.mark.parametrize("browser_page", ["fr-FR"], indirect=True)
def test_the_announcement_keeps_the_module_s_words_marked_english_on_a_french_page(english_module_server, browser_page):
    page = browser_page
    browser_log_in_and_start(page, english_module_server.url, module="lang-english")
    page.focus('.cx-choice[value="listen"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(".cx-ending")
    live = page.locator("[data-cx-live]")
    assert " ".join(live.inner_text().split()).startswith("She feels heard. Fin : Parcel found. Score 100 %")
    marks = live.evaluate("el => Array.from(el.querySelectorAll('[lang]'), (e) => [e.lang, e.textContent])")
    assert marks == [["en", "She feels heard."], ["en", "Parcel found"]]
    assert page.locator("html").get_attribute("lang") == "fr"
