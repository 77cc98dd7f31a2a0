"""CPU cost of one play step against the bare routes, called in process (no server, no sockets).

    python benchmarks/bench_play_cpu.py [--calls 300] [--blocks 8] [--postgres URL]

bench_play.py measures what the issue's target is about (throughput under 50 clients), but on a
shared machine its figures drift by 10 % from one minute to the next, more than most changes to
the step are worth. This one calls the same app (bench_play's: the real cxtrain app plus the bare
``hello`` and ``commit`` routes) through WSGI in this process, many times in blocks, and prints the
best block's CPU per call, which moves by a few microseconds between runs. With PostgreSQL on this
machine it adds the CPU its backend spent (Linux only).

Under load every call costs about 1.5 times more (caches, the other processes), and the server adds
its own HTTP work (about 0.25 ms a request with gunicorn's sync workers), so the in-process ratio is
not the loaded one; it tells whether a change made the step cheaper, and by how much.

It also prints what one full garbage collection costs the loaded app, before and after the
gc.freeze() that each `cxtrain serve` worker runs once the app is loaded.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable

import bench_play

Call = Callable[[], tuple[str, bytes]]


def wsgi_call(app, method: str, path: str, body: dict | None, headers: dict[str, str]) -> Call:  # type: ignore[no-untyped-def,type-arg]
    """A function that sends the same request to ``app`` each time it is called."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(
        method=method, path=path, data=json.dumps(body) if body is not None else None, headers=headers
    ).get_environ()
    raw = environ["wsgi.input"].read()
    status: list[str] = []

    def start_response(line: str, _headers: list, _exc_info: object = None) -> None:  # type: ignore[type-arg]
        status.append(line)

    def call() -> tuple[str, bytes]:
        data = b"".join(app({**environ, "wsgi.input": io.BytesIO(raw)}, start_response))
        return status.pop(), data

    return call


class Steps:
    """Play steps of the benchmark module's loop, a new attempt every bench_play.STEPS_PER_ATTEMPT.
    The attempts are started by :meth:`prepare`, outside the timed calls, as bench_play does."""

    def __init__(self, app, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        self.app, self.headers, self.taken = app, headers, 0
        self.start = wsgi_call(app, "POST", "/api/attempts", {"module": bench_play.MODULE}, headers)
        self.ready: list[Call] = []
        self.prepare(1)

    def prepare(self, calls: int) -> None:
        """Start the attempts the next ``calls`` calls will play."""
        self.taken = 0
        self.ready = [self._new_attempt() for _ in range(calls // bench_play.STEPS_PER_ATTEMPT + 1)]
        self.step = self.ready.pop()

    def _new_attempt(self) -> Call:
        status, data = self.start()
        assert status.startswith("201"), (status, data)
        attempt = json.loads(data)
        body = {"node": attempt["node"]["id"], "choice": attempt["node"]["choices"][0]["id"]}
        return wsgi_call(self.app, "POST", f"/api/attempts/{attempt['id']}/choices", body, self.headers)

    def __call__(self) -> tuple[str, bytes]:
        self.taken += 1
        if self.taken % bench_play.STEPS_PER_ATTEMPT == 0:
            self.step = self.ready.pop()
        return self.step()


def best_block(call: Call, calls: int, blocks: int, meter: bench_play.CpuMeter) -> dict[str, float]:
    """CPU milliseconds per call in the cheapest block: this process's and, if local, PostgreSQL's."""
    status, data = call()
    assert status.startswith("200"), (status, data[:300])
    best: dict[str, float] | None = None
    for _ in range(blocks):
        if isinstance(call, Steps):
            call.prepare(calls)
        before = meter.read()
        started = time.process_time()
        for _ in range(calls):
            call()
        spent = bench_play.CpuMeter.spent(before, meter.read())
        block = {"app": (time.process_time() - started) * 1000 / calls}
        if "postgres" in spent:
            block["postgres"] = spent["postgres"] * 1000 / calls
        if best is None or sum(block.values()) < sum(best.values()):
            best = block
    assert best is not None
    return best


def run_for(label: str, env: dict[str, str], args: argparse.Namespace) -> None:
    os.environ.update(env)
    token = bench_play.prepare(env)
    bench_play.serve_tables()
    app = bench_play.bench_app()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    meter = bench_play.CpuMeter(None, local_postgres="DATABASE_URL" in env)
    routes = {
        "hello": wsgi_call(app, "GET", "/hello", None, headers),
        "commit": wsgi_call(app, "POST", "/commit", None, headers),
        "play": Steps(app, headers),
    }
    results = {name: best_block(call, args.calls, args.blocks, meter) for name, call in routes.items()}
    print(f"\n{label}: CPU ms per call, best of {args.blocks} blocks of {args.calls}")
    for name, cost in results.items():
        parts = ", ".join(f"{who} {ms:.3f}" for who, ms in cost.items())
        print(f"  {name:6} {sum(cost.values()):.3f}   ({parts})")
    hello, play = sum(results["hello"].values()), sum(results["play"].values())
    print(f"  hello/play {hello / play:.2f}; play costs {play - hello:.3f} ms more than hello")
    print_full_collection()


def print_full_collection() -> None:
    """What a full garbage collection costs a loaded worker, before and after the gc.freeze()
    that `cxtrain serve` runs in each worker (cxtrain.web.server.freeze_loaded_objects)."""
    tracked = len(gc.get_objects())
    walks = []
    for _ in range(3):
        started = time.perf_counter()
        gc.collect()
        walks.append((time.perf_counter() - started) * 1000)
    gc.freeze()
    try:
        started = time.perf_counter()
        gc.collect()
        frozen = (time.perf_counter() - started) * 1000
    finally:
        gc.unfreeze()
    print(f"  full garbage collection over {tracked:,} objects: {min(walks):.1f} ms; after gc.freeze() {frozen:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("CXTRAIN_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = bench_play.instance_env(tmp)
        run_for("SQLite (WAL)", base, args)
        if args.postgres:
            from scratchdb import scratch_database

            with scratch_database(args.postgres, "cxtrain_bench_play_cpu") as url:
                run_for("PostgreSQL", {**base, "DATABASE_URL": url}, args)
        else:
            print("\nPostgreSQL: skipped (pass --postgres URL or set CXTRAIN_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    sys.exit(main())
