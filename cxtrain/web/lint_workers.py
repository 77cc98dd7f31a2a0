"""Linting many module texts at once on every core, for `cxtrain serve`'s start-up.

Linting explores each module's whole state space: about a tenth of a second per bundled
module, on one core. After an upgrade every stored finding is stale and the whole library is
linted before the workers start, so the service waits for the sum; here it waits for the sum
divided by the cores. The children are started fresh ("spawn"), not forked from a server
that may hold threads and locks, and they only lint text: no database, no app.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..scenario import Finding, Role, lint_text

log = logging.getLogger(__name__)


def _findings(text: str, path: str, roles: Mapping[str, Role]) -> list[Finding]:
    return lint_text(text, path, roles).findings


def lint_texts(
    jobs: Sequence[tuple[str, str]], roles: Mapping[str, Role], processes: int | None = None
) -> list[list[Finding]]:
    """The findings of each (text, path) of ``jobs``, in order, linted by up to ``processes``
    processes (default: one per core). One job, or one process, lints here without a pool, whose
    start costs about what a small module's lint does."""
    processes = min(processes or os.cpu_count() or 1, len(jobs))
    if processes <= 1:
        return [_findings(text, path, roles) for text, path in jobs]
    # Longest texts first, so that no process is left with a big one at the end.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0]))
    results: list[list[Finding]] = [[] for _ in jobs]
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {i: pool.submit(_findings, jobs[i][0], jobs[i][1], dict(roles)) for i in order}
            for i, future in futures.items():
                results[i] = future.result()
    except (BrokenProcessPool, OSError):
        # A child killed (out of memory) or no process to be had: the same work, slower, here.
        log.warning("Linting on %d processes failed; linting on this one instead", processes, exc_info=True)
        return [_findings(text, path, roles) for text, path in jobs]
    return results
