"""Integration: the xblock-sdk workbench serves the block and a learner plays it to the end in Chromium.

The workbench runs in a subprocess (Django's runserver on 127.0.0.1 and a free port)
with its own settings module and SQLite file in a temporary folder, after running
its migrations (with --run-syncdb: the workbench app has no migration files).
Skipped when Chromium is missing, unless CXTRAIN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import chromium
import pytest

SETTINGS = """
from workbench.settings import *  # noqa: F403

DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
DJFS = {{"type": "osfs", "directory_root": {fs!r}, "url_root": "/static/djpyfs"}}
LOGGING = {{"version": 1, "disable_existing_loggers": False}}
DEBUG = True

# As in the LMS: the request's language comes from the browser (Accept-Language), and the block's
# i18n service reads the block's own catalogue for it (the workbench's default service reads
# Django's catalogues only, where the block's strings are not).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "django.middleware.locale.LocaleMiddleware",
)
WORKBENCH["services"]["i18n"] = "xblock_support.WorkbenchPlatformI18n"
"""

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HERE = Path(__file__).parent  # xblock_support, for the settings' i18n service


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workbench exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the workbench did not answer at {url}")


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chromium.executable_or_skip()
    folder = tmp_path_factory.mktemp("workbench")
    (folder / "var").mkdir()
    (folder / "djpyfs").mkdir()
    (folder / "cx_workbench_settings.py").write_text(
        SETTINGS.format(db=str(folder / "workbench.sqlite3"), fs=str(folder / "djpyfs")), encoding="utf-8"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), str(HERE), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "cx_workbench_settings",
        "EXCLUDE_SAMPLE_XBLOCKS": "yes",
        "WORKBENCH_RESET_STATE_ON_RESTART": "true",
    }
    django = [sys.executable, "-m", "django"]
    migrate = [*django, "migrate", "--run-syncdb", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=folder, env=env, check=True, timeout=120)
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [*django, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + "/", process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if process.returncode not in (0, -15, None):
            print((folder / "server.log").read_text(encoding="utf-8")[-4000:])


def _block_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's WCAG 2.1 A/AA findings inside the block (the workbench's own page is not ours)."""
    from axe_playwright_python.sync_playwright import Axe

    rules = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    results = Axe().run(page, context=".cxscenario", options=rules)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


@pytest.fixture
def page(workbench: str):  # type: ignore[no-untyped-def]
    with chromium.page(width=1024, height=900, timeout_ms=15_000) as tab:
        yield tab


