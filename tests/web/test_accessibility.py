"""axe-core (the engine behind most accessibility checkers) on every page a learner meets.

Run in Debian's Chromium at phone width (375 px) against a live server, through the
module list, a decision, the feedback after a choice and the ending page. Any
violation of WCAG 2.1 A or AA (contrast, labels, ARIA, landmarks, ...) fails the test.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from liveserver import LiveServer
from mailhelpers import SmtpServer, password_link, wait_for_messages
from webhelpers import MODULE, PASSWORD, browser_log_in_and_start, unsubscribe_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Both languages: French strings are longer, and <html lang> must name the language shown.
LANGUAGES = ["en-GB", "fr-FR"]
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# In the live_team fixture account 1 is the learner and 4 the admin (their own page has no Close or Erase).
ADMIN_PAGES = [
    "/admin/users",
    "/admin/users?q=eastgate",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/users/4",
    "/admin/users/1/close",
    "/admin/users/1/erase",
    "/admin/users/4/erase",
]


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page, options=RULES)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("browser_page", LANGUAGES, indirect=True)
def test_learner_pages_have_no_wcag_violations(live_learner: tuple[LiveServer, str], browser_page) -> None:
    server, email = live_learner
    page = browser_page
    found: dict[str, list[str]] = {}

    page.goto(server.url + "/login")
    found["login"] = violations(page)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/modules")
    found["modules"] = violations(page)

    page.goto(f"{server.url}/modules/{MODULE}")
    found["module"] = violations(page)
    page.click('form[action$="/attempts"] button')
    page.wait_for_selector(".cx-choice")
    found["decision"] = violations(page)
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector(".cx-feedback")
    found["feedback"] = violations(page)
    page.click('.cx-choice[value="call"]')
    page.wait_for_selector(".cx-ending")
    found["ending"] = violations(page)

    for path in ("/history", "/badges", "/leaderboard", "/profile"):
        response = page.goto(server.url + path)
        if response is not None and response.ok:
            found[path] = violations(page)

    assert (
        page.evaluate("document.documentElement.lang")
        == browser_page.context.pages[0].evaluate("navigator.language").split("-")[0]
    )

    # The reminder emails' unsubscribe page, logged out as from an email: asking, done, and a broken link.
    page.context.clear_cookies()
    link = server.url + unsubscribe_path(server.instance, 1, email)
    page.goto(link)
    found["unsubscribe"] = violations(page)
    page.click("main form button")
    page.wait_for_selector("[role=status]")
    found["unsubscribed"] = violations(page)
    page.goto(link[:-3])
    found["unsubscribe, broken link"] = violations(page)

    assert len(found) >= 9, found.keys()
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("browser_page", LANGUAGES, indirect=True)
def test_password_link_pages_have_no_wcag_violations(live_mail: tuple[LiveServer, SmtpServer], browser_page) -> None:
    """ "Forgot your password?" and the pages an emailed link opens, in every state, logged out as from an email."""
    server, smtp = live_mail
    page = browser_page
    found: dict[str, list[str]] = {}
    page.goto(server.url + "/login")
    assert page.locator('a[href="/password/forgot"]').count() == 1
    found["login, with Forgot"] = violations(page)
    page.goto(server.url + "/password/forgot")
    found["forgot"] = violations(page)
    page.evaluate("document.querySelector('main form').noValidate = true")  # past the browser's own check
    page.fill("#email", "not-an-email")
    page.press("#email", "Enter")
    page.wait_for_selector("#email-error")
    found["forgot, refused"] = violations(page)
    page.fill("#email", "learner@example.org")
    page.press("#email", "Enter")
    page.wait_for_url("**/password/forgot/sent")
    found["forgot, sent"] = violations(page)

    link = password_link(wait_for_messages(smtp.sink, 1)[0], server.url)
    page.goto(link)
    found["reset"] = violations(page)
    page.fill("#new_password", "one long passphrase")
    page.fill("#confirm_password", "another long passphrase")
    page.press("#confirm_password", "Enter")
    page.wait_for_selector("#password-error")
    found["reset, refused"] = violations(page)
    page.goto(link[:-3])
    found["link does not work"] = violations(page)

    assert server.cli("users", "invite", "learner@example.org").returncode == 0
    page.goto(password_link(wait_for_messages(smtp.sink, 2)[1], server.url))
    found["invitation"] = violations(page)
    page.fill("#new_password", "one long passphrase")
    page.fill("#confirm_password", "one long passphrase")
    page.press("#confirm_password", "Enter")
    page.wait_for_url("**/modules")
    page.context.clear_cookies()
    page.goto(link)
    assert page.locator("h1").inner_text() in ("This link has been used", "Ce lien a déjà servi")
    found["link used"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}


@pytest.mark.parametrize("browser_page", LANGUAGES, indirect=True)
def test_manager_and_trainer_pages_have_no_wcag_violations(live_team: LiveServer, browser_page) -> None:
    """The team view and trainer pages at 375 px: wide tables and the graph scroll in a box the keyboard can reach."""
    page = browser_page
    found: dict[str, list[str]] = {}
    # The learner (account 1) holds an API token, so their account page offers to revoke it on a reset.
    token = requests.post(live_team.url + "/api/tokens", json={"email": "learner@example.org", "password": PASSWORD})
    assert token.status_code == 201
    for email, paths in (
        ("manager@example.org", ["/team"]),
        (
            "trainer@example.org",
            [
                "/trainer/modules",
                "/trainer/upload",
                f"/trainer/modules/{MODULE}",
                f"/trainer/upload?module={MODULE}",
                f"/trainer/preview/{MODULE}",
                "/trainer/insight",
                f"/trainer/insight/{MODULE}",
                "/team",
                "/team?team=Eastgate",
            ],
        ),
        ("admin@example.org", ADMIN_PAGES),
    ):
        page.context.clear_cookies()
        page.goto(live_team.url + "/login")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url("**/modules")
        for path in paths:
            response = page.goto(live_team.url + path)
            assert response is not None and response.ok, path
            found[f"{email} {path}"] = violations(page)

    # The preview of a module that is not on offer (an author's file that stopped loading).
    response = page.goto(live_team.url + "/trainer/preview/no-such-module")
    assert response is not None and response.status == 404
    found["trainer: preview of a missing module"] = violations(page)

    # The admin's forms as they answer: refusals (422), the one-time password, a closed account.
    page.goto(live_team.url + "/admin/users/new")
    page.fill("#email", "learner@example.org")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".field-error")
    found["admin: add refused"] = violations(page)
    page.fill("#email", "newcomer@example.org")
    page.select_option("#job_role", "team-manager")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".one-time")
    found["admin: password shown once"] = violations(page)
    page.goto(live_team.url + "/admin/users/2/erase")
    page.fill("#confirm_email", "someone.else@example.org")
    page.click("form[action$='/erase'] button")
    page.wait_for_selector("#confirm_email-error")
    found["admin: erase refused"] = violations(page)
    page.goto(live_team.url + "/admin/users/1")
    page.click("a[href$='/close']")
    page.click("form[action$='/close'] button")
    page.wait_for_selector("#reopen-team")
    found["admin: closed account"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}


OUTLINE = (
    "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => h.tagName + ' ' + h.innerText.trim())"
)


def skipped_levels(outline: list[str]) -> list[str]:
    """Headings that go more than one level deeper than the one before (h1 -> h3), and a first heading other than h1."""
    found = [] if outline and outline[0].startswith("H1 ") else ["no h1 first"]
    found += [f"{a} -> {b}" for a, b in pairwise(outline) if int(b[1]) > int(a[1]) + 1]
    return found


def test_play_page_headings_never_skip_a_level(live_learner: tuple[LiveServer, str], browser_page) -> None:
    """A screen-reader user moving by headings meets the module, then what happened, then the situation."""
    server, email = live_learner
    page = browser_page
    browser_log_in_and_start(page, server.url, email)
    outlines = {"decision": page.evaluate(OUTLINE)}

    page.click('.cx-choice[value="listen"]')  # play.js swaps in the server's re-render
    page.wait_for_selector('.cx-attempt[data-node="follow-up"]')
    page.wait_for_function("!document.querySelector('.cx-attempt').hasAttribute('aria-busy')")
    outlines["feedback"] = page.evaluate(OUTLINE)
    assert page.evaluate("document.activeElement.id") == "cx-feedback-title"  # focus still lands on the feedback
    page.reload()
    outlines["feedback, reloaded"] = page.evaluate(OUTLINE)

    page.click('.cx-choice[value="call"]')
    page.wait_for_selector(".cx-ending")
    outlines["ending"] = page.evaluate(OUTLINE)
    assert page.evaluate("document.activeElement.id") == "cx-feedback-title"
    page.reload()
    outlines["ending, reloaded"] = page.evaluate(OUTLINE)

    assert outlines["feedback"][:3] == ["H1 The parcel at the counter", "H2 What happened", "H2 The next morning"]
    # The ending node has no title of its own: the ending's heads it, the result below.
    assert outlines["ending"][2:4] == ["H2 Ending: A customer who comes back", "H3 Your result"]
    assert {name: skipped_levels(outline) for name, outline in outlines.items() if skipped_levels(outline)} == {}
