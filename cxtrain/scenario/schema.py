"""Marshmallow schemas of the module format: structure, types and ranges.

Loading through these schemas builds the immutable model objects; references
between parts (a ``next`` naming a node, a condition naming a meter) are checked
afterwards by :mod:`cxtrain.scenario.references`, where the whole module is known.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from . import languages
from .conditions import NAME_PATTERN
from .model import (
    DEFAULT_METERS,
    FORMAT_VERSION,
    Check,
    Choice,
    Ending,
    Expectation,
    Meter,
    Node,
    Ripple,
)

NO_CHOICES = "A decision node needs at least one choice; or make it an ending."
BOTH_KINDS = "A node is either a decision ('choices') or an ending ('ending'), not both."
NO_KIND = "A node needs 'choices' (a decision) or 'ending' (an ending)."
MESSAGE_CODES = {NO_CHOICES: "no-choices", BOTH_KINDS: "node-kind", NO_KIND: "node-kind"}
"""Schema messages that have a lint code of their own."""

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
IDENT = r"^[a-z0-9][a-z0-9_-]*$"
NAME = rf"^{NAME_PATTERN}$"

_slug = validate.Regexp(SLUG, error="Use lower-case letters, digits and single hyphens, e.g. 'late-delivery'.")
_ident = validate.Regexp(IDENT, error="Use lower-case letters, digits, '-' and '_', e.g. 'call-back'.")
_name = validate.Regexp(NAME, error="Use a lower-case letter, then letters, digits or '_', e.g. 'called_back'.")


def language_tag(value: str) -> None:
    """Marshmallow validator of a ``language:`` key (modules, roles.yaml, badges.yaml)."""
    try:
        languages.normalize(value)
    except languages.LanguageError as exc:
        raise ValidationError(str(exc)) from None


def _not_blank(value: str) -> None:
    # Spaces alone show as nothing: a blank button, a heading with no words, an empty badge.
    if not value.strip():
        raise ValidationError("Must not be empty or only spaces: write the text.")


def text_field(**kwargs: Any) -> fields.String:
    """A text a learner reads (modules, roles.yaml, tracks, badges.yaml): not empty, not only spaces."""
    return fields.String(validate=_not_blank, **kwargs)


class MeterSchema(Schema):
    label = text_field(metadata={"description": "Name shown to learners, e.g. 'Customer experience'."})
    start = fields.Integer(strict=True, load_default=50, metadata={"description": "Value at the start."})
    min = fields.Integer(strict=True, load_default=0, metadata={"description": "Lowest value (clamped)."})
    max = fields.Integer(strict=True, load_default=100, metadata={"description": "Highest value (clamped)."})
    weight = fields.Float(
        load_default=1.0,  # a float like a written weight, so that reports say 1.0 and 2.0 alike
        validate=validate.Range(min=0, error="The weight must be 0 or more."),
        metadata={"description": "How much this meter counts in the total (0 = shown, not scored)."},
    )

    @validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high, start = data.get("min", 0), data.get("max", 100), data.get("start", 50)
        if low >= high:
            raise ValidationError(f"'min' ({low}) must be below 'max' ({high}).", "min")
        if not low <= start <= high:
            raise ValidationError(f"'start' ({start}) must lie between min {low} and max {high}.", "start")


def _effects() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True),
        load_default=dict,
        metadata={"description": "Change to each meter, e.g. {customer: 10, employee: -5}."},
    )


def _flags() -> fields.List:
    return fields.List(
        fields.String(validate=_name),
        load_default=list,
        metadata={"description": "Flags to set (true from now on), for later conditions."},
    )


class ChoiceSchema(Schema):
    id = fields.String(required=True, validate=_ident, metadata={"description": "Unique within the node."})
    text = text_field(required=True, metadata={"description": "What the learner can do, as a button label."})
    next = fields.String(required=True, metadata={"description": "The node this choice leads to."})
    when = text_field(load_default=None, metadata={"description": "Condition; the choice is shown only when true."})
    set = _flags()
    effects = _effects()
    feedback = fields.String(
        load_default="",
        metadata={"description": "Markdown shown after the choice: how it reaches the customer."},
    )

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Choice:
        return Choice(
            id=data["id"],
            text=data["text"],
            next=data["next"],
            effects=tuple(data["effects"].items()),
            set=tuple(data["set"]),
            when=data["when"],
            feedback=data["feedback"],
        )


class EndingSchema(Schema):
    title = text_field(
        required=True, metadata={"description": "Name of the ending, e.g. 'A customer who feels heard'."}
    )

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Ending:
        return Ending(title=data["title"])


class NodeSchema(Schema):
    title = text_field(load_default=None, metadata={"description": "Optional heading shown above the text."})
    text = text_field(required=True, metadata={"description": "Markdown: the situation at this point."})
    customer_link = text_field(
        load_default=None,
        metadata={"description": "The line of sight from this role's work to the customer."},
    )
    choices = fields.List(fields.Nested(ChoiceSchema), metadata={"description": "What the learner can do."})
    ending = fields.Nested(EndingSchema, metadata={"description": "Makes this node an ending."})

    @validates_schema
    def _kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "choices" in data and "ending" in data:
            raise ValidationError(BOTH_KINDS, "ending")
        if "choices" not in data and "ending" not in data:
            raise ValidationError(NO_KIND, "choices")
        if "choices" in data and not data["choices"]:
            raise ValidationError(NO_CHOICES, "choices")


class RippleSchema(Schema):
    id = fields.String(required=True, validate=_ident)
    when = text_field(required=True, metadata={"description": "Condition that makes the ripple fire (once)."})
    text = text_field(required=True, metadata={"description": "What the learner is told when it fires."})
    effects = _effects()
    set = _flags()

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Ripple:
        return Ripple(
            id=data["id"],
            when=data["when"],
            text=data["text"],
            effects=tuple(data["effects"].items()),
            set=tuple(data["set"]),
        )


_score = validate.Range(min=0, max=1, error="Must be between 0 and 1.")


class ExpectSchema(Schema):
    ending = fields.String(metadata={"description": "The ending node the path must reach."})
    passed = fields.Boolean(truthy={True}, falsy={False}, metadata={"description": "Whether the play must pass."})
    min_score = fields.Float(validate=_score)
    max_score = fields.Float(validate=_score)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Expectation:
        return Expectation(**data)


class CheckSchema(Schema):
    name = text_field(metadata={"description": "What this play-test shows."})
    path = fields.List(fields.String(), required=True, metadata={"description": "Choice ids from the start."})
    expect = fields.Nested(ExpectSchema, required=True)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Check:
        return Check(path=tuple(data["path"]), expect=data["expect"], name=data.get("name"))


def _default_meters() -> dict[str, Meter]:
    return {m.id: m for m in DEFAULT_METERS}


class ModuleSchema(Schema):
    """Top level of a module file. Loads to a dict of model parts (see loading.py)."""

    format = fields.Integer(
        strict=True,
        load_default=FORMAT_VERSION,
        validate=validate.Equal(FORMAT_VERSION, error="This cxtrain reads format 1 only."),
        metadata={"description": "Version of the module format."},
    )
    id = fields.String(required=True, validate=_slug, metadata={"description": "Unique module id (a slug)."})
    title = text_field(required=True)
    role = fields.String(required=True, metadata={"description": "The role from roles.yaml this module trains."})
    summary = fields.String(load_default="")
    language = fields.String(
        load_default=None,
        validate=language_tag,
        metadata={
            "description": "The language the module is written in, as a BCP 47 tag ('en', 'fr-CA'): "
            "pages in another language mark its text with it, so screen readers switch voice.",
            "examples": ["en", "fr", "pt-BR"],
        },
    )
    minutes = fields.Integer(
        strict=True,
        load_default=5,
        validate=validate.Range(min=1, max=240),
        metadata={"description": "Estimated time to play, in minutes."},
    )
    xp = fields.Integer(
        strict=True,
        load_default=None,
        validate=validate.Range(min=0, max=10_000),
        metadata={"description": "XP the module is worth; default 10 x minutes."},
    )
    meters = fields.Dict(
        keys=fields.String(validate=_name),
        values=fields.Nested(MeterSchema),
        load_default=None,
        metadata={"description": "Meters; default customer and employee, 50 in 0..100."},
    )
    pass_ = fields.Float(
        data_key="pass",
        load_default=0.7,
        validate=_score,
        metadata={"description": "Score needed to pass, 0..1."},
    )
    start = fields.String(required=True, metadata={"description": "Id of the first node."})
    nodes = fields.Dict(
        keys=fields.String(validate=_ident),
        values=fields.Nested(NodeSchema),
        required=True,
        validate=validate.Length(min=1, error="A module needs at least one node."),
    )
    ripples = fields.List(fields.Nested(RippleSchema), load_default=list)
    checks = fields.List(fields.Nested(CheckSchema), load_default=list)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        raw_meters = data["meters"]
        if raw_meters is None:
            meters = DEFAULT_METERS
        else:
            meters = tuple(
                Meter(
                    id=key,
                    label=value.get("label") or key.replace("_", " ").capitalize(),
                    start=value["start"],
                    min=value["min"],
                    max=value["max"],
                    weight=value["weight"],
                )
                for key, value in raw_meters.items()
            )
        nodes = {
            key: Node(
                id=key,
                text=value["text"],
                title=value.get("title"),
                choices=tuple(value.get("choices", ())),
                ending=value.get("ending"),
                customer_link=value.get("customer_link"),
            )
            for key, value in data["nodes"].items()
        }
        return {
            "format": data["format"],
            "id": data["id"],
            "title": data["title"],
            "role": data["role"],
            "summary": data["summary"],
            "language": languages.normalize(data["language"]) if data["language"] is not None else None,
            "minutes": data["minutes"],
            "xp": data["xp"],
            "meters": meters,
            "pass_score": data["pass_"],
            "start": data["start"],
            "nodes": nodes,
            "ripples": tuple(data["ripples"]),
            "checks": tuple(data["checks"]),
        }


class RoleSchema(Schema):
    title = text_field(required=True)
    titles = fields.Dict(
        keys=fields.String(validate=language_tag),
        values=text_field(),
        load_default=dict,
        metadata={
            "description": "The title in other languages, by BCP 47 tag ({fr: Stagiaire, de: Praktikant}): "
            "pages in that language show it."
        },
    )
    level = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    line_of_sight = text_field(required=True, metadata={"description": "How this role's work reaches the customer."})


class RolesFileSchema(Schema):
    format = fields.Integer(strict=True, load_default=FORMAT_VERSION, validate=validate.Equal(FORMAT_VERSION))
    language = fields.String(
        load_default=None,
        validate=language_tag,
        metadata={"description": "The language the role titles are written in, as a BCP 47 tag ('en')."},
    )
    roles = fields.Dict(keys=fields.String(validate=_slug), values=fields.Nested(RoleSchema), required=True)


class TrackSchema(Schema):
    format = fields.Integer(strict=True, load_default=FORMAT_VERSION, validate=validate.Equal(FORMAT_VERSION))
    id = fields.String(required=True, validate=_slug)
    title = text_field(required=True)
    summary = fields.String(load_default="")
    modules = fields.List(
        fields.String(),
        required=True,
        validate=validate.Length(min=1, error="A track needs modules."),
        metadata={"description": "Module ids, in the order they are played."},
    )
