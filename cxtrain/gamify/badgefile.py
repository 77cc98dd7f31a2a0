"""badges.yaml: its schema, its loader and its library-level lint.

The file is checked like a module: unknown keys, missing keys and bad values are
findings with a line and column, raised together as a ScenarioError, so
``cxtrain lint`` and the trainer's editor can point at the exact spot.

Layout::

    format: 1
    badges:
      first-pass:
        title: First pass
        description: You passed your first module.
        criteria: Pass any module.       # optional; shown as the Open Badges criteria
        image: https://...               # optional
        rule: {passes: 1}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from cxtrain.scenario import languages
from cxtrain.scenario.findings import Finding
from cxtrain.scenario.library import BADGES_FILE, Library, bundled_path
from cxtrain.scenario.loading import load_plain
from cxtrain.scenario.schema import SLUG, language_tag, text_field
from cxtrain.scenario.source_map import SourceMap
from cxtrain.scenario.suggest import did_you_mean, one_of

from .badges import ANY, Badge, BadgeText, Rule
from .records import Catalog

NO_CONDITION = "A rule needs at least one condition, e.g. {passes: 1}."
_slug = validate.Regexp(SLUG, error="Use lower-case letters, digits and single hyphens, e.g. 'first-pass'.")
_count = validate.Range(min=1, error="Must be 1 or more.")


class OwnRoleField(fields.Field):
    """``all`` or a whole number of modules of the learner's own role."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if value == "all":
            return "all"
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        raise ValidationError("Write 'all', or a count of modules such as 2.")


class RuleSchema(Schema):
    passes = fields.Integer(strict=True, validate=_count, metadata={"description": "Pass N different modules."})
    score = fields.Float(
        validate=validate.Range(min=0, max=1, min_inclusive=False, error="Must be above 0 and at most 1."),
        metadata={"description": "Finish a module with at least this score."},
    )
    module = fields.String(validate=_slug, metadata={"description": "Pass this module."})
    role = fields.String(validate=_slug, metadata={"description": "Pass every module of this role."})
    own_role = OwnRoleField(metadata={"description": "Pass all (or N) modules of your own role."})
    every_role = fields.Boolean(
        truthy={True},
        falsy={False},
        validate=validate.Equal(True, error="Write 'every_role: true', or leave the key out."),
        metadata={"description": "Pass a module of every role on the ladder."},
    )
    track = fields.String(validate=_slug, metadata={"description": "Pass every module of this track, or 'any'."})
    team_track = fields.String(
        validate=_slug, metadata={"description": "You and every teammate pass this track, or 'any' track."}
    )
    streak = fields.Integer(strict=True, validate=_count, metadata={"description": "N days in a row."})
    xp = fields.Integer(strict=True, validate=_count, metadata={"description": "Reach N XP."})
    practice = fields.Integer(strict=True, validate=_count, metadata={"description": "N correct practice answers."})

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError(NO_CONDITION)

    @post_load
    def _build(self, data: dict[str, Any], **kwargs: Any) -> Rule:
        return Rule(**data)


class BadgeTranslationSchema(Schema):
    title = text_field(required=True, metadata={"description": "The title in this language."})
    description = text_field(required=True, metadata={"description": "The description in this language."})
    criteria = text_field(metadata={"description": "The criteria in this language (default: its description)."})


class BadgeSchema(Schema):
    title = text_field(required=True, metadata={"description": "Name shown to learners."})
    description = text_field(required=True, metadata={"description": "One line on what the badge means."})
    criteria = text_field(metadata={"description": "How to earn it, in words (Open Badges criteria)."})
    image = text_field(metadata={"description": "URL of the badge image (optional)."})
    translations = fields.Dict(
        keys=fields.String(validate=language_tag),
        values=fields.Nested(BadgeTranslationSchema),
        load_default=dict,
        metadata={"description": "The texts in other languages, by BCP 47 tag: pages in that language show them."},
    )
    rule = fields.Nested(RuleSchema, required=True)


class BadgesFileSchema(Schema):
    format = fields.Integer(
        strict=True, load_default=1, validate=validate.Equal(1, error="This cxtrain reads badges format 1 only.")
    )
    language = fields.String(
        load_default=None,
        validate=language_tag,
        metadata={"description": "The language the badges are written in, as a BCP 47 tag ('en')."},
    )
    badges = fields.Dict(keys=fields.String(validate=_slug), values=fields.Nested(BadgeSchema), required=True)


def default_badges_path() -> Path:
    """The bundled ``scenarios/badges.yaml``."""
    return bundled_path() / BADGES_FILE


