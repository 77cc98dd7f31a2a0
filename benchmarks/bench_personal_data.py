"""A learner's data export (GET /api/me/export) and erase, for long histories, on SQLite.

    python benchmarks/bench_personal_data.py [--attempts 0 1000 3000 10000] [--steps 8]

For each size: a fresh SQLite file, one learner with that many finished attempts of ``--steps``
choices each (written directly, not played), then the best of three exports through the real
Flask app (test client, TESTING off, so the figures are server time) with the number of SQL
statements it ran, and the time of one erase of the learner. The statement count must not grow
with the history (no query per attempt).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "web"))  # the tests' long-history writer, shared


def measure(attempts: int, steps: int) -> str:
    from sqlalchemy import event

    from cxtrain.store import accounts, erasure, migrate
    from cxtrain.web import create_app

    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"INSTANCE": str(folder), "DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    migrate.upgrade(url)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        accounts.create_user(db, "admin@example.org", "benchmark password", "admin")
        learner = accounts.create_user(db, "learner@example.org", "benchmark password")
        _, token = accounts.create_token(db, learner, "bench")
        uid = learner.id
        db.commit()
    from webhelpers import add_finished_attempts

    add_finished_attempts(app, uid, attempts, steps)
    client, engine = app.test_client(), app.extensions["cxtrain.engine"]
    headers = {"Authorization": f"Bearer {token}"}
    statements: list[int] = []

    def count(*_args: object) -> None:
        statements.append(1)

    best = float("inf")
    for _ in range(3):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get("/api/me/export", headers=headers)
        best = min(best, time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, response.status_code
    size = len(response.get_data())
    with app.extensions["cxtrain.sessionmaker"]() as db:
        started = time.perf_counter()
        erasure.erase_user(db, accounts.find_user(db, "learner@example.org"))  # type: ignore[arg-type]
        erased = time.perf_counter() - started
    engine.dispose()
    return (
        f"{attempts:>6} attempts ({attempts * steps} choices): export {best:.2f} s, {len(statements)} statements,"
        f" {size / 1e6:.1f} MB; erase {erased:.2f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, nargs="+", default=[0, 1000, 3000, 10000])
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args()
    for n in args.attempts:
        print(measure(n, args.steps), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
