"""How long one run of the daily reminders takes to decide who gets an email, by number of learners.

    python benchmarks/bench_reminders.py [--learners 1000 10000 30000] [--postgres URL]

The worst case for one run: every learner has opted in and it is their morning (all in one time
zone), each has three practice questions due and a two-day streak that ends tonight, so every one
of them is looked at and every one gets a reminder. The run is ``cxtrain reminders send
--dry-run``'s planning step through the real app (nothing is sent or marked). Beside it, in the
same run, the baseline: reading those learners' accounts alone (the least any run must do). It
prints the time per learner, the number of SQL statements, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MORNING = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # 09:00 in UTC, a Monday: inside everyone's morning
QUESTIONS = 3


def fill(app, learners: int) -> None:  # type: ignore[no-untyped-def]
    """``learners`` opted-in accounts, written in bulk (hashing a password per account would be the benchmark)."""
    from sqlalchemy import insert

    from cxtrain.store import accounts
    from cxtrain.store.models import PracticeAnswer, PracticeItemRow, User

    with app.extensions["cxtrain.sessionmaker"]() as db:
        password_hash = accounts.create_user(db, "template@example.org", "benchmark password").password_hash
        modules = sorted((e.module for e in app.extensions["cxtrain.catalog"].current(db).values()), key=lambda m: m.id)
        decisions = [(m.id, n) for m in modules for n in m.nodes.values() if len(n.choices) >= 2][:QUESTIONS]
        db.commit()
        conn = db.connection()
        for start in range(0, learners, 1000):
            ids = range(start + 2, min(start + 1000, learners) + 2)  # id 1 is the template
            users = [
                {"id": i, "email": f"learner{i}@example.org", "password_hash": password_hash, "reminders": True}
                for i in ids
            ]
            conn.execute(insert(User), users)
            items = [
                {
                    "user_id": i,
                    "module_id": module_id,
                    "node_id": node.id,
                    "best": node.choices[0].id,
                    "chosen": node.choices[1].id,
                    "options_json": json.dumps([c.id for c in node.choices]),
                    "due_at": MORNING - timedelta(hours=9),
                }
                for i in ids
                for module_id, node in decisions
            ]
            conn.execute(insert(PracticeItemRow), items)
            answers = [
                {"user_id": i, "choice": "x", "correct": True, "xp": 0, "created_at": MORNING - timedelta(days=d)}
                for i in ids
                for d in (1, 2)
            ]
            conn.execute(insert(PracticeAnswer), answers)
        db.commit()


def measure(url: str, folder: Path, learners: int) -> str:
    from sqlalchemy import event

    from cxtrain.store import migrate
    from cxtrain.store import reminders as store
    from cxtrain.web import create_app
    from cxtrain.web.reminders import plan

    app = create_app({"INSTANCE": str(folder), "DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    migrate.upgrade(url)
    fill(app, learners)
    engine = app.extensions["cxtrain.engine"]
    statements: list[int] = []

    def count(*_args: object) -> None:
        statements.append(1)

    with app.app_context():
        with app.extensions["cxtrain.sessionmaker"]() as db:
            started = time.perf_counter()
            subscribers = store.subscribers(db, default=False)
            baseline = time.perf_counter() - started
        with app.extensions["cxtrain.sessionmaker"]() as db:
            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            reminders, _summary = plan(db, MORNING, default=False)
            planned = time.perf_counter() - started
            event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    assert len(subscribers) == learners and len(reminders) == learners, (len(subscribers), len(reminders))
    return (
        f"{learners:>7} learners: plan {planned:6.2f} s ({1000 * planned / learners:.2f} ms per learner,"
        f" {len(statements)} SQL statements); reading the accounts alone"
        f" {baseline:.2f} s; ratio {planned / baseline:.0f}x"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, nargs="+", default=[1000, 10000, 30000])
    parser.add_argument("--postgres", help="a PostgreSQL server URL; the run creates and drops its own database")
    args = parser.parse_args()
    for n in args.learners:
        with tempfile.TemporaryDirectory() as tmp:
            if args.postgres:
                sys.path.insert(0, str(ROOT / "benchmarks"))
                from scratchdb import scratch_database

                with scratch_database(args.postgres, "cxtrain_bench_reminders") as url:
                    print("PostgreSQL", measure(url, Path(tmp), n), flush=True)
            else:
                url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
                print("SQLite    ", measure(url, Path(tmp), n), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
