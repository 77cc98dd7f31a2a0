"""Team view, module insight and leaderboards on PostgreSQL with 100,000 learners and 5,000,000 choice events.

    python benchmarks/bench_insight.py [--learners 100000] [--events 5000000] [--requests 200] [--keep]

Creates the database ``cxtrain_bench`` on the server named by CXTRAIN_BENCH_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test), migrates it, seeds it and
drops it at the end (``--keep`` leaves it for inspection).

Seeding is done by the server: a few hundred real play-throughs of every bundled module
(random walks through the engine, some stopped half-way) are copied in with COPY as
templates; users, attempts and choice events are then generated with generate_series
and INSERT ... SELECT, each attempt taking a template's path, final state, score and pass.
So every state_json is a real state and every event a real (node, choice) of its version.

Then it measures, through the real Flask app (test client, one request at a time, so the
figures are server time without network), p50 and p99 over --requests requests each of:
GET /team?team=... (a different team of ~25 each time, as a trainer), GET
/trainer/insight/<module> (cycling over the modules), and, when the learner side's
routes exist, GET /api/leaderboard?period=week and ?period=all. Target: p99 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DB_NAME = "cxtrain_bench"
TEMPLATES_PER_MODULE = 300
TEAM_SIZE = 25
TARGET_MS = 100.0


def templates(rng: random.Random) -> list[tuple[str, str, list[tuple[str, str]], str, float | None, bool | None]]:
    """(module, version, path, state_json, score, passed) for random play-throughs of every bundled module."""
    from cxtrain.scenario import engine, load_library
    from cxtrain.scenario.library import bundled_path

    out = []
    for module in load_library([bundled_path()]).modules.values():
        for _ in range(TEMPLATES_PER_MODULE):
            state = engine.start(module)
            stop_early = rng.random() < 0.15  # about one attempt in seven is left unfinished
            limit = rng.randint(1, 4) if stop_early else 60
            while not state.finished and len(state.path) < limit:
                choices = engine.visible_choices(module, state)
                state = engine.choose(module, state, state.node, rng.choice(choices).id).state
            if state.finished:
                res = engine.result(module, state)
                out.append(
                    (
                        module.id,
                        module.version,
                        [(s.node, s.choice) for s in state.path],
                        state.to_json(),
                        res.score,
                        res.passed,
                    )
                )
            else:
                out.append(
                    (module.id, module.version, [(s.node, s.choice) for s in state.path], state.to_json(), None, None)
                )
    return out


def copy_rows(cur, sql: str, rows) -> None:  # type: ignore[no-untyped-def]
    with cur.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def seed(conn, learners: int, events: int, rng: random.Random) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from cxtrain.scenario import load_library
    from cxtrain.scenario.library import bundled_path

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    paths = templates(rng)
    mean_steps = statistics.mean(len(p[2]) for p in paths)
    per_learner = max(1, round(events / learners / mean_steps))
    timings["templates"] = time.perf_counter() - t0
    cur = conn.cursor()
    cur.execute(
        "CREATE TEMP TABLE bp (pid int PRIMARY KEY, module_id text, version text, state_json text, "
        "score float, passed bool, steps int)"
    )
    cur.execute("CREATE TEMP TABLE bs (pid int, step int, node text, choice text)")
    copy_rows(
        cur, "COPY bp FROM STDIN", ((i, m, v, s, sc, p, len(path)) for i, (m, v, path, s, sc, p) in enumerate(paths))
    )
    copy_rows(
        cur,
        "COPY bs FROM STDIN",
        (
            (i, n, node, choice)
            for i, (_, _, path, _, _, _) in enumerate(paths)
            for n, (node, choice) in enumerate(path, start=1)
        ),
    )
    library = load_library([bundled_path()])
    ladder = [r.id for r in library.ladder()]
    copy_rows(
        cur,
        "COPY module_versions (module_id, version, source, yaml_text, created_at) FROM STDIN",
        (
            (m.id, m.version, "library", Path(library.paths[m.id]).read_text(encoding="utf-8"), "2025-01-01")
            for m in library.modules.values()
        ),
    )
    n_paths = len(paths)
    t1 = time.perf_counter()
    cur.execute(
        """INSERT INTO users (id, email, name, password_hash, role, job_role, team, created_at)
           SELECT i, 'learner' || i || '@bench.invalid', 'Learner ' || i, 'x', 'learner',
                  (%(ladder)s::text[])[1 + i %% cardinality(%(ladder)s::text[])],
                  'team-' || lpad((i / %(size)s)::text, 5, '0'), now()
           FROM generate_series(1, %(n)s) AS i""",
        {"ladder": ladder, "size": TEAM_SIZE, "n": learners},
    )
    cur.execute(
        "INSERT INTO users (id, email, name, password_hash, role, created_at) "
        "VALUES (%s, 'trainer@bench.invalid', 'Trainer', 'x', 'trainer', now())",
        (learners + 1,),
    )
    cur.execute("SELECT setval('users_id_seq', %s)", (learners + 1,))
    timings["users"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    # Attempt a = (learner u, k-th attempt); its template is a hash of a, so learners replay some modules.
    cur.execute(
        """INSERT INTO attempts (id, user_id, module_id, module_version, started_at, finished_at, state_json, score,
                                 passed)
           SELECT a, u, bp.module_id, bp.version, t, CASE WHEN bp.score IS NULL THEN NULL ELSE t + interval '6 min' END,
                  bp.state_json, bp.score, bp.passed
           FROM generate_series(1, %(n)s) AS u
           CROSS JOIN generate_series(0, %(k)s - 1) AS k
           CROSS JOIN LATERAL (
               SELECT (u - 1) * %(k)s + k + 1 AS a,
                      now() - interval '1 day' - ((u * 7 + k * 13) %% 20000) * interval '1 min' AS t
           ) AS x
           JOIN bp ON bp.pid = ((a * 2654435761) %% 4294967296) %% %(np)s""",
        {"n": learners, "k": per_learner, "np": n_paths},
    )
    cur.execute("SELECT setval('attempts_id_seq', (SELECT max(id) FROM attempts))")
    timings["attempts"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    cur.execute(
        """INSERT INTO choice_events (attempt_id, step, node, choice, created_at)
           SELECT a.id, bs.step, bs.node, bs.choice, a.started_at + bs.step * interval '30 s'
           FROM attempts a JOIN bs ON bs.pid = ((a.id::bigint * 2654435761) %% 4294967296) %% %(np)s
           ORDER BY a.id, bs.step""",
        {"np": n_paths},
    )
    timings["events"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    cur.execute("SELECT to_regclass('learner_stats') IS NOT NULL")
    if cur.fetchone()[0]:
        cur.execute(
            """INSERT INTO learner_stats (user_id, xp_total, visibility, listed)
                       SELECT i, (i * 7919) %% 5000, (ARRAY['named','anonymous','hidden'])[1 + i %% 3], i %% 3 <> 2
                       FROM generate_series(1, %s) AS i""",
            (learners,),
        )
        cur.execute(
            """INSERT INTO weekly_xp (user_id, week_start, xp, listed)
                       SELECT i, w, (i * 31 + extract(doy from w)::int) %% 400, i %% 3 <> 2
                       FROM generate_series(1, %s) AS i
                       CROSS JOIN (SELECT (date_trunc('week', now()) - n * interval '7 day')::date AS w
                                   FROM generate_series(0, 3) AS n) AS weeks""",
            (learners,),
        )
    timings["leaderboard tables"] = time.perf_counter() - t4
    conn.commit()
    return timings | {"per_learner": per_learner, "templates_n": n_paths, "mean_steps": mean_steps}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def measure(client, paths: list[str]) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    times = []
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return percentile(times, 50), percentile(times, 99), max(times)


def run(args: argparse.Namespace) -> int:
    import psycopg
    from scratchdb import admin_dsn, scratch_database

    from cxtrain.store import insight as queries
    from cxtrain.store import migrate
    from cxtrain.web import create_app

    base = os.environ.get("CXTRAIN_BENCH_POSTGRES_URL", DEFAULT_URL)
    with scratch_database(base, DB_NAME, keep=args.keep) as url:
        # Seed at 0004 (the tables the seed writes), then upgrade: later migrations backfill their
        # aggregates from the seeded rows, as they would on a live database (0005: team_stats).
        migrate.upgrade(url, "0004")
        rng = random.Random(6)
        t0 = time.perf_counter()
        with psycopg.connect(admin_dsn(url)) as conn:
            info = seed(conn, args.learners, args.events, rng)
            conn.commit()
        t_up = time.perf_counter()
        migrate.upgrade(url)
        info["migrations after 0004 (backfill)"] = time.perf_counter() - t_up
        with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
            t_vac = time.perf_counter()
            conn.execute("VACUUM ANALYZE")
            info["vacuum analyze"] = time.perf_counter() - t_vac
            counts = {
                t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("users", "attempts", "choice_events")
            }
        print(f"seeded in {time.perf_counter() - t0:.1f} s: {counts}")
        print("  " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in info.items()))

        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "bench",
                "INSTANCE": str(ROOT / "build" / "bench"),
                "RATELIMIT_ENABLED": False,
                "SESSION_COOKIE_SECURE": False,
            }
        )
        with app.app_context():
            from cxtrain.web.database import db

            t_fold = time.perf_counter()
            folded = queries.refresh_edges(db())
            print(
                f"first rollup of the edge counts (once, then incremental): {folded} events in "
                f"{time.perf_counter() - t_fold:.1f} s"
            )
            t_fold = time.perf_counter()
            queries.refresh_scores(db())
            print(f"first rollup of finished attempts (once, then incremental): {time.perf_counter() - t_fold:.1f} s")
            modules = sorted(app.extensions["cxtrain.catalog"].current(db()))
        trainer = app.test_client()
        with trainer.session_transaction() as session:
            session["_user_id"] = str(args.learners + 1)
            session["_fresh"] = True
        learner = app.test_client()
        with learner.session_transaction() as session:
            session["_user_id"] = "1234"
            session["_fresh"] = True
        n_teams = args.learners // TEAM_SIZE
        # Warm up: grading explorations, template cache, connection pool (not measured).
        measure(trainer, [f"/trainer/insight/{m}" for m in modules])
        measure(trainer, [f"/team?team=team-{i:05d}" for i in range(1, 40)])
        runs = {
            "team view (GET /team?team=..., ~25 members)": [
                f"/team?team=team-{rng.randrange(1, n_teams):05d}" for _ in range(args.requests)
            ],
            "team view CSV (GET /team.csv?team=...)": [
                f"/team.csv?team=team-{rng.randrange(1, n_teams):05d}" for _ in range(args.requests)
            ],
            "teams list (GET /team, 100 a page, as a trainer)": [
                f"/team?q=team-{rng.randrange(0, 4)}" for _ in range(args.requests)
            ],
            "module insight (GET /trainer/insight/<module>)": [
                f"/trainer/insight/{modules[i % len(modules)]}" for i in range(args.requests)
            ],
        }
        rules = {r.rule for r in app.url_map.iter_rules()}
        print(f"\n{'request':58} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  target p99 < {TARGET_MS:.0f} ms")
        failed = False
        for name, paths in runs.items():
            p50, p99, top = measure(trainer, paths)
            failed |= p99 >= TARGET_MS
            print(f"{name:58} {p50:8.1f} {p99:8.1f} {top:8.1f}  {'ok' if p99 < TARGET_MS else 'MISSED'}")
        if "/api/leaderboard" in rules:
            for period in ("week", "all"):
                for scope in ("everyone", "team"):
                    path = f"/api/leaderboard?period={period}&scope={scope}"
                    p50, p99, top = measure(learner, [path] * args.requests)
                    failed |= p99 >= TARGET_MS
                    print(
                        f"{'leaderboard (GET ' + path + ')':58} {p50:8.1f} {p99:8.1f} {top:8.1f}  "
                        f"{'ok' if p99 < TARGET_MS else 'MISSED'}"
                    )
        else:
            print("leaderboard: /api/leaderboard is not in this build yet; skipped")
        app.extensions["cxtrain.engine"].dispose()
        return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the cxtrain_bench database afterwards")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
