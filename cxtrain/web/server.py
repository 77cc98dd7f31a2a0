"""Gunicorn, run from Python so that `cxtrain serve` needs no separate config file."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    # The usual 2 x cores + 1, capped: each worker holds a DB pool and a parsed library.
    return min(2 * (os.cpu_count() or 1) + 1, 8)


class Server(BaseApplication):
    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def run(factory: Callable[[], Any], host: str, port: int, workers: int, threads: int = 4, **extra: Any) -> None:
    """Serve ``factory()`` with gthread workers: a thread waiting on the database does not block its worker."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": os.environ.get("CXTRAIN_ACCESS_LOG"),
        "errorlog": "-",
        "graceful_timeout": 10,
        "keepalive": 5,
        **extra,
    }
    Server(factory, options).run()