def load_badges_text(text: str | bytes, path: str = "<text>") -> list[Badge]:
    """Badges from YAML text, in file order; raises ScenarioError listing every problem."""
    return read_badges_text(text, path)[0]


def read_badges_text(text: str | bytes, path: str = "<text>") -> tuple[list[Badge], SourceMap]:
    """Badges from YAML text, and where each part of the text is (for lint)."""
    data, source = load_plain(BadgesFileSchema(), text, path)
    badges = []
    language = languages.normalize(data["language"]) if data["language"] else None
    for badge_id, value in data["badges"].items():
        rule: Rule = value["rule"]
        line, column = source.key_at(("badges", badge_id))
        rule_at = {key: source.at(("badges", badge_id, "rule", key)) for key in rule.used()}
        badges.append(
            Badge(
                id=badge_id,
                title=value["title"],
                description=value["description"],
                criteria=value.get("criteria") or value["description"],
                rule=rule,
                image=value.get("image"),
                language=language,
                translations=tuple(
                    BadgeText(
                        t["title"], t["description"], t.get("criteria") or t["description"], languages.normalize(tag)
                    )
                    for tag, t in value["translations"].items()
                ),
                path=path,
                line=line,
                column=column,
                rule_at=rule_at,
            )
        )
    return badges, source


def load_badges(path: Path | str | None = None) -> list[Badge]:
    """Badges from a badges.yaml file (the bundled one when ``path`` is None)."""
    file = Path(path) if path is not None else default_badges_path()
    return load_badges_text(file.read_bytes(), str(file))


def badges_file_for(folders: Sequence[Path | str]) -> Path:
    """The badges.yaml that applies to a library: the last folder's that has one, else the bundled one.

    The same rule as roles.yaml, so an organisation replaces the bundled badges by
    putting its own file in a folder listed in ``CXTRAIN_SCENARIOS``.
    """
    local = [Path(f) / BADGES_FILE for f in folders if (Path(f) / BADGES_FILE).is_file()]
    return local[-1] if local else default_badges_path()


def lint_badges(badges: Sequence[Badge], library: Library | Catalog) -> list[Finding]:
    """Library-level checks: ids that name no role, module or track; badges nobody can earn."""
    catalog = library if isinstance(library, Catalog) else Catalog.from_library(library)
    out: list[Finding] = []

    def report(badge: Badge, key: str, severity: str, code: str, message: str) -> None:
        line, column = badge.rule_at.get(key, (badge.line, badge.column))
        out.append(Finding(badge.path, line, column, severity, code, f"Badge '{badge.id}': {message}"))  # type: ignore[arg-type]

    for badge in badges:
        rule = badge.rule
        if rule.role is not None:
            if rule.role not in catalog.role_titles:
                report(badge, "role", "error", "unknown-role", _unknown("role", rule.role, catalog.role_titles))
            elif not catalog.modules_of(rule.role):
                report(badge, "role", "warning", "unearnable-badge", f"the role '{rule.role}' has no modules yet.")
        if rule.module is not None and rule.module not in catalog.module_roles:
            report(badge, "module", "error", "unknown-module", _unknown("module", rule.module, catalog.module_roles))
        for key in ("track", "team_track"):
            wanted = getattr(rule, key)
            if wanted is None:
                continue
            if wanted == ANY:
                if not any(catalog.tracks.values()):
                    report(badge, key, "warning", "unearnable-badge", "the library has no tracks yet.")
            elif wanted not in catalog.tracks:
                report(badge, key, "error", "unknown-track", _unknown("track", wanted, catalog.tracks))
        if rule.passes is not None and rule.passes > len(catalog.module_roles):
            report(
                badge,
                "passes",
                "warning",
                "unearnable-badge",
                f"it needs {rule.passes} passed modules; the library has {len(catalog.module_roles)}.",
            )
        if rule.every_role and not catalog.roles_with_modules():
            report(badge, "every_role", "warning", "unearnable-badge", "no role has modules yet.")
    for track_id in catalog.tracks:
        if track_id == ANY:
            out.append(
                Finding(
                    "tracks",
                    1,
                    1,
                    "warning",
                    "reserved-id",
                    "A track is called 'any'; badge rules read it as 'some track'.",
                )
            )
    return sorted(out)


def _unknown(what: str, name: str, known: Any) -> str:
    names = list(known)
    listing = f" Known {what}s: {one_of(names)}." if names else f" The library has no {what}s."
    return f"no {what} is called '{name}'.{did_you_mean(name, names)}{listing}"
