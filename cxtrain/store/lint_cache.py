"""Lint findings kept in the database, per module text and lint context (see models.LintCacheEntry)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..scenario.findings import Finding
from .db import dialect_insert
from .models import LintCacheEntry, utcnow

# Far below any database's limit on bound parameters, for libraries of thousands of modules.
_CHUNK = 500


def stored(db: Session, context: str, paths: Mapping[str, str]) -> dict[str, list[Finding]]:
    """The stored findings of every version in ``paths`` that has them, each finding naming the
    path given for its version (the same text may sit in several places)."""
    versions = list(paths)
    found: dict[str, list[Finding]] = {}
    for start in range(0, len(versions), _CHUNK):
        chunk = versions[start : start + _CHUNK]
        query = select(LintCacheEntry.version, LintCacheEntry.findings_json).where(
            LintCacheEntry.context == context, LintCacheEntry.version.in_(chunk)
        )
        for version, findings_json in db.execute(query):
            found[version] = [Finding(paths[version], *row) for row in json.loads(findings_json)]
    return found


def store(db: Session, context: str, results: Mapping[str, Iterable[Finding]]) -> None:
    """Keep the findings of each version (by version); a row already there is left as it is,
    since another worker that stored the same key found the same findings."""
    rows = [
        {
            "version": version,
            "context": context,
            "findings_json": json.dumps(
                [[f.line, f.column, f.severity, f.code, f.message] for f in findings], ensure_ascii=False
            ),
            "created_at": utcnow(),
        }
        for version, findings in results.items()
    ]
    for start in range(0, len(rows), _CHUNK):
        statement = dialect_insert(db, LintCacheEntry.__table__).on_conflict_do_nothing()
        db.execute(statement, rows[start : start + _CHUNK])
    db.commit()


def prune(db: Session, context: str, older_than: timedelta, now: datetime | None = None) -> int:
    """Forget findings stored for other contexts (older releases, an earlier roles.yaml) more than
    ``older_than`` ago; entries of the current context are kept however old. Returns how many."""
    cutoff = (now or utcnow()) - older_than
    result = db.execute(
        delete(LintCacheEntry).where(LintCacheEntry.context != context, LintCacheEntry.created_at < cutoff)
    )
    db.commit()
    return result.rowcount  # type: ignore[attr-defined]
