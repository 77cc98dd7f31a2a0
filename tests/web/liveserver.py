"""Run `cxtrain serve` in a subprocess on a free loopback port (real gunicorn, real HTTP)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, instance: Path, scenarios: str, database_url: str | None = None, workers: int = 1) -> None:
        self.instance, self.scenarios, self.database_url, self.workers = instance, scenarios, database_url, workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.extra_env: dict[str, str] = {}  # more settings for the server and its commands

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "CXTRAIN_INSTANCE": str(self.instance),
            "CXTRAIN_SCENARIOS": self.scenarios,
            "CXTRAIN_INSECURE_COOKIES": "1",
            "CXTRAIN_DISABLE_RATELIMIT": "1",
        }
        env.pop("SECRET_KEY", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return {**env, **self.extra_env}

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cxtrain.cli", *args],
            input=stdin,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def start(self) -> LiveServer:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cxtrain.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so kill() reaches gunicorn's workers too
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited: {self.process.stderr.read().decode() if self.process.stderr else ''}"
                )
            try:
                if requests.get(self.url + "/api/openapi.json", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def kill(self) -> None:
        """kill -9 the whole server: master and workers, no chance to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process and self.process.stderr:
            self.process.stderr.close()
