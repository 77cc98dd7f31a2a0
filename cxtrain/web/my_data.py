"""A person's own data as one JSON document: the profile's "Download my data", GET /api/me/export,
and `cxtrain users export` (for someone who can no longer log in).

The stored rows come from :mod:`cxtrain.store.personal_export`; this adds what the service
derives from them for the person (level, streaks) and the badges' titles, and dumps it all through
the API's ExportSchema, so the three ways out give the same file.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Response
from sqlalchemy.orm import Session

from .. import gamify
from ..store import xp_ledger
from ..store.models import User
from ..store.personal_export import stored_data
from . import rewards
from .api.export_schemas import ExportSchema

FORMAT = "cxtrain-personal-data/1"


def _activity(data: dict[str, Any]) -> list[datetime]:
    """The moments that keep a streak alive, from the rows already read (rewards.streak_of would
    load every attempt again): a finish counts when it was awarded, else when it finished."""
    awarded = {e["attempt_id"]: e["at"] for e in data["xp"] if e["reason"] == xp_ledger.FINISH and e["attempt_id"]}
    finishes = [awarded.get(a["id"]) or a["finished_at"] for a in data["attempts"] if a["finished_at"] is not None]
    return finishes + [answer["at"] for answer in data["practice_answers"]]


def document(db: Session, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, in ExportSchema's JSON form."""
    data = stored_data(db, user)
    level = gamify.level_for(data["xp_total"], rewards.curve())
    run = gamify.streak(_activity(data), user.timezone, rewards.now())
    for badge in data["badges"]:
        found = rewards.badge(badge["id"])
        badge["title"] = found.title if found else badge["id"]
        badge["assertion"] = f"/badges/assertions/{badge.pop('assertion_id')}.json"
    data["progress"] = {
        "xp": data.pop("xp_total"),
        "level": level.number,
        "level_name": level.name,
        "streak": run.current,
        "longest_streak": run.longest,
        "active_today": run.active_today,
    }
    data["practice"] = {"items": data.pop("practice_items"), "answers": data.pop("practice_answers")}
    return ExportSchema().dump({"format": FORMAT, "exported_at": rewards.now(), **data})


def download(db: Session, user: User) -> Response:
    """The document as a file to save: never kept by the browser's or a proxy's cache."""
    doc = document(db, user)
    # Compact: json's C encoder only runs without indent, and it is four times as fast on a long history.
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    day = doc["exported_at"][:10]
    response.headers["Content-Disposition"] = f'attachment; filename="cxtrain-my-data-{day}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
