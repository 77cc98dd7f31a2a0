"""Headless Chromium (Debian's) against a live server: log in and play to the end by keyboard only."""

from __future__ import annotations

import pytest
from liveserver import LiveServer
from webhelpers import MODULE, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(live_learner: tuple[LiveServer, str]) -> LiveServer:
    return live_learner[0]


def _tab_to(page, selector: str, limit: int = 40) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element matches ``selector`` (keyboard only, like a learner would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_play_to_the_ending(server: LiveServer, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server.url + "/login")
    _tab_to(page, "#email")
    page.keyboard.type("learner@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/modules")
    _tab_to(page, f'a[href="/modules/{MODULE}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/modules/{MODULE}")
    _tab_to(page, 'form[action$="/attempts"] button')
    page.keyboard.press("Enter")
    page.wait_for_selector(".cx-choice")
    url_before = page.url

    _tab_to(page, '.cx-choice[value="listen"]')
    page.keyboard.press("Enter")
    page.wait_for_selector("text=She calms down a little.")
    # No reload: the script rendered the answer, announced it, and moved focus to the feedback.
    assert page.url == url_before
    assert "She calms down" in page.inner_text("[data-cx-live]")
    assert page.evaluate("document.activeElement.id") == "cx-feedback-title"

    _tab_to(page, '.cx-choice[value="call"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(".cx-ending")
    ending = page.inner_text(".cx-ending")
    assert "Ending: A customer who comes back" in ending
    assert "100%" in ending and "passed" in ending
    assert "Call her to say it is found" in ending  # the path, in words
    assert "She is delighted." in page.inner_text(".cx-feedback")
    # Readable on a 375 px phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not errors, errors  # no CSP violations or script errors

    page.reload()  # the server agrees: the finished attempt shows the same ending
    assert "Ending: A customer who comes back" in page.inner_text(".cx-ending")
