"""Gunicorn, run from Python so that `cxtrain serve` needs no separate config file."""

from __future__ import annotations

import gc
import os
import re
import socket
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

# One request at a time per process (gunicorn's sync worker), one process per core plus one to
# fill the moments a worker waits on the database. Measured with benchmarks/bench_play.py on 2
# cores, this served the play step 10-50 % faster, with a p99 three times lower, than 5 gthread
# workers of 4 threads: more requests in flight than cores only add context switches, hand-offs
# of the interpreter lock between threads and a longer SQLite write queue (docs/admin.md).
DEFAULT_THREADS = 1


def default_workers() -> int:
    # Capped: each worker holds a DB pool and a parsed library.
    return min((os.cpu_count() or 1) + 1, 8)


# Paths that end in a secret: the emailed links to choose a password (whoever reads the log could
# use one within its day or week) and to stop the reminder emails.
SECRET_PATH = re.compile(r"(/password/(?:reset|invitation)/|/reminders/unsubscribe/)[^/?#\s\"]+")


class RedactingLogger(Logger):
    """Gunicorn's logger, with the token of a signed link in a logged path (the request line, the
    path, the Referer, any header or environ value a custom format names) replaced by ``[token]``."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: SECRET_PATH.sub(r"\1[token]", v) if isinstance(v, str) else v for key, v in atoms.items()}


def freeze_loaded_objects(worker: Any) -> None:
    """Gunicorn's post_worker_init hook: move everything the app loaded (``cxtrain serve`` loads it
    before the workers fork) into the garbage collector's permanent generation.

    A worker holds the parsed library, its grading tables and the app, about 140,000 objects, and
    every full collection walked them all again: 70-85 ms on a 2-core test machine, paid by the
    request that happened to trigger it (one in several thousand play steps). They live as long as
    the worker, so the walk found nothing; after the freeze a full collection sees only what
    requests created, and it no longer writes to the pages the workers share with the parent.
    Not for an app that replaces its library while it runs: ``cxtrain preview`` passes None.
    """
    gc.freeze()


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


def port_in_use(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on now, or None: checked before the library is loaded,
    because gunicorn retries a taken port for a while and then stops with a log, not a sentence."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return f"cannot listen on {host!r}: {exc.strerror}"
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn binds: a port left in TIME_WAIT by a server just stopped is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return f"port {port} on {host} is in use ({exc.strerror})"
    return None


def run(
    factory: Callable[[], Any], host: str, port: int, workers: int, threads: int = DEFAULT_THREADS, **extra: Any
) -> None:
    """Serve ``factory()`` with sync workers, or gthread workers when ``threads`` > 1.

    Sync workers read a whole request before the next; a TLS-terminating proxy in front (which
    the Secure cookies need anyway) buffers slow clients for them."""
    Server(factory, options(host, port, workers, threads, **extra)).run()


def options(host: str, port: int, workers: int, threads: int = DEFAULT_THREADS, **extra: Any) -> dict[str, Any]:
    """Gunicorn's settings for :func:`run`; ``extra`` adds or replaces some (None: gunicorn's default)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": os.environ.get("CXTRAIN_ACCESS_LOG"),
        "logger_class": RedactingLogger,
        "errorlog": "-",
        "graceful_timeout": 10,
        "keepalive": 5,
        "post_worker_init": freeze_loaded_objects,
        # Gunicorn's control socket is one path per user (~/.gunicorn/gunicorn.ctl): a second
        # server of the same account (a preview beside `cxtrain serve`) would take it over.
        # Nothing here uses it; signals still manage the server.
        "control_socket_disable": True,
        **extra,
    }
