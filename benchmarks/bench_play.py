"""Throughput and latency of the play step versus a bare Flask route, on SQLite and PostgreSQL.

    python benchmarks/bench_play.py [--clients 50] [--seconds 12] [--rounds 4] [--workers N] [--postgres URL]

For each database it starts one gunicorn server (the same one `cxtrain serve` runs, with the
same default workers and threads) whose app is the real cxtrain app plus two bare routes, then runs 50
concurrent clients on loopback against each route (keeping connections alive where the server
does; sync workers close each one):

- hello: GET, answers "hello" (the baseline the target is a ratio of);
- commit: POST, inserts one row in a table of its own and commits (what any durable write
  costs on this database and machine, with no application code around it);
- play: the play step, POST /api/attempts/<id>/choices with a bearer token: parsed,
  checked, persisted (committed), next node returned. Each client starts the attempts it
  will play before the timed window opens (POST /api/attempts is another route, and costs
  more than a step); one that runs out starts more inside the window, counted in its time
  and reported.

For each route it also prints the CPU time per request spent by the server's processes, by the
load generator (this process) and, when it runs on this machine, by PostgreSQL (Linux only): all
three share the cores, so this shows where a request's cost goes whatever else the machine does.

On one machine the load generator and the database share the cores with the server. To keep
them apart, run the two halves on two hosts:

    server$ python benchmarks/bench_play.py --serve-remote 8000 [--postgres URL]
    loader$ python benchmarks/bench_play.py --remote SERVER:8000 --token TOKEN

The routes take turns in short rounds (hello, commit, play, hello, ...), so that a machine
whose speed drifts during the run (a shared VM) affects every route alike.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

MODULE = "bench-loop"
PASSWORD = "benchmark password"
STEPS_PER_ATTEMPT = 20
# A module whose first choice loops back, so that the measured requests are play steps and not
# mostly attempt starts; every step is still validated, persisted and committed.
LOOP_MODULE = """id: bench-loop
title: Benchmark loop
role: frontline-associate
start: desk
nodes:
  desk:
    text: Another **customer** at the desk.
    customer_link: Every one of them counts.
    choices:
      - {id: serve, text: Serve them well, feedback: They leave happy., next: desk}
      - {id: close, text: Close the desk, effects: {customer: -10}, next: closed}
  closed:
    ending: {title: Closed}
    text: The desk is closed.
"""


def bench_writes():  # type: ignore[no-untyped-def]
    from sqlalchemy import Column, Integer, MetaData, Table

    return Table("bench_writes", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer))


def bench_app():  # type: ignore[no-untyped-def]
    from flask import current_app
    from sqlalchemy import insert

    from cxtrain.web import create_app
    from cxtrain.web.extensions import csrf

    app = create_app()
    write_one = insert(bench_writes())

    @app.get("/hello")
    def hello() -> str:
        return "hello"

    @app.post("/commit")
    @csrf.exempt
    def commit() -> str:
        with current_app.extensions["cxtrain.engine"].begin() as conn:
            conn.execute(write_one, {"n": 1})
        return "committed"

    return app


def serve_tables() -> None:
    """The commit route's table, in the database the environment names."""
    from cxtrain.store.db import make_engine
    from cxtrain.web import config

    engine = make_engine(config.from_environment()["DATABASE_URL"], pooled=False)
    bench_writes().create(engine, checkfirst=True)
    engine.dispose()


def serve(host: str, port: int, workers: int, threads: int) -> None:
    from cxtrain.web.server import run

    serve_tables()  # once, before the workers fork
    run(bench_app, host, port, workers, threads)


def instance_env(tmp: str) -> dict[str, str]:
    """The environment of a cxtrain instance in ``tmp`` whose library is the benchmark's loop module (SQLite)."""
    (Path(tmp) / "library").mkdir()
    (Path(tmp) / "library" / "bench-loop.yaml").write_text(LOOP_MODULE)
    env = {
        **os.environ,
        "CXTRAIN_INSTANCE": tmp,
        "CXTRAIN_SCENARIOS": str(Path(tmp) / "library"),
        "CXTRAIN_INSECURE_COOKIES": "1",
    }
    env.pop("DATABASE_URL", None)
    return env


# Attempts each play client starts before a timed window of `seconds`: enough for this many
# steps a second in all, more than this kind of machine serves; past it, clients start more inline.
PRESTART_RATE = 4000


