"""When stored lint findings are still true: everything besides a module's text they depend on.

A module's findings follow from its exact text (its version, a content hash), the role ladder
(``unknown-role``) and the code of the checks. Callers that keep findings across restarts
(the service's lint cache) store them under the version and :func:`lint_context`, so a new
release or an edited roles.yaml makes the old entries miss instead of being trusted.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from .. import __version__
from .library import Role


@functools.cache
def rules_fingerprint() -> str:
    """A hash of the scenario core's source: any change to loading, grading or a check counts,
    so nobody has to remember to bump a number when a rule changes."""
    digest = hashlib.sha256(__version__.encode())  # all there is if the sources were left out
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def lint_context(roles: Mapping[str, Role] | None) -> str:
    """The fingerprint under which a module's findings may be stored: the checks and the roles."""
    ladder = [[r.id, r.title, r.level, r.line_of_sight] for r in (roles or {}).values()]
    digest = hashlib.sha256(rules_fingerprint().encode())
    digest.update(json.dumps(ladder, ensure_ascii=False).encode())
    return digest.hexdigest()[:32]
