"""Headless Chromium (Debian's) against a live server: log in and play to the end by keyboard only."""

from __future__ import annotations

import pytest
from liveserver import LiveServer
from mailhelpers import SmtpServer, password_link, wait_for_messages
from webhelpers import MODULE, PASSWORD, browser_log_in_and_start

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
    assert page.inner_text(".cx-node-title") == "Ending: A customer who comes back"
    assert "100%" in ending and "passed" in ending
    assert "Call her to say it is found" in ending  # the path, in words
    assert "She is delighted." in page.inner_text(".cx-feedback")
    # Readable on a 375 px phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert not errors, errors  # no CSP violations or script errors

    page.reload()  # the server agrees: the finished attempt shows the same ending
    assert page.inner_text(".cx-node-title") == "Ending: A customer who comes back"


def _log_in_and_start(page, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    browser_log_in_and_start(page, server.url)


def test_a_choice_swaps_the_servers_fragment_in_without_a_reload(server: LiveServer, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    _log_in_and_start(page, server)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.headers.get("x-cx-fragment", "")) if r.method == "POST" else None)
    page.evaluate("window.cxStillHere = true")

    page.dblclick('.cx-choice[value="listen"]')  # a double click sends one request
    page.wait_for_selector('.cx-attempt[data-node="follow-up"]')
    page.wait_for_function("!document.querySelector('.cx-attempt').hasAttribute('aria-busy')")
    assert page.evaluate("window.cxStillHere") is True  # the page was not reloaded
    assert posts == ["1"]
    assert page.locator(".cx-notice").count() == 0  # no "already taken" from a second request
    # Where focus is now is not asserted: on a loaded machine the answer can arrive between the two
    # clicks, and the second click's mousedown then focuses whatever lies under the pointer (harmless
    # for a mouse user). Focus after a keyboard choice is asserted below.
    live = page.inner_text("[data-cx-live]")
    assert "She calms down a little." in live and "The next morning" in live
    assert page.locator(".cx-attempt").count() == 1 and page.locator("[data-cx-live]").count() == 1

    page.focus('.cx-choice[value="call"]')
    page.keyboard.press("Space")
    page.wait_for_selector(".cx-ending")
    assert page.evaluate("window.cxStillHere") is True
    assert page.evaluate("document.activeElement.id") == "cx-feedback-title"
    live = page.inner_text("[data-cx-live]")
    for said in ("She is delighted.", "Ending: A customer who comes back.", "Score 100% — passed.", "+20 XP."):
        assert said in live
    assert "20 XP" in page.inner_text(".cx-level")  # the header bar caught up, text and all
    assert page.locator("template[data-cx-level-bar]").count() == 0
    assert posts == ["1", "1"]
    assert not errors, errors


def test_the_second_click_of_a_double_click_never_takes_the_next_steps_choice(server: LiveServer, browser_page):
    page = browser_page
    _log_in_and_start(page, server)
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector('.cx-attempt[data-node="follow-up"]')
    page.wait_for_function("!document.querySelector('.cx-attempt').hasAttribute('aria-busy')")
    # The first answer is already in when the second click of the double click arrives.
    page.dispatch_event('.cx-choice[value="call"]', "click", {"detail": 2})
    page.wait_for_timeout(500)
    assert page.get_attribute(".cx-attempt", "data-node") == "follow-up"
    assert page.locator(".cx-ending").count() == 0
    page.click('.cx-choice[value="call"]')  # a deliberate click still plays
    page.wait_for_selector(".cx-ending")


def test_a_network_failure_leaves_the_page_and_says_so(server: LiveServer, browser_page):
    page = browser_page
    _log_in_and_start(page, server)
    page.route("**/choose", lambda route: route.abort())
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector(".cx-notice")
    assert "could not be sent" in page.inner_text("[data-cx-live]")
    assert "could not be sent" in page.inner_text(".cx-notice")
    assert page.get_attribute(".cx-attempt", "data-node") == "counter"

    page.unroute("**/choose")  # the connection is back: the same buttons work
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector('.cx-attempt[data-node="follow-up"]')
    assert page.locator(".cx-notice").count() == 0


def test_a_choice_after_logging_out_elsewhere_says_to_reload(server: LiveServer, browser_page):
    page = browser_page
    _log_in_and_start(page, server)
    page.context.clear_cookies()  # the session ended (logged out in another tab, or expired)
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector(".cx-notice")
    assert "You have been logged out. Reload the page" in page.inner_text(".cx-notice")
    assert "logged out" in page.inner_text("[data-cx-live]")
    assert page.get_attribute(".cx-attempt", "data-node") == "counter"  # the page stays as it was
    # The note is above the situation: on a phone scrolled down to the choices, it comes into view.
    assert page.evaluate("document.activeElement.classList.contains('cx-notice')")
    assert page.locator(".cx-notice").is_visible()
    box = page.locator(".cx-notice").bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]


def test_without_javascript_the_form_still_plays(server: LiveServer, browser_page):
    viewport = {"width": 375, "height": 740}
    context = browser_page.context.browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    _log_in_and_start(page, server)
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector("text=She calms down a little.")
    assert "/attempts/" in page.url and not page.url.endswith("/choose")  # post/redirect/get
    page.click('.cx-choice[value="call"]')
    page.wait_for_selector(".cx-ending")
    assert "+20 XP" in page.inner_text(".cx-rewards")
    context.close()


def test_a_forgotten_password_from_the_login_page_to_the_modules(
    live_mail: tuple[LiveServer, SmtpServer], browser_page
):
    server, smtp = live_mail
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server.url + "/login")
    _tab_to(page, 'a[href="/password/forgot"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/password/forgot")
    page.fill("#email", "learner@example.org")
    page.press("#email", "Enter")
    page.wait_for_url("**/password/forgot/sent")
    assert "If learner@example.org is the address of an open cxtrain account" in page.inner_text("main")

    [message] = wait_for_messages(smtp.sink, 1)
    sent: list[dict[str, str]] = []
    page.on("request", lambda r: sent.append(r.headers) if r.method == "POST" else None)
    page.goto(password_link(message, server.url))
    page.fill("#new_password", "a brand new passphrase")
    page.fill("#confirm_password", "a brand new passphrase")
    page.press("#confirm_password", "Enter")
    page.wait_for_url("**/modules")
    assert "Your new password is saved and you are logged in" in page.inner_text("main")
    assert [headers.get("referer") for headers in sent] == [None]  # the page with the token sent no Referer
    assert not errors, errors


def test_back_after_a_choice_shows_the_module_page_as_it_is_now(server: LiveServer, browser_page):
    page = browser_page
    browser_log_in_and_start(page, server.url)
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector("text=She calms down a little.")
    page.go_back()  # to the module page, from before the attempt began
    page.wait_for_url(f"**/modules/{MODULE}")
    assert page.locator("text=Resume your attempt").count() == 1
    page.click('form[action$="/attempts"] button')  # "Start a new attempt", now on purpose
    page.wait_for_selector(".cx-choice")
    assert page.locator(".cx-feedback-title").count() == 0  # a fresh attempt at its first node
