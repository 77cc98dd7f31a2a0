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
    xp = fields.Integer()
    missed = fields.List(fields.Nested(MissedSchema))
    steps = fields.List(
        fields.Dict(), metadata={"description": "When finished: the path with node titles and choice texts."}
    )


class ConflictSchema(ErrorSchema):
    attempt = fields.Nested(AttemptSchema, metadata={"description": "The attempt's current state."})


class BadgeSchema(Schema):
    id = fields.String()
    title = fields.String()
    awarded_at = UTCDateTime()


class MeSchema(Schema):
    email = fields.String()
    name = fields.String()
    role = fields.String()
    job_role = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    xp = fields.Integer()
    level = fields.Integer()
    badges = fields.List(fields.Nested(BadgeSchema))
    streak = fields.Integer()


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
]
