"""`cxtrain preview`, for real: the command in a subprocess, a browser's requests over HTTP, the
author's file edited on disk between two page loads."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from liveserver import free_port
from webhelpers import csrf_from

FIXTURES = Path(__file__).parent / "fixtures"


class Preview:
    def __init__(self, *paths: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CXTRAIN_DISABLE_RATELIMIT": "1"}
        env.pop("DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cxtrain.cli", "preview", *map(str, paths), "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:  # the instructions, printed before it serves
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Stop with Ctrl-C"):
                break
        found = re.search(r"(http://127\.0\.0\.1:\d+/preview/login/[\w-]+)\?next=", "\n".join(self.lines))
        assert found, self.lines
        self.login = found.group(1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)

    def link(self, path: str) -> str:
        """The printed link to ``path``, which logs in on the way."""
        return f"{self.login}?next={path}"

    def log_in(self) -> requests.Session:
        browser = requests.Session()
        landed = browser.get(self.link("/trainer/modules"), timeout=10)
        assert landed.status_code == 200 and landed.url == self.url + "/trainer/modules"
        return browser

    def stop(self) -> int:
        os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        return self.process.wait(timeout=30)


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "parcel.yaml").write_text((FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


@pytest.fixture
def preview(mine: Path) -> Iterator[Preview]:
    running = Preview(mine / "parcel.yaml")
    yield running
    if running.process.poll() is None:
        running.stop()


def test_an_edit_shows_on_the_next_page_load(preview: Preview, mine: Path):
    assert f"  {preview.link('/trainer/preview/web-fixture')}" in preview.lines
    browser = preview.log_in()
    page = browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10).text
    assert "A parcel is missing" in page and "Preview: nothing is recorded." in page

    text = (mine / "parcel.yaml").read_text(encoding="utf-8")
    (mine / "parcel.yaml").write_text(text.replace("A parcel is missing", "The parcel went astray"), encoding="utf-8")
    page = browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10).text
    assert "The parcel went astray" in page and "A parcel is missing" not in page

    # One step in, then an edit of the node reached: the reload stays there and shows the edit.
    form = {"csrf_token": csrf_from(page), "node": "counter", "choice": "listen"}
    assert "The next morning" in browser.post(preview.url + "/trainer/preview/web-fixture", data=form, timeout=10).text
    (mine / "parcel.yaml").write_text(text.replace("The next morning", "Early the next day"), encoding="utf-8")
    page = browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10).text
    assert "Early the next day" in page and "She calms down a little." in page

    # A slip while typing: the module no longer loads, and the module list says where and why.
    (mine / "parcel.yaml").write_text(text.replace("title: The parcel", "title: [The parcel"), encoding="utf-8")
    missing = browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10)
    assert missing.status_code == 404 and "No module “web-fixture”" in missing.text
    assert re.search(r"parcel\.yaml:2:\d+: error: .*\[yaml-syntax\]", missing.text), missing.text
    listing = browser.get(preview.url + "/trainer/modules", timeout=10).text
    assert re.search(r"parcel\.yaml:2:\d+: error: .*\[yaml-syntax\]", listing), listing
    (mine / "parcel.yaml").write_text(text, encoding="utf-8")
    assert "The next morning" in browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10).text
    restarted = browser.get(preview.url + "/trainer/preview/web-fixture?restart=1", timeout=10).text
    assert "A parcel is missing" in restarted

    # A new file in the folder is on offer at the next load too.
    (mine / "second.yaml").write_text(text.replace("id: web-fixture", "id: second-module"), encoding="utf-8")
    assert browser.get(preview.url + "/trainer/preview/second-module", timeout=10).status_code == 200


def _unix_socket_paths(pid: int) -> set[str]:
    """The paths of the named Unix sockets that process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[6] in inodes and len(fields) > 7:
            paths.add(fields[7])
    return paths


def _listening(port: int) -> set[str]:
    """The local addresses listening on ``port`` (IPv4), from /proc/net/tcp."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_the_preview_shows_what_the_checker_says_of_the_module(preview: Preview, mine: Path):
    browser = preview.log_in()
    clean = browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10).text
    assert "The checker found" not in clean
    text = (mine / "parcel.yaml").read_text(encoding="utf-8")
    # Still loads and plays, but its play-test now fails: an error that stops a publish.
    broken = text.replace("expect: {ending: happy, passed: true}", "expect: {ending: sad}")
    (mine / "parcel.yaml").write_text(broken, encoding="utf-8")
    page = browser.get(preview.url + "/trainer/preview/web-fixture", timeout=10).text
    assert "A parcel is missing" in page  # the preview still plays
    said = "The checker found 1 problem in this module — 1 error: it cannot be published as it is"
    assert said in html.unescape(page)
    assert "[check-failed]" in page and "<details class=\"lint preview-lint\" open>" in page


def test_it_keeps_nothing_and_listens_on_the_loopback_only(mine: Path):
    temporary = Path(tempfile.gettempdir())
    before = set(temporary.glob("cxtrain-preview-*"))
    running = Preview(mine)
    try:
        [instance] = set(temporary.glob("cxtrain-preview-*")) - before  # its throwaway instance
        browser = running.log_in()
        attempt = browser.get(running.url + "/trainer/preview/web-fixture", timeout=10).text
        form = {"csrf_token": csrf_from(attempt), "node": "counter", "choice": "listen"}
        assert browser.post(running.url + "/trainer/preview/web-fixture", data=form, timeout=10).status_code == 200
        assert _listening(running.port) == {"127.0.0.1"}
        # Nor on a Unix socket: gunicorn's control socket, by default one path for every server
        # of the user, would let a second preview or `cxtrain serve` take over this one's.
        assert _unix_socket_paths(running.process.pid) == set()
    finally:
        assert running.stop() == 0
    assert not instance.exists()


def test_the_broken_files_of_the_authors_folder_are_named_at_start(mine: Path):
    (mine / "broken.yaml").write_text("id: broken\ntitle: [oops\n", encoding="utf-8")
    running = Preview(mine)
    try:
        text = "\n".join(running.lines)
        assert "broken.yaml:2:8: error:" in text and "[yaml-syntax]" in text
        assert running.link("/trainer/preview/web-fixture") in text
    finally:
        assert running.stop() == 0


def test_only_the_printed_link_logs_in(preview: Preview):
    stranger = requests.Session()
    wrong = stranger.get(preview.url + "/preview/login/not-the-token?next=/trainer/modules", timeout=10)
    assert wrong.status_code == 404
    assert stranger.get(preview.url + "/trainer/modules", timeout=10).url.startswith(preview.url + "/login")
    # Elsewhere than the next page of this server, the link lands on the module list.
    away = stranger.get(f"{preview.login}?next=//evil.example.org/", timeout=10)
    assert away.url == preview.url + "/modules"


def test_the_service_has_no_such_link(client):
    assert client.get("/preview/login/anything").status_code == 404


def test_a_port_in_use_is_refused_in_a_sentence(preview: Preview, mine: Path):
    second = subprocess.run(
        [sys.executable, "-m", "cxtrain.cli", "preview", str(mine), "--port", str(preview.port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 1
    assert f"port {preview.port} on 127.0.0.1 is in use" in second.stderr and "--port" in second.stderr
    assert "Traceback" not in second.stderr
