"""The SQLite write queue really excludes: across threads and across forked worker processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from cxtrain.store.db import WriteQueue

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX; Windows only queues threads")


def _bump(queue: WriteQueue, counter: Path, times: int) -> None:
    # A read-modify-write with a pause in the middle: any overlap between two holders loses an update.
    for _ in range(times):
        with queue.hold():
            value = int(counter.read_text())
            time.sleep(0.001)
            counter.write_text(str(value + 1))


def test_threads_and_forked_processes_never_hold_it_together(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_text("0")
    queue = WriteQueue(str(tmp_path / "cx.sqlite3"))
    with queue.hold():  # the parent opens its lock file before forking, as `cxtrain serve` may
        pass
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_bump, args=(queue, counter, 25)) for _ in range(3)]
    threads = [threading.Thread(target=_bump, args=(queue, counter, 25)) for _ in range(2)]
    for w in [*workers, *threads]:
        w.start()
    for w in [*workers, *threads]:
        w.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert int(counter.read_text()) == 5 * 25
    assert (tmp_path / "cx.sqlite3-writelock").exists()


def test_a_crashed_holder_does_not_block_the_others(tmp_path: Path) -> None:
    queue = WriteQueue(str(tmp_path / "cx.sqlite3"))
    ctx = multiprocessing.get_context("fork")
    holder = ctx.Process(target=_hold_and_die, args=(queue,))
    holder.start()
    holder.join(timeout=30)
    assert holder.exitcode == -9  # SIGKILLed while holding the lock
    got = threading.Event()

    def take() -> None:
        with queue.hold():
            got.set()

    threading.Thread(target=take, daemon=True).start()
    assert got.wait(5), "the kernel should release a dead process's flock"


def _hold_and_die(queue: WriteQueue) -> None:
    with queue.hold():
        os.kill(os.getpid(), signal.SIGKILL)


def test_in_memory_databases_queue_threads_only(tmp_path: Path) -> None:
    queue = WriteQueue(":memory:")
    with queue.hold():
        pass
    assert list(tmp_path.iterdir()) == []
