"""Module versions kept in the database: trainer uploads and pinned library texts."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import ModuleVersion

UPLOAD = "upload"
LIBRARY = "library"
# A trainer made the library file current again: from this row on, until the next upload, the
# module id has no upload, and later edits of the file reach learners. No text of its own.
WITHDRAWN = "withdrawn"


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
    else:
        query = query.where(ModuleVersion.source != WITHDRAWN)  # a mark, not a text
    return db.scalars(query.order_by(ModuleVersion.id.desc())).first()


def withdraw_uploads(db: Session, module_id: str, library_version: str, author_id: int | None) -> None:
    """Make the library file of ``module_id`` current again: its uploads stay (attempts and the
    versions list still need their texts) but no longer override the file."""
    db.execute(delete(ModuleVersion).where(ModuleVersion.module_id == module_id, ModuleVersion.source == WITHDRAWN))
    db.add(
        ModuleVersion(module_id=module_id, version=library_version, source=WITHDRAWN, yaml_text="", author_id=author_id)
    )
    db.commit()


def current_uploads(db: Session) -> dict[str, ModuleVersion]:
    """The newest uploaded version of every module id whose uploads were not withdrawn since."""
    rows = db.scalars(select(ModuleVersion).where(ModuleVersion.id.in_(_NEWEST_UPLOADS)))
    return {row.module_id: row for row in rows if row.source == UPLOAD}


UploadHead = tuple[int, str, int | None]  # row id, version, author id


def upload_heads(db: Session) -> dict[str, UploadHead]:
    """module id -> (row id, version, author id) of its newest upload, without the texts: a light
    query that tells whether what :func:`current_uploads` returned last is still current."""
    rows = db.connection().execute(_UPLOAD_HEADS)
    return {module_id: (row_id, version, author_id) for module_id, row_id, version, author_id in rows}


# Built once: every attempt start and module list runs it, and building it cost as much as running it.
# A withdrawal counts as a head too, so that the catalog sees the change and drops the upload.
_NEWEST_UPLOADS = (
    select(func.max(ModuleVersion.id))
    .where(ModuleVersion.source.in_((UPLOAD, WITHDRAWN)))
    .group_by(ModuleVersion.module_id)
)
_UPLOAD_HEADS = select(ModuleVersion.module_id, ModuleVersion.id, ModuleVersion.version, ModuleVersion.author_id).where(
    ModuleVersion.id.in_(_NEWEST_UPLOADS)
)


def history(db: Session, module_id: str) -> list[ModuleVersion]:
    query = select(ModuleVersion).where(ModuleVersion.module_id == module_id, ModuleVersion.source == UPLOAD)
    return list(db.scalars(query.order_by(ModuleVersion.id.desc())))
