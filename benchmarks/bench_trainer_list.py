"""First visit to the trainers' module list (/trainer/modules), against a plain trainer page.

    python benchmarks/bench_trainer_list.py [--modules 100] [--rounds 5] [--postgres URL]

The list shows every module's lint status, and linting explores each module's whole state
space. For the bundled library, and for the bundled library plus ``--modules`` generated ones
(benchmarks/generate.py), it times with the Flask test client on a fresh database (SQLite
file, or a scratch PostgreSQL database with --postgres):

- baseline: GET /trainer/upload, a trainer page that lints nothing (median of --rounds);
- cold: the first visit when no findings are stored: before the lint cache, every worker's
  first visit after every start cost this (now only the first visit ever, without serve);
- serve start-up: what `cxtrain serve` now spends before forking its workers: loading the
  library and linting what is not stored yet, on every core (and, to compare, one module after
  another on a fresh database);
- first visit to a serve worker: the workers are forked from that app (gunicorn's preload);
- first visit, worker without preload: a new app on the same database (a worker that builds
  its own app, as under a plain `gunicorn 'cxtrain.web:create_app()'`): it parses the library,
  but reads the stored findings;
- restart start-up: the start-up again on the same database (nothing new to lint);
- warm visit: later visits (median of --rounds).

Each is printed in seconds and as a ratio to the baseline measured in the same run, so a
busy machine shifts both alike. The target: the first visit to a serve worker costs about what
a warm visit does, a few baselines whatever the library's size (it was hundreds to thousands:
seconds to tens of seconds, past a browser test's 10 s timeout).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "web"))

from generate import write_library  # noqa: E402
from webhelpers import add_user, login  # noqa: E402

from cxtrain.store import migrate  # noqa: E402
from cxtrain.web import create_app  # noqa: E402

TRAINER = "trainer@example.org"


def timed(fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def new_app(instance: Path, database_url: str, folders: list[str]) -> Any:
    config = {
        "TESTING": True,
        "INSTANCE": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark",
        "SCENARIO_FOLDERS": folders,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
    }
    return create_app(config)


def visit(client: Any, path: str) -> float:
    def get() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return timed(get)


def logged_in(app: Any) -> Any:
    client = app.test_client()
    login(client, TRAINER)
    client.get("/trainer/upload")  # the worker's first request of any kind: templates, session
    return client


@contextmanager
def databases(postgres: str | None, instance: Path) -> Iterator[Callable[[str], str]]:
    """A function giving a fresh, empty database URL per name (dropped at the end on PostgreSQL)."""
    if postgres is None:
        yield lambda name: f"sqlite:///{instance / (name + '.sqlite3')}"
        return
    from scratchdb import scratch_database

    with ExitStack() as stack:
        yield lambda name: stack.enter_context(scratch_database(postgres, f"cxtrain_bench_list_{name}"))


def measure(label: str, folders: list[str], fresh_db: Callable[[str], str], instance: Path, rounds: int) -> None:
    # Cold: no findings stored, the request lints everything (the behaviour before the cache).
    cold_url = fresh_db(f"cold_{len(folders)}")
    migrate.upgrade(cold_url)
    app = new_app(instance, cold_url, folders)
    add_user(app, TRAINER, "trainer")
    client = logged_in(app)
    baseline = statistics.median(visit(client, "/trainer/upload") for _ in range(rounds))
    cold = visit(client, "/trainer/modules")
    app.extensions["cxtrain.engine"].dispose()

    # What `cxtrain serve` does: migrate, load the library and lint what is missing, then fork
    # the workers from that app (gunicorn's preload).
    url = fresh_db(f"served_{len(folders)}")
    migrate.upgrade(url)
    master = new_app(instance, url, folders)
    add_user(master, TRAINER, "trainer")

    def warm_up(app: Any, processes: int | None = None) -> None:
        with app.extensions["cxtrain.sessionmaker"]() as db:
            app.extensions["cxtrain.catalog"].warm(db, processes)

    # The same start-up linting one module after another, on a database of its own: what the
    # lint on every core saves.
    serial_url = fresh_db(f"serial_{len(folders)}")
    migrate.upgrade(serial_url)
    serial_app = new_app(instance, serial_url, folders)
    serial = timed(lambda: warm_up(serial_app, processes=1))
    serial_app.extensions["cxtrain.engine"].dispose()

    startup = timed(lambda: warm_up(master))
    client = logged_in(master)
    first = visit(client, "/trainer/modules")
    warm = statistics.median(visit(client, "/trainer/modules") for _ in range(rounds))
    modules = client.get("/trainer/modules").get_data(as_text=True).count("<tr>") - 1
    master.extensions["cxtrain.engine"].dispose()

    # A worker that builds its own app (gunicorn without preload, `flask run`) parses the library
    # itself but reads the stored findings.
    worker = new_app(instance, url, folders)
    unloaded = visit(logged_in(worker), "/trainer/modules")
    worker.extensions["cxtrain.engine"].dispose()
    restarted = new_app(instance, url, folders)
    restart = timed(lambda: warm_up(restarted))
    restarted.extensions["cxtrain.engine"].dispose()

    print(f"\n{label}: {modules} modules")
    print(f"  {'':46}{'seconds':>9}{'x baseline':>12}")
    for name, seconds in (
        ("baseline GET /trainer/upload", baseline),
        ("cold first visit, nothing stored", cold),
        ("serve start-up, one module at a time", serial),
        (f"serve start-up: lint what is new ({os.cpu_count()} cores)", startup),
        ("first visit to a serve worker", first),
        ("first visit, worker without preload", unloaded),
        ("restart start-up: nothing new", restart),
        ("warm visit", warm),
    ):
        print(f"  {name:46}{seconds:9.3f}{seconds / baseline:12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=100, help="generated modules added for the large library")
    parser.add_argument("--rounds", type=int, default=5, help="visits per median")
    parser.add_argument("--postgres", help="a PostgreSQL server URL; scratch databases are created on it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        generated = root / "generated"
        write_library(generated, args.modules)
        with databases(args.postgres, root) as fresh_db:
            measure("bundled library", [], fresh_db, root / "instance", args.rounds)
            measure(f"bundled + {args.modules} generated", [str(generated)], fresh_db, root / "instance", args.rounds)


if __name__ == "__main__":
    main()
