"""Debian's Chromium for the browser tests, driven by Playwright (shared by tests/web and tests/xblock).

Playwright's own browser download is not available here, so the tests launch the
system Chromium by path, with the flags that keep it off the network.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from outside import missing

EXECUTABLE = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def executable_or_skip() -> str:
    """The Chromium binary; skips the test without one unless CXTRAIN_REQUIRE_BROWSER=1 (CI)."""
    found = EXECUTABLE if os.path.exists(EXECUTABLE) else shutil.which("chromium")
    if found:
        return found
    missing("Debian's chromium is not installed", "CXTRAIN_REQUIRE_BROWSER")


@contextmanager
def page(width: int = 375, height: int = 740, timeout_ms: int = 10_000, locale: str | None = None) -> Iterator[Any]:
    """A fresh page in a fresh headless browser, phone-sized by default; ``locale`` ("fr-FR") is the
    browser's language, sent as Accept-Language."""
    executable = executable_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
            tab = context.new_page()
            tab.set_default_timeout(timeout_ms)
            yield tab
        finally:
            browser.close()
