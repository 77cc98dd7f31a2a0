"""Headless Chromium (Debian's): finish a module and see the XP, the level bar move and the first-pass badge."""

from __future__ import annotations

import pytest
from liveserver import LiveServer
from webhelpers import MODULE, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def server(live_learner: tuple[LiveServer, str]) -> LiveServer:
    return live_learner[0]


def test_finish_shows_xp_level_bar_and_badge(server: LiveServer, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server.url + "/login")
    page.fill("#email", "learner@example.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/modules")
    assert page.get_attribute(".cx-level", "data-cx-xp") == "0"
    assert "Level 1 · Listener" in page.inner_text(".cx-level")

    page.goto(f"{server.url}/modules/{MODULE}")
    page.click('form[action$="/attempts"] button')
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector("text=She calms down a little.")
    page.click('.cx-choice[value="call"]')
    page.wait_for_selector(".cx-rewards")
    rewards = page.inner_text(".cx-rewards")
    assert "+20 XP" in rewards
    assert "First pass" in page.inner_text('.cx-badge-new[data-badge="first-pass"]')
    assert "New badge: First pass" in page.inner_text("[data-cx-live]")  # announced to screen readers too
    assert page.get_attribute(".cx-level", "data-cx-xp") == "20"  # the bar caught up without a reload
    assert not errors, errors

    page.reload()  # the server agrees: the ending still shows what this attempt earned
    assert "+20 XP" in page.inner_text(".cx-rewards")
    assert "20 XP" in page.inner_text(".cx-level")
    page.goto(server.url + "/badges")
    assert "Open Badge (JSON)" in page.inner_text("#badge-first-pass")
