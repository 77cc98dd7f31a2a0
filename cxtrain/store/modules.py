"""Module versions kept in the database: trainer uploads and pinned library texts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import ModuleVersion

UPLOAD = "upload"
LIBRARY = "library"


def save_version(
    db: Session, module_id: str, version: str, text: str, source: str = UPLOAD, author_id: int | None = None
) -> ModuleVersion:
    """Store a version unless that exact text is already there (idempotent, race-safe)."""
    existing = find_version(db, module_id, version, source)
    if existing is not None:
        if source == UPLOAD:
            # Re-uploading an older text makes it current again: bump it to the newest row.
            db.delete(existing)
            db.flush()
        else:
            return existing
    row = ModuleVersion(module_id=module_id, version=version, source=source, yaml_text=text, author_id=author_id)
    db.add(row)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()  # another worker stored the same text at the same moment
        found = find_version(db, module_id, version, source)
        assert found is not None
        return found
    return row


def find_version(db: Session, module_id: str, version: str, source: str | None = None) -> ModuleVersion | None:
    query = select(ModuleVersion).where(ModuleVersion.module_id == module_id, ModuleVersion.version == version)
    if source is not None:
        query = query.where(ModuleVersion.source == source)
    return db.scalars(query.order_by(ModuleVersion.id.desc())).first()


def current_uploads(db: Session) -> dict[str, ModuleVersion]:
    """The newest uploaded version of every uploaded module id."""
    newest = select(func.max(ModuleVersion.id)).where(ModuleVersion.source == UPLOAD).group_by(ModuleVersion.module_id)
    rows = db.scalars(select(ModuleVersion).where(ModuleVersion.id.in_(newest)))
    return {row.module_id: row for row in rows}


UploadHead = tuple[int, str, int | None]  # row id, version, author id


def upload_heads(db: Session) -> dict[str, UploadHead]:
    """module id -> (row id, version, author id) of its newest upload, without the texts: a light
    query that tells whether what :func:`current_uploads` returned last is still current."""
    rows = db.connection().execute(_UPLOAD_HEADS)
    return {module_id: (row_id, version, author_id) for module_id, row_id, version, author_id in rows}


# Built once: every attempt start and module list runs it, and building it cost as much as running it.
_NEWEST_UPLOADS = (
    select(func.max(ModuleVersion.id)).where(ModuleVersion.source == UPLOAD).group_by(ModuleVersion.module_id)
)
_UPLOAD_HEADS = select(ModuleVersion.module_id, ModuleVersion.id, ModuleVersion.version, ModuleVersion.author_id).where(
    ModuleVersion.id.in_(_NEWEST_UPLOADS)
)


def history(db: Session, module_id: str) -> list[ModuleVersion]:
    query = select(ModuleVersion).where(ModuleVersion.module_id == module_id, ModuleVersion.source == UPLOAD)
    return list(db.scalars(query.order_by(ModuleVersion.id.desc())))