def _block_outline_skips(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Headings in the block that go more than one level deeper than the one before (it starts at its h2)."""
    levels = page.eval_on_selector_all(
        ".cxscenario :is(h1, h2, h3, h4, h5, h6)", "hs => hs.map(h => h.tagName + ' ' + h.innerText.trim())"
    )
    skips = [] if levels and levels[0].startswith("H2 ") else [f"starts at {levels[:1]}"]
    return skips + [f"{a} -> {b}" for a, b in pairwise(levels) if int(b[1]) > int(a[1]) + 1]


def test_play_a_module_to_the_end_in_the_workbench(workbench: str, page) -> None:
    page.goto(f"{workbench}/scenario/cxscenario.0/?student=learner-a")
    block = page.locator(".cxscenario")
    assert block.locator(".cx-node-title").inner_text() == "Monday morning"
    assert block.locator(".cx-node-title").evaluate("h => h.tagName") == "H3"  # under the block's h2
    assert _block_outline_skips(page) == []
    assert _block_violations(page) == []

    # Keyboard only: Tab to the first choice and press Enter; focus moves to the feedback heading.
    block.get_by_role("button", name="Walk it over to the Care team now").focus()
    page.keyboard.press("Enter")
    feedback = block.locator(".cx-feedback-title")
    feedback.wait_for()
    assert "Care reads it the same morning." in block.locator(".cx-feedback").inner_text()
    assert page.evaluate("document.activeElement.id").endswith("-feedback-title")
    assert block.locator(".cx-node-title").inner_text() == "Later that day"
    assert _block_outline_skips(page) == []

    block.get_by_role("button", name="Tell them Care has it and will call back today").click()
    result = block.locator(".cx-result")
    result.wait_for()
    assert "100%" in result.inner_text()
    assert "passed" in result.inner_text()
    assert "100%" in block.locator("[data-cxs-graded]").inner_text()
    assert block.locator("[data-cxs-xp]").inner_text() == "30"

    assert _block_violations(page) == []  # the ending, with header, score and path
    assert _block_outline_skips(page) == []

    # The state is the server's: a reload shows the same ending and score.
    page.reload()
    assert "100%" in page.locator(".cxscenario .cx-result").inner_text()

    # Play again, badly this time: the best-attempt policy keeps the graded score.
    page.locator(".cxscenario [data-cxs-restart]").click()
    page.locator(".cxscenario").get_by_role("button", name="Drop it in the internal mail tray").click()
    page.locator(".cxscenario").get_by_role("button", name="Transfer the call to the switchboard").click()
    page.locator(".cxscenario .cx-result").wait_for()
    assert "0%" in page.locator(".cxscenario .cx-result").inner_text()
    assert "100%" in page.locator(".cxscenario [data-cxs-graded]").inner_text()


def test_studio_editor_refuses_errors_and_shows_them_by_line(workbench: str, page) -> None:
    page.goto(f"{workbench}/scenario/cxscenario.0/studio_view/")
    editor = page.locator(".cxscenario-studio")
    yaml_box = editor.locator("#cxs-yaml")
    text = yaml_box.input_value()
    assert text.startswith("id: wb-misrouted-letter")
    broken = text.replace("next: heard", "next: nowhere")
    yaml_box.fill(broken)
    editor.locator("[data-cxs-save]").click()
    finding = editor.locator("[data-cxs-findings] li").first
    finding.wait_for()
    line = broken.splitlines().index("        next: nowhere") + 1
    assert f"Line {line}, column" in finding.inner_text()
    assert "nowhere" in finding.inner_text()
    # Clicking the finding selects that line in the editor, for keyboard users too, wherever the
    # editor was scrolled to.
    page.evaluate("document.querySelector('#cxs-yaml').scrollTop = 1e6")
    finding.locator("a").click()
    selected = page.evaluate(
        "(() => { const t = document.querySelector('#cxs-yaml');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); })()"
    )
    assert selected == "        next: nowhere"
    # ... and scrolls the editor to it, with its lines unwrapped (YAML's indentation stays visible).
    shown = page.evaluate(
        "(() => { const t = document.querySelector('#cxs-yaml');"
        " const h = t.scrollHeight / t.value.split('\\n').length;"
        f" const top = ({line} - 1) * h;"
        " return [t.getAttribute('wrap'), t.scrollTop <= top && top + h <= t.scrollTop + t.clientHeight]; })()"
    )
    assert shown == ["off", True]


def test_handlers_refuse_requests_without_csrf_token(workbench: str) -> None:
    request = urllib.request.Request(
        f"{workbench}/handler/x/choose/?student=learner-b",
        data=b'{"node": "desk", "choice": "tray"}',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 403


@pytest.fixture
def french_page(workbench: str):  # type: ignore[no-untyped-def]
    with chromium.page(width=1024, height=900, timeout_ms=15_000, locale="fr-FR") as tab:
        yield tab


def test_a_french_browser_plays_in_french(workbench: str, french_page) -> None:
    from playwright.sync_api import expect

    page = french_page
    page.goto(f"{workbench}/scenario/cxscenario.0/?student=learner-fr")
    block = page.locator(".cxscenario")
    assert block.locator(".cx-choices legend").inner_text() == "Que faites-vous\u202f?"
    assert block.locator(".cxs-attempts").inner_text() == "Tentatives utilisées\u00a0: 1 · restantes\u00a0: 2"

    # The script's own words are the block's, translated: a choice that cannot be sent says so in French.
    handler = re.compile(r"/handler/.*/choose/")
    page.route(handler, lambda route: route.abort())
    block.get_by_role("button", name="Walk it over to the Care team now").click()
    expect(block.locator(".cx-notice")).to_have_text(
        "Votre choix n’a pas pu être envoyé. Vérifiez votre connexion et réessayez."
    )
    page.unroute(handler)

    block.get_by_role("button", name="Walk it over to the Care team now").click()
    expect(block.locator(".cx-feedback-title")).to_have_text("Ce qui s’est passé")
    live = block.locator("[data-cx-live]")
    expect(live).to_have_text("Care reads it the same morning. Later that day")

    block.get_by_role("button", name="Tell them Care has it and will call back today").click()
    expect(block.locator(".cx-result")).to_contain_text("100\u202f%")
    expect(block.locator(".cx-result")).to_contain_text("réussi")
    expect(live).to_contain_text("Score 100\u202f% — réussi.")
    expect(block.locator("[data-cxs-graded]")).to_have_text("100\u202f%")

    block.get_by_role("button", name="Rejouer").click()
    expect(live).to_have_text("Une nouvelle tentative a commencé. Monday morning")


def test_studio_lists_findings_in_french(workbench: str, french_page) -> None:
    page = french_page
    page.goto(f"{workbench}/scenario/cxscenario.0/studio_view/")
    editor = page.locator(".cxscenario-studio")
    yaml_box = editor.locator("#cxs-yaml")
    broken = yaml_box.input_value().replace("next: heard", "next: nowhere")
    yaml_box.fill(broken)
    editor.locator("[data-cxs-check]").click()
    finding = editor.locator("[data-cxs-findings] li").first
    finding.wait_for()
    line = broken.splitlines().index("        next: nowhere") + 1
    assert re.match(rf"Ligne {line}, colonne \d+ — erreur\u00a0: .*nowhere.* \[[\w-]+\]$", finding.inner_text())
