"""OLX import and export: ``<cxscenario display_name=... weight=... module="ID">YAML</cxscenario>``.

The module's YAML is the element's text, written as CDATA so a trainer can read
and diff it in a course export. Export then import gives back the same fields
exactly (the YAML is stored in its canonical form, see ``content.normalize_yaml``),
so course re-runs and imports keep both the scenario and its content hash.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from xblock.fields import Scope

from .content import normalize_yaml

log = logging.getLogger(__name__)

YAML_FIELD = "yaml"
ATTRIBUTE_SCOPES = (Scope.content, Scope.settings)
IGNORED_ATTRIBUTES = {"url_name", "xblock-family"}
"""Attributes the platform manages itself; not fields of the block."""


class OlxMixin:
    """``parse_xml`` and ``add_xml_to_node`` for a block with a ``yaml`` text field."""

    fields: dict[str, Any]

    @classmethod
    def exported_attributes(cls) -> list[str]:
        """Content and settings fields written as attributes, in a stable order."""
        return sorted(
            name
            for name, field in cls.fields.items()  # type: ignore[attr-defined]
            if field.scope in ATTRIBUTE_SCOPES and name != YAML_FIELD
        )

    @classmethod
    def parse_xml(cls, node: etree._Element, runtime: Any, keys: Any) -> Any:
        block = runtime.construct_xblock_from_class(cls, keys)
        exported = set(cls.exported_attributes())
        for name, value in node.items():
            if name in exported:
                field = cls.fields[name]  # type: ignore[attr-defined]
                setattr(block, name, field.from_string(value))
            elif name not in IGNORED_ATTRIBUTES:
                log.warning("cxscenario: ignoring unknown OLX attribute %r", name)
        if len(node):
            log.warning("cxscenario: ignoring %d child element(s); the YAML goes in the element's text", len(node))
        text = normalize_yaml(node.text or "").text
        if text:
            block.yaml = text
        return block

    def add_xml_to_node(self, node: etree._Element) -> None:
        node.tag = self.xml_element_name()  # type: ignore[attr-defined]
        node.set("xblock-family", self.entry_point)  # type: ignore[attr-defined]
        for name in self.exported_attributes():
            field = self.fields[name]
            # Only what was set, so that defaults stay defaults after a round trip.
            if field.is_set_on(self):
                node.set(name, field.to_string(field.read_from(self)))
        text = getattr(self, YAML_FIELD, "")
        if text:
            # CDATA cannot contain its own terminator; lxml then escapes the text instead.
            node.text = etree.CDATA(text) if "]]>" not in text else text
