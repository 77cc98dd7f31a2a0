"""OLX: import sets the fields, export writes them back, and the round trip is exact."""

from __future__ import annotations

import io

from lxml import etree
from xblock_support import MODULE_YAML, olx


def export(block) -> bytes:
    out = io.BytesIO()
    block.runtime.export_to_xml(block, out)
    return out.getvalue()


def test_parse_olx_sets_fields(make_block):
    block = make_block(display_name="Lost parcel", weight="2.5", max_attempts="3", grading_policy="last")
    assert block.display_name == "Lost parcel"
    assert block.weight == 2.5
    assert block.max_attempts == 3
    assert block.grading_policy == "last"
    assert block.yaml == MODULE_YAML
    assert block.current_module().id == "test-lost-parcel"


def test_indented_cdata_is_normalised(make_block):
    indented = "\n\n" + "".join("    " + line + "\n" for line in MODULE_YAML.splitlines()) + "  "
    block = make_block(f"<cxscenario><![CDATA[{indented}]]></cxscenario>")
    assert block.yaml == MODULE_YAML


def test_export_writes_cdata_and_only_set_fields(make_block):
    block = make_block(display_name="Lost parcel", weight="2")
    root = etree.fromstring(export(block))
    assert root.tag == "cxscenario"
    assert root.get("display_name") == "Lost parcel"
    assert root.get("weight") == "2.0"
    assert root.get("max_attempts") is None  # a default stays a default
    assert root.text == MODULE_YAML
    assert b"<![CDATA[" in export(block)


def test_round_trip_is_exact(make_block, runtime):
    first = make_block(display_name="Lost parcel", weight="2", max_attempts="2", grading_policy="last")
    exported = export(first)
    second = runtime.get_block(runtime.parse_xml_string(exported))
    for name in ("display_name", "weight", "max_attempts", "grading_policy", "module", "yaml"):
        assert getattr(second, name) == getattr(first, name), name
    assert export(second) == exported
    assert second.current_module().version == first.current_module().version


def test_library_module_round_trip(make_block, runtime):
    block = make_block('<cxscenario display_name="From the library" module="some-module" url_name="abc"/>')
    assert block.module == "some-module"
    assert block.yaml == ""
    exported = export(block)
    root = etree.fromstring(exported)
    assert root.get("module") == "some-module"
    assert not (root.text or "").strip()
    again = runtime.get_block(runtime.parse_xml_string(exported))
    assert export(again) == exported


def test_yaml_containing_cdata_terminator_still_round_trips(make_block, runtime):
    text = MODULE_YAML.replace("They leave unhappy.", "They leave unhappy ]]> and loud.")
    block = make_block(
        olx(text)
        .replace("<![CDATA[\n", "")
        .replace("]]></cxscenario>", "</cxscenario>")
        .replace("]]> and", "]]&gt; and")
    )
    assert block.yaml == text
    again = runtime.get_block(runtime.parse_xml_string(export(block)))
    assert again.yaml == text