class Client(threading.Thread):
    def __init__(self, server: tuple[str, int], mode: str, token: str, window: Window, prestart: int = 0) -> None:
        super().__init__(daemon=True)
        self.server, self.mode, self.token, self.window, self.prestart = server, mode, token, window, prestart
        self.latencies: list[float] = []
        self.errors = 0
        self.inline_starts = 0

    def request(self, conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data

    def start_attempt(self, conn: http.client.HTTPConnection) -> dict[str, Any]:
        status, data = self.request(conn, "POST", "/api/attempts", {"module": MODULE})
        if status != 201:
            raise RuntimeError(f"starting an attempt answered {status}: {data[:200]!r}")
        return json.loads(data)

    def run(self) -> None:
        conn = http.client.HTTPConnection(*self.server, timeout=30)
        ready = [self.start_attempt(conn) for _ in range(self.prestart)]
        stop_at = self.window.wait()
        attempt = None
        while time.perf_counter() < stop_at:
            if self.mode in ("hello", "commit"):
                t0 = time.perf_counter()
                status, _ = self.request(conn, "GET" if self.mode == "hello" else "POST", f"/{self.mode}")
                self.latencies.append(time.perf_counter() - t0)
                self.errors += status != 200
                continue
            if attempt is None or attempt["finished"] or attempt["step"] >= STEPS_PER_ATTEMPT:
                if ready:
                    attempt = ready.pop()
                else:
                    attempt = self.start_attempt(conn)
                    self.inline_starts += 1
                continue
            choice = attempt["node"]["choices"][0]["id"]
            t0 = time.perf_counter()
            status, data = self.request(
                conn,
                "POST",
                f"/api/attempts/{attempt['id']}/choices",
                {"node": attempt["node"]["id"], "choice": choice},
            )
            self.latencies.append(time.perf_counter() - t0)
            if status != 200:
                self.errors += 1
                attempt = None
            else:
                attempt = json.loads(data)
        conn.close()


ROUTES = ("hello", "commit", "play")


class CpuMeter:
    """CPU seconds spent by the server's processes, by this process (the load generator) and by
    PostgreSQL when it runs on this machine: where a request's cost goes, since all three share
    the cores. Linux only (reads /proc); elsewhere it measures nothing."""

    def __init__(self, server_pid: int | None, local_postgres: bool) -> None:
        self.server_pid, self.local_postgres = server_pid, local_postgres
        self.enabled = Path("/proc/self/stat").exists()
        self.hz = os.sysconf("SC_CLK_TCK") if self.enabled else 1

    @staticmethod
    def _stat(pid: str) -> tuple[int, int] | None:
        """(parent pid, user + system ticks) of a process, or None if it is gone."""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[1]), int(fields[11]) + int(fields[12])

    def read(self) -> dict[str, dict[str, float]]:
        if not self.enabled:
            return {}
        server: dict[str, float] = {}
        postgres: dict[str, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            stat = self._stat(entry.name)
            if stat is None:
                continue
            if self.server_pid is not None and (entry.name == str(self.server_pid) or stat[0] == self.server_pid):
                server[entry.name] = stat[1] / self.hz
            elif self.local_postgres:
                try:
                    if (entry / "comm").read_text().strip() == "postgres":
                        postgres[entry.name] = stat[1] / self.hz
                except OSError:
                    continue
        own = resource.getrusage(resource.RUSAGE_SELF)
        return {"server": server, "load generator": {"self": own.ru_utime + own.ru_stime}, "postgres": postgres}

    @staticmethod
    def spent(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> dict[str, float]:
        """Seconds per role between two readings (a process that started meanwhile counts from 0)."""
        return {
            role: sum(t - before.get(role, {}).get(pid, 0.0) for pid, t in procs.items())
            for role, procs in after.items()
            if procs
        }


class Window:
    """The timed window, opened for every client at once when all of them are ready; the CPU
    meter is read as it opens, so that the clients' preparations are not counted."""

    def __init__(self, clients: int, seconds: float, meter: CpuMeter) -> None:
        self.seconds, self.meter = seconds, meter
        self.opened = self.closes = 0.0
        self.cpu_at_open: dict[str, dict[str, float]] = {}
        self._ready = threading.Barrier(clients + 1, action=self._open)

    def _open(self) -> None:
        self.cpu_at_open = self.meter.read()
        self.opened = time.perf_counter()
        self.closes = self.opened + self.seconds

    def wait(self) -> float:
        """Wait until every client is ready; returns when the window closes."""
        self._ready.wait()
        return self.closes


class Measured(NamedTuple):
    latencies: list[float]
    elapsed: float
    errors: int
    inline_starts: int  # attempts started inside the window (play only)
    cpu: dict[str, float]  # CPU seconds spent inside the window, by role


def measure(server: tuple[str, int], mode: str, token: str, clients: int, seconds: float, meter: CpuMeter) -> Measured:
    """What ``clients`` closed-loop clients on one route did in a window of ``seconds``."""
    window = Window(clients, seconds, meter)
    prestart = math.ceil(seconds * PRESTART_RATE / clients / STEPS_PER_ATTEMPT) + 1 if mode == "play" else 0
    threads = [Client(server, mode, token, window, prestart) for _ in range(clients)]
    for t in threads:
        t.start()
    window.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - window.opened
    cpu = CpuMeter.spent(window.cpu_at_open, meter.read())
    latencies = [x for t in threads for x in t.latencies]
    return Measured(latencies, elapsed, sum(t.errors for t in threads), sum(t.inline_starts for t in threads), cpu)


def summary(latencies: list[float], elapsed: float, errors: int) -> dict[str, Any]:
    lat = sorted(latencies)
    return {
        "requests": len(lat),
        "rps": len(lat) / elapsed,
        "median_ms": statistics.median(lat) * 1000,
        "p99_ms": lat[max(int(len(lat) * 0.99) - 1, 0)] * 1000,
        "errors": errors,
    }


def interleaved(
    server: tuple[str, int], token: str, args: argparse.Namespace, meter: CpuMeter
) -> dict[str, dict[str, Any]]:
    """Each route for seconds/rounds at a time, in turn, summed over the rounds (after a warm-up)."""
    for mode in ROUTES:  # warm-up: imports, pools, module cache, the SQLite file's first pages
        measure(server, mode, token, args.clients, 1.5, meter)
    totals: dict[str, tuple[list[float], float, int]] = {mode: ([], 0.0, 0) for mode in ROUTES}
    cpu: dict[str, dict[str, float]] = {mode: {} for mode in ROUTES}
    inline_starts = 0
    for _ in range(args.rounds):
        for mode in ROUTES:
            done = measure(server, mode, token, args.clients, args.seconds / args.rounds, meter)
            for role, seconds in done.cpu.items():
                cpu[mode][role] = cpu[mode].get(role, 0.0) + seconds
            seen, total, errs = totals[mode]
            totals[mode] = (seen + done.latencies, total + done.elapsed, errs + done.errors)
            inline_starts += done.inline_starts
    results = {mode: summary(*totals[mode]) for mode in ROUTES}
    for mode in ROUTES:
        n = max(results[mode]["requests"], 1)
        results[mode]["cpu_ms"] = {role: 1000 * seconds / n for role, seconds in cpu[mode].items()}
    results["play"]["inline_starts"] = inline_starts
    return results


def prepare(env: dict[str, str]) -> str:
    """Migrate the database, add the benchmark learner; returns a fresh bearer token."""
    cli = [sys.executable, "-m", "cxtrain.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*cli, "users", "add", "bench@example.org"],
        env=env,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=False,
    )
    return subprocess.run(
        [*cli, "tokens", "create", "bench@example.org"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def wait_ready(server: tuple[str, int]) -> None:
    for _ in range(300):
        try:
            http.client.HTTPConnection(*server, timeout=1).request("GET", "/hello")
            return
        except OSError:
            time.sleep(0.1)


def run_for(label: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    token = prepare(env)
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*_serve_command(args), str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(("127.0.0.1", port))
        from sqlalchemy.engine import make_url

        db_host = make_url(env["DATABASE_URL"]).host if "DATABASE_URL" in env else "-"
        local_postgres = db_host in (None, "", "127.0.0.1", "localhost", "::1")
        results = interleaved(("127.0.0.1", port), token, args, CpuMeter(server.pid, local_postgres))
    finally:
        server.terminate()
        server.wait(timeout=20)
    report(f"{label}: {args.clients} clients, {_workers_text(args)}", args, results)
    return results


def _serve_command(args: argparse.Namespace, host: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable,
        __file__,
        "--host",
        host,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--serve",
    ]


def _workers_text(args: argparse.Namespace) -> str:
    return f"{args.workers} {'sync' if args.threads == 1 else 'gthread'} workers x {args.threads} threads"


def report(heading: str, args: argparse.Namespace, results: dict[str, dict[str, Any]]) -> None:
    hello, commit, play = results["hello"], results["commit"], results["play"]
    print(f"\n{heading}, {args.seconds:.0f} s per route in {args.rounds} rounds")
    for mode, r in results.items():
        print(
            f"  {mode:6} {r['rps']:8.0f} req/s   median {r['median_ms']:6.1f} ms   p99 {r['p99_ms']:6.1f} ms"
            f"   ({r['requests']} requests, {r['errors']} errors)"
        )
        if r.get("inline_starts"):
            print(f"         (and {r['inline_starts']} attempt starts inside the window, when prepared ones ran out)")
        if r["cpu_ms"]:
            spent = ", ".join(f"{role} {ms:.2f}" for role, ms in r["cpu_ms"].items())
            print(f"         CPU ms per request: {spent}")
    ratio = play["rps"] / hello["rps"]
    verdict = "OK" if ratio >= 0.5 and play["p99_ms"] < 100 else "below target"
    print(f"  play/hello throughput ratio {ratio:.2f} (target >= 0.5, p99 < 100 ms): {verdict}")
    print(f"  commit/hello {commit['rps'] / hello['rps']:.2f}, play/commit {play['rps'] / commit['rps']:.2f}")
    if "server" in hello["cpu_ms"] and "server" in play["cpu_ms"]:
        # What the server alone would allow if it had the cores to itself: its CPU per hello over per play step.
        print(
            f"  server CPU per request, hello/play: {hello['cpu_ms']['server'] / play['cpu_ms']['server']:.2f} "
            "(the throughput ratio of a server that is alone on its cores)"
        )
    # Closed loop: each client waits for its answer, so mean latency = clients / throughput.
    print(
        f"  (with {args.clients} closed-loop clients, a mean latency under 100 ms needs more than "
        f"{args.clients / 0.1:.0f} req/s)"
    )


def serve_for_remote(env: dict[str, str], args: argparse.Namespace) -> None:
    """The server half of a two-host run: prepare, print the command for the load host, serve until stopped."""
    token = prepare(env)
    print(
        "Serving the benchmark app; on the load-generating host run:\n"
        f"  python benchmarks/bench_play.py --remote THIS_HOST:{args.serve_remote} --token {token}\n"
        "Stop with Ctrl-C.",
        flush=True,
    )
    server = subprocess.Popen([*_serve_command(args, args.host), str(args.serve_remote)], env=env)
    # Ctrl-C reaches the whole process group; a plain kill of this process must stop the server
    # too, and leave through the finally blocks that drop a scratch PostgreSQL database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    from cxtrain.web.server import DEFAULT_THREADS, default_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=12, help="measured seconds per route")
    parser.add_argument("--rounds", type=int, default=4, help="turns the routes take (default 4)")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("CXTRAIN_TEST_POSTGRES_URL"),
        help="PostgreSQL server URL; the run creates and drops its own database (default: $CXTRAIN_TEST_POSTGRES_URL)",
    )
    parser.add_argument(
        "--serve-remote",
        type=int,
        metavar="PORT",
        help="two hosts, server half: serve the benchmark app on PORT (SQLite, or --postgres) until stopped",
    )
    parser.add_argument("--host", default="0.0.0.0", help="address --serve-remote listens on (default 0.0.0.0)")
    parser.add_argument(
        "--remote", metavar="HOST:PORT", help="two hosts, load half: drive a server started with --serve-remote"
    )
    parser.add_argument("--token", help="the bearer token --serve-remote printed (with --remote)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.host, args.serve, args.workers, args.threads)
        return
    if args.remote:
        if not args.token:
            parser.error("--remote needs the --token that --serve-remote printed")
        host, _, port = args.remote.rpartition(":")
        results = interleaved((host, int(port)), args.token, args, CpuMeter(None, False))
        report(f"{args.remote} from this host: {args.clients} clients", args, results)
        return
    with tempfile.TemporaryDirectory() as tmp:
        base = instance_env(tmp)
        if args.serve_remote:
            if args.postgres:
                from scratchdb import scratch_database

                with scratch_database(args.postgres, "cxtrain_bench_play") as url:
                    serve_for_remote({**base, "DATABASE_URL": url}, args)
            else:
                serve_for_remote(base, args)
            return
        run_for("SQLite (WAL)", base, args)
        if args.postgres:
            from scratchdb import scratch_database

            with scratch_database(args.postgres, "cxtrain_bench_play") as url:
                run_for("PostgreSQL", {**base, "DATABASE_URL": url}, args)
        else:
            print("\nPostgreSQL: skipped (pass --postgres URL or set CXTRAIN_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
