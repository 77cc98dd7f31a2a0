"""A JSON Schema of the module format, for editors (VS Code's YAML extension and others).

Generated from the marshmallow schemas with apispec, so the editor's completion
and hover help can never drift from what the loader accepts.
"""

from __future__ import annotations

import json
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .schema import ModuleSchema

SCHEMA_ID = "https://cxtrain.invalid/schema/module-1.json"


def _relink(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (v.replace("#/components/schemas/", "#/$defs/") if k == "$ref" else _relink(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_relink(v) for v in value]
    return value


def module_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a module file."""
    spec = APISpec("cxtrain module", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("Module", schema=ModuleSchema)
    defs = _relink(spec.to_dict()["components"]["schemas"])
    root = defs.pop("Module")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "cxtrain module (format 1)",
        "description": "A branching customer-centricity scenario. See docs/authoring.md.",
        **root,
        "$defs": defs,
    }


def dumps() -> str:
    return json.dumps(module_json_schema(), indent=2, sort_keys=False)
