"""What a learner, a manager and a trainer meet on a 375 px phone, by touch and by keyboard.

Headless Debian Chromium at 375x740 against a live server: no page scrolls sideways, the
ending says where to go next (also after play.js swapped it in), and radio buttons sit on
the line of the words they choose.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from liveserver import LiveServer
from mailhelpers import SmtpServer, password_link, wait_for_messages
from webhelpers import MODULE, PASSWORD, browser_log_in_and_start, serve_modules, unsubscribe_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TAP = 43  # px: about the 44 px touch target, with a pixel for rounding
# French runs about a fifth longer than English: the main pages are checked in both.
LANGUAGES = ["en-GB", "fr-FR"]


def _log_in(page, server: LiveServer, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/modules")


def _overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page is wider than the phone (0: nothing to scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_ending_swapped_in_by_the_script_says_where_to_go_next(live_team: LiveServer, browser_page):
    page = browser_page
    _log_in(page, live_team, "learner@example.org")
    page.goto(f"{live_team.url}/modules/{MODULE}")
    page.click('form[action$="/attempts"] button')
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector('.cx-attempt[data-node="follow-up"]')
    page.wait_for_function("!document.querySelector('.cx-attempt').hasAttribute('aria-busy')")
    page.focus('.cx-choice[value="call"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(".cx-ending")
    assert page.evaluate("document.activeElement.id") == "cx-feedback-title"

    # From the feedback, Tab goes on to the way out of the ending instead of leaving the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"/modules/{MODULE}"
    assert page.evaluate("document.activeElement.textContent") == "Back to the module"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/modules"
    for box in (page.locator(".cx-next a").nth(i).bounding_box() for i in range(2)):
        assert box is not None and box["height"] >= TAP

    page.reload()  # the server-rendered ending has the same links, once
    assert page.locator(".cx-next a").count() == 2
    assert page.get_by_text("Back to the module").count() == 1


def test_profile_radio_buttons_sit_on_the_line_of_their_words(live_team: LiveServer, browser_page):
    page = browser_page
    _log_in(page, live_team, "learner@example.org")
    page.goto(live_team.url + "/profile")
    rows = page.evaluate(
        """() => [...document.querySelectorAll('input[type=radio]')].map(radio => {
             const r = radio.getBoundingClientRect(), l = radio.closest('label').getBoundingClientRect();
             return {value: radio.value, width: r.width, middle: (r.top + r.bottom) / 2,
                     labelMiddle: (l.top + l.bottom) / 2, labelHeight: l.height};
           })"""
    )
    assert [row["value"] for row in rows] == ["named", "anonymous", "hidden", "on", "off"]
    for row in rows:
        assert row["width"] < 30, row  # not stretched across the form, with its words pushed below
        assert abs(row["middle"] - row["labelMiddle"]) < 4, row  # beside its words, not above them
        assert row["labelHeight"] >= TAP, row  # the whole line is the tap target
    page.click("text=not at all (hidden)")
    assert page.is_checked('input[value="hidden"]')
    assert _overflow(page) == 0


def test_the_unsubscribe_page_fits_a_phone_and_its_button_is_easy_to_tap(live_team: LiveServer, browser_page):
    page = browser_page  # logged out, as when arriving from an email
    link = live_team.url + unsubscribe_path(live_team.instance, 1, "learner@example.org")
    page.goto(link)
    button = page.locator("main form button").bounding_box()
    assert button is not None and button["height"] >= TAP
    assert _overflow(page) == 0
    page.click("main form button")
    page.wait_for_selector("[role=status]")
    assert _overflow(page) == 0
    assert page.goto(link[:-3]).status == 400
    assert _overflow(page) == 0


@pytest.mark.parametrize("browser_page", LANGUAGES, indirect=True)
def test_the_password_link_pages_fit_a_phone_and_are_easy_to_tap(
    live_mail: tuple[LiveServer, SmtpServer], browser_page
):
    server, smtp = live_mail
    page = browser_page  # logged out, as when arriving from an email
    wide: dict[str, int] = {}
    small: dict[str, float] = {}

    def check(name: str) -> None:
        if _overflow(page):
            wide[name] = _overflow(page)
        for box in _boxes(page, "main a, main input:not([type=hidden]), main button"):
            if box["height"] < TAP:
                small[f"{name}: {box['text'] or 'field'}"] = box["height"]

    page.goto(server.url + "/login")
    check("login")
    page.goto(server.url + "/password/forgot")
    check("forgot")
    page.fill("#email", "learner@example.org")
    page.press("#email", "Enter")
    page.wait_for_url("**/password/forgot/sent")
    check("sent")
    link = password_link(wait_for_messages(smtp.sink, 1)[0], server.url)
    page.goto(link)
    check("reset")
    assert page.goto(link[:-3]).status == 400
    check("link does not work")
    assert wide == {} and small == {}


@pytest.mark.parametrize("browser_page", LANGUAGES, indirect=True)
@pytest.mark.parametrize(
    ("email", "paths"),
    [
        (
            "learner@example.org",
            [
                "/modules",
                f"/modules/{MODULE}",
                "/history",
                "/practice",
                "/badges",
                "/leaderboard",
                "/profile",
                "/password",
            ],
        ),
        ("manager@example.org", ["/team"]),
        (
            "trainer@example.org",
            [
                "/trainer/modules",
                "/trainer/upload",
                f"/trainer/modules/{MODULE}",
                f"/trainer/preview/{MODULE}?restart=1",
                "/trainer/insight",
                f"/trainer/insight/{MODULE}",
                "/team",
                "/team?team=Eastgate",
            ],
        ),
        (
            "admin@example.org",
            [
                "/admin/users",
                "/admin/users?q=eastgate",
                "/admin/users/new",
                "/admin/users/1",
                "/admin/users/1/close",
                "/admin/users/1/erase",
                "/admin/users/4/erase",
            ],
        ),
    ],
)
def test_pages_never_scroll_sideways_on_a_phone(live_team: LiveServer, browser_page, email: str, paths: list[str]):
    page = browser_page
    _log_in(page, live_team, email)
    wide = {}
    for path in paths:
        response = page.goto(live_team.url + path)
        assert response is not None and response.ok, path
        if _overflow(page):
            wide[path] = _overflow(page)
    assert wide == {}  # wide tables and the graph scroll inside their own box
    if email.startswith("trainer"):
        page.goto(live_team.url + "/team?team=Eastgate")
        picker = page.locator(".team-picker input").bounding_box()
        assert picker is not None and picker["height"] >= 36  # the team field is as easy to hit as the others
    if email.startswith("admin"):
        page.goto(live_team.url + "/admin/users")
        small = {b["text"]: b["height"] for b in _boxes(page, ".accounts td a, main button") if b["height"] < TAP}
        for path in ("/admin/users/1", "/admin/users/1/erase"):
            page.goto(live_team.url + path)
            small.update(
                {
                    b["text"]: b["height"]
                    for b in _boxes(page, "main input:not([type=hidden]), main select, main button")
                    if b["height"] < TAP
                }
            )
        assert small == {}  # every account link and field is a 44 px target


HEADER_MAX = 100  # px at 375: brand, the Menu button and the level bar (the wrapped nav made it 163-191)

# The header's links and the Menu button, as each language names them.
NAV_WORDS = {
    "en-GB": ("Menu", "Modules", {"Modules", "History", "Leaderboard", "Trainer", "Insight", "Password", "Log out"}),
    "fr-FR": (
        "Menu",
        "Modules",
        {"Modules", "Historique", "Classement", "Formateur", "Analyses", "Mot de passe", "Se déconnecter"},
    ),
}

FOCUS_RING = """() => {
  const el = document.activeElement, s = getComputedStyle(el), r = el.getBoundingClientRect();
  return {text: (el.innerText || '').trim(), tag: el.tagName.toLowerCase(), current: el.getAttribute('aria-current'),
          ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, height: r.height,
          inHeader: !!el.closest('.site-header')};
}"""


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_phone_header_is_one_compact_row_and_its_menu_works_by_keyboard_without_javascript(
    live_team: LiveServer, browser_page, language: str
):
    menu_word, current_word, words = NAV_WORDS[language]
    # A context without JavaScript: the menu must not depend on play.js.
    context = browser_page.context.browser.new_context(
        viewport={"width": 375, "height": 740}, java_script_enabled=False, locale=language
    )
    page = context.new_page()
    _log_in(page, live_team, "trainer@example.org")  # the trainer has the most links
    expected = page.eval_on_selector_all(
        ".site-header nav a, .site-header nav button", "els => els.map(e => e.innerText.trim())"
    )
    assert words <= set(expected)

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= HEADER_MAX, header
    assert not page.locator(".site-header nav").is_visible()  # folded away behind "Menu"

    # Keyboard only: skip link, brand, then the Menu; Enter opens it and Tab walks every link, ring always visible.
    seen = []
    for _ in range(3):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUS_RING))
    menu = seen[-1]
    assert menu["tag"] == "summary" and menu["text"] == menu_word and menu["ring"] and menu["height"] >= TAP, seen
    page.keyboard.press("Enter")
    assert page.locator(".site-header nav").is_visible()
    reached = []
    for _ in range(len(expected)):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_RING)
        assert focused["inHeader"] and focused["ring"] and focused["height"] >= TAP, focused
        reached.append(focused)
    assert [f["text"] for f in reached] == expected
    assert [f["text"] for f in reached if f["current"] == "page"] == [current_word]  # the page we are on
    assert _overflow(page) == 0

    # The desktop header is as it was: every link in view, no Menu button, one or two rows.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not page.locator(".site-header summary").is_visible()
    assert all(page.locator(".site-header nav").get_by_text(text, exact=True).is_visible() for text in expected)
    wide = page.locator(".site-header").bounding_box()
    assert wide is not None and wide["height"] <= 80, wide
    context.close()


def test_escape_closes_the_phone_menu_and_returns_to_its_button(live_team: LiveServer, browser_page):
    page = browser_page  # 375 px, JavaScript on
    _log_in(page, live_team, "trainer@example.org")
    page.goto(f"{live_team.url}/modules/{MODULE}")
    menu = page.locator(".site-header summary")
    menu.focus()
    page.keyboard.press("Enter")
    nav = page.locator(".site-header nav")
    assert nav.is_visible()
    # Deep inside the menu: the section's link says where we are (a module page is inside "Modules").
    links = page.eval_on_selector_all(
        ".site-header nav a", "els => els.map(e => [e.innerText.trim(), e.getAttribute('aria-current')])"
    )
    assert [text for text, current in links if current] == ["Modules"]
    assert dict(links)["Modules"] == "true"
    for _ in range(4):
        page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.site-header nav')")
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    assert page.evaluate(FOCUS_RING)["tag"] == "summary"
    # Escape elsewhere on the page leaves a menu alone that is open but not in use.
    page.keyboard.press("Enter")
    page.locator("main h1").click()
    page.keyboard.press("Escape")
    assert nav.is_visible()


def _play_to_the_end_and_leave_one_open(page, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/modules/{MODULE}")
    page.click('form[action$="/attempts"] button')
    page.click('.cx-choice[value="listen"]')
    page.wait_for_selector('.cx-attempt[data-node="follow-up"]')
    page.wait_for_function("!document.querySelector('.cx-attempt').hasAttribute('aria-busy')")
    page.click('.cx-choice[value="call"]')
    page.wait_for_selector(".cx-ending")
    page.goto(f"{server.url}/modules/{MODULE}")
    page.click('form[action$="/attempts"] button')
    page.wait_for_selector(".cx-choice")


def _boxes(page, selector: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        selector,
        """els => els.map(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
             return {text: e.innerText.trim(), width: r.width, height: r.height,
                     current: e.getAttribute('aria-current'), background: s.backgroundColor, color: s.color}; })""",
    )


def test_resume_view_and_board_links_are_big_enough_to_tap(live_team: LiveServer, browser_page):
    page = browser_page
    _log_in(page, live_team, "learner@example.org")
    _play_to_the_end_and_leave_one_open(page, live_team)

    small = {}
    for path, selector in (
        ("/modules", ".module-list a.resume"),
        ("/history", ".attempts a"),
        (f"/modules/{MODULE}", ".attempts a"),
        ("/leaderboard", ".cx-tabs a"),
        ("/leaderboard?scope=team&period=all", ".cx-tabs a"),
    ):
        page.goto(live_team.url + path)
        boxes = _boxes(page, selector)
        assert boxes, path
        small.update(
            {f"{path} {b['text']}": (b["width"], b["height"]) for b in boxes if min(b["width"], b["height"]) < TAP}
        )
    assert small == {}

    # The board on show is marked for screen readers and by more than boldness: a filled pill.
    page.goto(live_team.url + "/leaderboard?scope=team&period=all")
    tabs = {b["text"]: b for b in _boxes(page, ".cx-tabs a")}
    assert [text for text, b in tabs.items() if b["current"] == "page"] == ["All time", "Teams"]
    for current, other in (("All time", "This week"), ("Teams", "Everyone")):
        assert tabs[current]["background"] != tabs[other]["background"], tabs
        assert tabs[current]["color"] != tabs[other]["color"], tabs
    assert _overflow(page) == 0


LONG_ADDRESS = "https://intranet.example.org/" + "customer-care/returns-policy/" * 6 + "index.html"
LONG_WORDS_MODULE = f"""id: long-words
title: Supercalifragilisticexpialidociousnessofthereturnsdeskprocedure
role: frontline-associate
start: desk
meters:
  customer: {{label: Customer experience, start: 50}}
  wait: {{label: Queueingtimeinminutesatthemaindesk, start: 50}}
