"""Marshmallow schemas for every API request and response (also the source of the OpenAPI document)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

_id = validate.Length(min=1, max=100)


class UTCDateTime(fields.DateTime):
    """ISO 8601 with an offset: SQLite hands back naive datetimes, which we store as UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class JSONBoolean(fields.Boolean):
    """JSON's true or false only: marshmallow would also take 1, "yes" or "on", and guessing what a
    client meant about sending someone email is not ours to do."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Strict(Schema):
    class Meta:
        unknown = RAISE


# Requests


class TokenRequestSchema(Strict):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    name = fields.String(validate=validate.Length(max=100))


class AttemptRequestSchema(Strict):
    module = fields.String(required=True, validate=_id)


class ChoiceRequestSchema(Strict):
    node = fields.String(required=True, validate=_id)
    choice = fields.String(required=True, validate=_id)


# Responses


class ErrorSchema(Schema):
    error = fields.String(required=True, metadata={"description": "A stable code, e.g. stale-node."})
    message = fields.String(required=True)
    # "fields" would shadow Schema.fields, hence the attribute name with data_key.
    fields_ = fields.Dict(keys=fields.String(), values=fields.Raw(), data_key="fields")


class TokenSchema(Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "Shown once; only its hash is stored."})


class TokenInfoSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = UTCDateTime()


class ModuleSummarySchema(Schema):
    id = fields.String()
    title = fields.String()
    role = fields.String()
    summary = fields.String()
    minutes = fields.Integer()
    version = fields.String()
    language = fields.String(
        allow_none=True,
        metadata={"description": "BCP 47 tag of the module's language ('en', 'fr-CA'), or null if it does not say."},
    )


class ChoiceSchema(Schema):
    id = fields.String()
    text = fields.String()


class EndingRefSchema(Schema):
    id = fields.String()
    title = fields.String()


class NodeSchema(Schema):
    id = fields.String()
    title = fields.String(allow_none=True)
    text = fields.String()
    html = fields.String(metadata={"description": "The text as sanitised HTML."})
    customer_link = fields.String(allow_none=True)
    choices = fields.List(fields.Nested(ChoiceSchema))
    ending = fields.Dict(allow_none=True)


class MeterSchema(Schema):
    id = fields.String()
    label = fields.String()
    value = fields.Integer()
    min = fields.Integer()
    max = fields.Integer()


class StepSchema(Schema):
    node = fields.String()
    choice = fields.String()


class RippleSchema(Schema):
    id = fields.String()
    text = fields.String()
    html = fields.String()


class MissedSchema(Schema):
    step = fields.Integer()
    node = fields.String()
    chosen = fields.String()
    best = fields.String()
    best_text = fields.String()


class AttemptSchema(Schema):
    id = fields.Integer(required=True)
    module = fields.String(required=True)
    title = fields.String()
    version = fields.String(metadata={"description": "Content hash of the module version the attempt is pinned to."})
    language = fields.String(
        allow_none=True,
        metadata={"description": "BCP 47 tag of the module's language ('en', 'fr-CA'), or null if it does not say."},
    )
    node = fields.Nested(NodeSchema, required=True)
    meters = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    meter_list = fields.List(fields.Nested(MeterSchema))
    finished = fields.Boolean(required=True)
    step = fields.Integer()
    path = fields.List(fields.Nested(StepSchema))
    choice = fields.String(metadata={"description": "After a choice: its id."})
    feedback = fields.String(allow_none=True)
    feedback_html = fields.String()
    ripples = fields.List(fields.Nested(RippleSchema))
    deltas = fields.Dict(keys=fields.String(), values=fields.Integer())
    ending = fields.Nested(EndingRefSchema)
    score = fields.Float()
    passed = fields.Boolean()
    total = fields.Float()
    xp = fields.Integer(metadata={"description": "When finished: the XP this attempt earned (improvement only)."})
    level_up = fields.Nested(
        "LevelUpSchema", allow_none=True, metadata={"description": "The level reached by this finish, or null."}
    )
    badges = fields.List(
        fields.Nested("AwardedBadgeSchema"), metadata={"description": "Badges newly awarded by this finish."}
    )
    missed = fields.List(fields.Nested(MissedSchema))
    steps = fields.List(
        fields.Dict(), metadata={"description": "When finished: the path with node titles and choice texts."}
    )


class ConflictSchema(ErrorSchema):
    attempt = fields.Nested(AttemptSchema, metadata={"description": "The attempt's current state."})


class LevelUpSchema(Schema):
    number = fields.Integer()
    name = fields.String()


class LevelSchema(LevelUpSchema):
    xp_floor = fields.Integer()
    xp_next = fields.Integer(allow_none=True, metadata={"description": "Null at the top level."})
    progress = fields.Float(metadata={"description": "0..1 from this level's floor to the next one."})


class BadgeSchema(Schema):
    id = fields.String()
    title = fields.String()
    awarded_at = UTCDateTime()
    language = fields.String(allow_none=True, metadata={"description": "BCP 47 tag of badges.yaml's language or null."})


class AwardedBadgeSchema(BadgeSchema):
    description = fields.String()
    assertion = fields.String(metadata={"description": "Path of the hosted Open Badges 2.0 assertion."})


_VISIBILITY = validate.OneOf(["named", "anonymous", "hidden"])


class MeSchema(Schema):
    email = fields.String()
    name = fields.String()
    role = fields.String()
    job_role = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    xp = fields.Integer()
    level = fields.Integer()
    level_name = fields.String()
    level_progress = fields.Nested(LevelSchema)
    badges = fields.List(fields.Nested(AwardedBadgeSchema))
    streak = fields.Integer(metadata={"description": "Current streak in days (private to you)."})
    longest_streak = fields.Integer()
    active_today = fields.Boolean()
    leaderboard = fields.String(validate=_VISIBILITY)
    timezone = fields.String()
    language = fields.String(
        allow_none=True, metadata={"description": "The language of your pages; null: your browser's."}
    )
    reminders = fields.Boolean(
        allow_none=True,
        metadata={"description": "Your choice of reminder emails; null: you follow the service's default."},
    )
    reminders_on = fields.Boolean(
        metadata={"description": "Whether you get reminder emails now: your choice, else the service's default."}
    )


def _language() -> validate.OneOf:
    # The languages are the compiled catalogues; the document lists them, and a refusal names them.
    from ..i18n import available_languages

    return validate.OneOf(
        available_languages(), error="Not a language of this service; use one of: {choices} (null: your browser's)."
    )


class MeUpdateSchema(Strict):
    name = fields.String(validate=validate.Length(max=200))
    leaderboard = fields.String(validate=_VISIBILITY, metadata={"description": "How others see you on boards."})
    timezone = fields.String(
        validate=validate.Length(min=1, max=64), metadata={"description": "An IANA zone, e.g. Europe/Paris."}
    )
    language = fields.String(
        allow_none=True,
        validate=_language(),
        metadata={"description": "The language of your pages (and reminder emails); null: follow your browser."},
    )
    reminders = JSONBoolean(
        allow_none=True,
        metadata={"description": "true or false: your choice of reminder emails; null: follow the service's default."},
    )


class BoardRowSchema(Schema):
    rank = fields.Integer()
    name = fields.String(metadata={"description": "A name, an anonymous role label, or your own name; never an email."})
    xp = fields.Integer()
    you = fields.Boolean()


class BoardYouSchema(Schema):
    rank = fields.Integer()
    xp = fields.Integer()


class LeaderboardSchema(Schema):
    period = fields.String()
    scope = fields.String()
    entries = fields.List(fields.Nested(BoardRowSchema))
    you = fields.Nested(BoardYouSchema, allow_none=True)


class PracticeQuestionSchema(Schema):
    id = fields.Integer()
    module = fields.String()
    module_title = fields.String()
    language = fields.String(allow_none=True, metadata={"description": "BCP 47 tag of the module's language, or null."})
    node = fields.String()
    title = fields.String(allow_none=True)
    text = fields.String(metadata={"description": "The node's text, in Markdown."})
    html = fields.String(metadata={"description": "The text as sanitised HTML."})
    customer_link = fields.String(allow_none=True)
    choices = fields.List(fields.Nested(ChoiceSchema))
    due_at = UTCDateTime()


class PracticeSchema(Schema):
    items = fields.List(fields.Nested(PracticeQuestionSchema))
    answered_today = fields.Integer(metadata={"description": "Questions answered today, in the learner's time zone."})
    daily_limit = fields.Integer(metadata={"description": "Questions a learner may answer a day; no items past it."})
    streak = fields.Integer()
    next_due = UTCDateTime(allow_none=True)


class PracticeAnswerRequestSchema(Strict):
    choice = fields.String(required=True, validate=_id)


class PracticeResultSchema(Schema):
    correct = fields.Boolean()
    language = fields.String(allow_none=True, metadata={"description": "BCP 47 tag of the module's language, or null."})
    feedback = fields.String(metadata={"description": "Why the best choice is best."})
    best = fields.String()
    best_text = fields.String()
    best_feedback = fields.String(metadata={"description": "In Markdown."})
    your_feedback = fields.String(metadata={"description": "In Markdown."})
    best_feedback_html = fields.String(metadata={"description": "best_feedback as sanitised HTML."})
    your_feedback_html = fields.String(metadata={"description": "your_feedback as sanitised HTML."})
    xp = fields.Integer()
    level_up = fields.Nested(LevelUpSchema, allow_none=True)
    badges = fields.List(fields.Nested(AwardedBadgeSchema))
    streak = fields.Integer()
    next_due = UTCDateTime(allow_none=True, metadata={"description": "Null once the item is learned."})


ALL = [  # nested schemas before the schemas that nest them (apispec registers nested ones itself)
    ErrorSchema,
    AttemptSchema,
    ConflictSchema,
    TokenRequestSchema,
    TokenSchema,
    TokenInfoSchema,
    ModuleSummarySchema,
    AttemptRequestSchema,
    ChoiceRequestSchema,
    MeSchema,
    MeUpdateSchema,
    LeaderboardSchema,
    PracticeSchema,
    PracticeAnswerRequestSchema,
    PracticeResultSchema,
]
