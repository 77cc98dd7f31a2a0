"""What the tests need from outside the repository: skipped where it is missing, failed in CI.

A skipped test proves nothing, so .ci/run sets CXTRAIN_REQUIRE_<WHAT>=1 for every outside
resource it provides (PostgreSQL, Debian's Chromium, the seed texts in shared/); there a
missing one fails the test instead of skipping it.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(what: str, require_var: str) -> NoReturn:
    """Skip the running test because ``what`` is missing here, or fail it where ``require_var`` is 1."""
    if os.environ.get(require_var) == "1":
        pytest.fail(f"{require_var}=1 but {what}")
    pytest.skip(what)
