"""Emailed password links against a real `cxtrain serve` (gunicorn) over HTTP, with a real SMTP server
in this process: the email leaves from the server's own thread, the link works in a fresh client, the
token never reaches the access log; and `cxtrain users invite` run as its own process."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from liveserver import LiveServer
from mailhelpers import SmtpServer, password_link, wait_for_messages
from webhelpers import PASSWORD, csrf_from

pytestmark = pytest.mark.slow
EMAIL = "learner@example.org"
NEW = "a brand new passphrase"


def _choose(client: requests.Session, link: str, password: str) -> requests.Response:
    page = client.get(link, timeout=10)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    token = link.rsplit("/", 1)[1]
    form = {"csrf_token": csrf_from(page.text), "token": token, "new_password": password, "confirm_password": password}
    return client.post(link.rsplit("/", 1)[0], data=form, timeout=10, allow_redirects=False)


def test_forgot_password_over_real_http_keeps_the_token_out_of_the_access_log(
    live_mail: tuple[LiveServer, SmtpServer], tmp_path: Path
):
    live, smtp = live_mail
    phone = requests.Session()  # logged in before, with the old password
    login_page = phone.get(live.url + "/login", timeout=10).text
    form = {"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_from(login_page)}
    logged_in = phone.post(live.url + "/login", data=form, timeout=10)
    assert logged_in.url.endswith("/modules")

    browser = requests.Session()
    assert 'href="/password/forgot"' in browser.get(live.url + "/login", timeout=10).text
    form = browser.get(live.url + "/password/forgot", timeout=10).text
    asked = browser.post(
        live.url + "/password/forgot",
        data={"email": EMAIL, "csrf_token": csrf_from(form)},
        timeout=10,
        allow_redirects=False,
    )
    assert asked.status_code == 303
    [message] = wait_for_messages(smtp.sink, 1)
    link = password_link(message, live.url)  # built on CXTRAIN_PUBLIC_URL
    token = link.rsplit("/", 1)[1]

    done = _choose(browser, link, NEW)
    assert done.status_code == 303 and done.headers["Location"] == "/modules"
    assert browser.get(live.url + "/modules", timeout=10).url.endswith("/modules")
    assert phone.get(live.url + "/modules", timeout=10).url.endswith("/login?next=%2Fmodules")  # ended
    assert browser.get(link, timeout=10).status_code == 400  # used

    live.stop()
    log = (tmp_path / "access.log").read_text()
    assert '"GET /password/reset/[token] HTTP/1.1" 200' in log
    assert '"POST /password/reset HTTP/1.1" 303' in log
    assert token not in log and token[:20] not in log


def test_users_invite_as_a_command_next_to_the_running_service(live_mail: tuple[LiveServer, SmtpServer]):
    live, smtp = live_mail
    result = live.cli("users", "invite", EMAIL)
    assert result.returncode == 0, result.stderr
    assert f"Invitation sent to {EMAIL} (the link works for 7 days)." in result.stderr
    [message] = wait_for_messages(smtp.sink, 1)
    assert _choose(requests.Session(), password_link(message, live.url), NEW).status_code == 303
    login_page = requests.Session()
    page = login_page.get(live.url + "/login", timeout=10).text
    assert login_page.post(
        live.url + "/login", data={"email": EMAIL, "password": NEW, "csrf_token": csrf_from(page)}, timeout=10
    ).url.endswith("/modules")
