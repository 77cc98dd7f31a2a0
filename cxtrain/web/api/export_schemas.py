"""Schemas of the learner's own data (GET /api/me/export): everything stored about them, nothing secret."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields

from .schemas import BadgeSchema, StepSchema, TokenInfoSchema, UTCDateTime


class ExportAccountSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    job_role = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "Account role: learner, trainer or admin."})
    timezone = fields.String()
    created_at = UTCDateTime()
    active = fields.Boolean(metadata={"description": "False once the account has been closed."})
    team_when_closed = fields.String(allow_none=True)
    leaderboard = fields.String(allow_none=True, metadata={"description": "How others see you on boards."})
    reminders = fields.Boolean(
        allow_none=True, metadata={"description": "Daily reminder emails: your choice, or null if you never chose."}
    )
    reminded_on = fields.Date(allow_none=True, metadata={"description": "Your local date of the last reminder sent."})
    language = fields.String(
        allow_none=True, metadata={"description": "The language chosen for the pages (fr), or null: the browser's."}
    )
    last_login_at = UTCDateTime(
        allow_none=True, metadata={"description": "When you last logged in with your password, or null."}
    )


class ExportProgressSchema(Schema):
    xp = fields.Integer()
    level = fields.Integer()
    level_name = fields.String()
    streak = fields.Integer()
    longest_streak = fields.Integer()
    active_today = fields.Boolean()


class ExportStepSchema(StepSchema):
    step = fields.Integer()
    at = UTCDateTime()


class JsonReady(fields.Nested):
    """Nested rows that arrive already in their JSON form (the tens of thousands of steps of a long
    history): passed through as they are, which halves the time of a large export. Under test each
    is loaded and dumped again and must come back unchanged, so the shortcut cannot drift from the
    schema."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None or not current_app.testing:
            return value
        dumped = self.schema.dump(self.schema.load(value))
        if dumped != value:
            raise AssertionError(f"{attr} is not in its schema's JSON form: {value!r} != {dumped!r}")
        return dumped


class ExportAttemptSchema(Schema):
    id = fields.Integer()
    module = fields.String()
    version = fields.String()
    started_at = UTCDateTime()
    finished_at = UTCDateTime(allow_none=True)
    score = fields.Float(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    path = JsonReady(ExportStepSchema, many=True, metadata={"description": "Every choice, in order."})


class ExportXpSchema(Schema):
    amount = fields.Integer()
    reason = fields.String(metadata={"description": "finish or practice."})
    module = fields.String(allow_none=True)
    attempt_id = fields.Integer(allow_none=True)
    at = UTCDateTime()


class ExportWeekSchema(Schema):
    week_start = fields.Date()
    xp = fields.Integer()


class ExportBadgeSchema(BadgeSchema):
    attempt_id = fields.Integer(allow_none=True)
    assertion = fields.String(metadata={"description": "Path of the hosted Open Badges 2.0 assertion."})


class ExportPracticeItemSchema(Schema):
    module = fields.String()
    node = fields.String()
    chosen = fields.String()
    best = fields.String()
    due_at = UTCDateTime()
    learned = fields.Boolean()
    interval_index = fields.Integer()
    correct_count = fields.Integer()
    wrong_count = fields.Integer()


class ExportPracticeAnswerSchema(Schema):
    at = UTCDateTime()
    module = fields.String(allow_none=True)
    node = fields.String(allow_none=True)
    choice = fields.String()
    correct = fields.Boolean()
    xp = fields.Integer()


class ExportPracticeSchema(Schema):
    items = fields.List(fields.Nested(ExportPracticeItemSchema))
    answers = fields.List(fields.Nested(ExportPracticeAnswerSchema))


class ExportUploadSchema(Schema):
    module = fields.String()
    version = fields.String()
    created_at = UTCDateTime()


class ExportSessionSchema(Schema):
    created_at = UTCDateTime()
    last_seen_at = UTCDateTime(metadata={"description": "Noted at most once an hour."})


class ExportSchema(Schema):
    format = fields.String(metadata={"description": "cxtrain-personal-data/1"})
    exported_at = UTCDateTime()
    account = fields.Nested(ExportAccountSchema)
    progress = fields.Nested(ExportProgressSchema)
    attempts = fields.List(fields.Nested(ExportAttemptSchema))
    xp = fields.List(fields.Nested(ExportXpSchema), metadata={"description": "The XP ledger, oldest first."})
    weekly_xp = fields.List(fields.Nested(ExportWeekSchema))
    badges = fields.List(fields.Nested(ExportBadgeSchema))
    practice = fields.Nested(ExportPracticeSchema)
    api_tokens = fields.List(
        fields.Nested(TokenInfoSchema), metadata={"description": "Names and dates only; tokens are never stored."}
    )
    module_uploads = fields.List(
        fields.Nested(ExportUploadSchema), metadata={"description": "Module versions you uploaded as a trainer."}
    )
    sessions = fields.List(
        fields.Nested(ExportSessionSchema),
        metadata={"description": "Your logins still open in a browser: when each began and was last used."},
    )
