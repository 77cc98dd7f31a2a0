"""A learner's practice queue: the decisions they missed, stored as rows and read back as
:class:`cxtrain.gamify.PracticeItem`, and the answers they gave."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..gamify import PracticeItem
from ..gamify.records import as_utc
from .models import PracticeAnswer, PracticeItemRow


def to_item(row: PracticeItemRow) -> PracticeItem:
    return PracticeItem(
        module_id=row.module_id,
        node_id=row.node_id,
        best=row.best,
        chosen=row.chosen,
        options=tuple(json.loads(row.options_json)),
        due_at=as_utc(row.due_at),
        interval_index=row.interval_index,
        learned=row.learned,
        correct_count=row.correct_count,
        wrong_count=row.wrong_count,
    )


def _copy(item: PracticeItem, row: PracticeItemRow) -> None:
    row.best, row.chosen = item.best, item.chosen
    row.options_json = json.dumps(list(item.options))
    row.due_at = as_utc(item.due_at)
    row.interval_index, row.learned = item.interval_index, item.learned
    row.correct_count, row.wrong_count = item.correct_count, item.wrong_count


def practice_rows(db: Session, user_id: int, module_id: str | None = None) -> list[PracticeItemRow]:
    query = select(PracticeItemRow).where(PracticeItemRow.user_id == user_id)
    if module_id is not None:
        query = query.where(PracticeItemRow.module_id == module_id)
    return list(db.scalars(query.order_by(PracticeItemRow.due_at, PracticeItemRow.id)))


def due_rows(db: Session, user_id: int, now: datetime) -> list[PracticeItemRow]:
    query = select(PracticeItemRow).where(
        PracticeItemRow.user_id == user_id, PracticeItemRow.learned.is_(False), PracticeItemRow.due_at <= as_utc(now)
    )
    return list(db.scalars(query.order_by(PracticeItemRow.due_at, PracticeItemRow.id)))


def due_rows_of(db: Session, user_ids: Collection[int], now: datetime) -> dict[int, list[PracticeItemRow]]:
    """:func:`due_rows` for many learners in one statement, by learner."""
    query = select(PracticeItemRow).where(
        PracticeItemRow.user_id.in_(user_ids), PracticeItemRow.learned.is_(False), PracticeItemRow.due_at <= as_utc(now)
    )
    out: dict[int, list[PracticeItemRow]] = {uid: [] for uid in user_ids}
    for row in db.scalars(query.order_by(PracticeItemRow.due_at, PracticeItemRow.id)):
        out[row.user_id].append(row)
    return out


def next_due(db: Session, user_id: int) -> datetime | None:
    query = select(func.min(PracticeItemRow.due_at)).where(
        PracticeItemRow.user_id == user_id, PracticeItemRow.learned.is_(False)
    )
    value = db.scalar(query)
    return as_utc(value) if value else None


def save_queue(db: Session, user_id: int, items: Iterable[PracticeItem]) -> None:
    """Upsert the items of one learner (the queue after :func:`cxtrain.gamify.items_from_attempt`)."""
    rows = {(r.module_id, r.node_id): r for r in practice_rows(db, user_id)}
    for item in items:
        row = rows.get(item.key)
        if row is None:
            row = PracticeItemRow(user_id=user_id, module_id=item.module_id, node_id=item.node_id)
            db.add(row)
        _copy(item, row)


def update_item(db: Session, row: PracticeItemRow, item: PracticeItem) -> None:
    _copy(item, row)


def record_answer(
    db: Session, user_id: int, row: PracticeItemRow, choice: str, correct: bool, xp: int, now: datetime
) -> None:
    db.add(PracticeAnswer(user_id=user_id, item_id=row.id, choice=choice, correct=correct, xp=xp, created_at=now))