nodes:
  desk:
    text: |
      The policy is at {LONG_ADDRESS} and nowhere else.

          {LONG_ADDRESS}
    customer_link: {LONG_ADDRESS}
    choices:
      - id: read
        text: Read {LONG_ADDRESS} aloud
        feedback: She hears {LONG_ADDRESS}.
        effects: {{customer: 5, wait: -10}}
        next: done
  done:
    text: Done.
    ending: {{title: Readitallthewaythroughtotheverylastlineofthereturnspolicy}}
"""


@pytest.fixture
def long_words_server(tmp_path) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    live = serve_modules(tmp_path, {"long-words.yaml": LONG_WORDS_MODULE})
    yield live
    live.stop()


def test_a_long_address_in_a_module_wraps_instead_of_widening_the_play_page(long_words_server, browser_page):
    page = browser_page
    browser_log_in_and_start(page, long_words_server.url, module="long-words")
    assert _overflow(page) == 0
    # A code block keeps its lines and scrolls inside itself instead.
    assert page.evaluate("getComputedStyle(document.querySelector('.cx-text pre')).overflowX") == "auto"
    page.click('.cx-choice[value="read"]')
    page.wait_for_selector(".cx-ending")
    assert _overflow(page) == 0
    for path in ("/modules", "/modules/long-words", "/history"):
        page.goto(long_words_server.url + path)
        assert _overflow(page) == 0, path


def test_the_meter_bars_line_up_whatever_their_change_reads(long_words_server, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 740})
    browser_log_in_and_start(page, long_words_server.url, module="long-words")
    page.click('.cx-choice[value="read"]')  # the customer meter shows (+5), the other (-10)
    page.wait_for_selector(".cx-ending")
    bars = [page.locator(f"#cx-meter-{m}").bounding_box() for m in ("customer", "wait")]
    assert bars[0] is not None and bars[1] is not None
    assert (bars[0]["x"], bars[0]["width"]) == (bars[1]["x"], bars[1]["width"])


def test_a_long_display_name_keeps_the_board_s_xp_on_screen(long_words_server, browser_page):
    page = browser_page
    browser_log_in_and_start(page, long_words_server.url, module="long-words")
    page.click('.cx-choice[value="read"]')  # earns XP: on the board
    page.wait_for_selector(".cx-ending")
    page.goto(long_words_server.url + "/profile")
    page.fill("#name", "Maximiliana" * 6)  # one 66-letter word
    page.check('input[name="leaderboard"][value="named"]')
    page.click('form.stacked button[type="submit"]')
    page.goto(long_words_server.url + "/leaderboard")
    xp = page.locator("tr.you td").nth(2).bounding_box()
    assert xp is not None and xp["x"] + xp["width"] <= page.viewport_size["width"]
    assert _overflow(page) == 0
