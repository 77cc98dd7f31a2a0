"""Studio: saving lints first and refuses errors with their positions; the author view summarises."""

from __future__ import annotations

from cxtrain_xblock.content import library
from xblock_support import BEST_PATH, MODULE_YAML, PlatformUserService, StudioPermissions, call, play


def test_submit_refuses_a_module_with_errors(make_block):
    block = make_block()
    broken = MODULE_YAML.replace("next: happy", "next: nowhere")
    status, answer = call(block, "studio_submit", {"yaml": broken, "display_name": "Changed", "weight": 5})
    assert status == 400
    assert answer["error"] == "invalid-module"
    (finding,) = answer["findings"]
    assert finding["line"] == broken.splitlines().index("        next: nowhere") + 1
    assert finding["column"] == 15
    assert finding["severity"] == "error"
    assert "nowhere" in finding["message"]
    assert finding["code"]
    # Nothing was saved, not even the other fields.
    assert block.yaml == MODULE_YAML
    assert block.display_name != "Changed"


def test_submit_reports_yaml_syntax_errors_by_line(make_block):
    block = make_block()
    status, answer = call(block, "studio_submit", {"yaml": "id: x\ntitle: [unclosed\n"})
    assert status == 400
    assert answer["findings"][0]["line"] >= 2


def test_submit_saves_a_valid_module(make_block):
    block = make_block("<cxscenario/>")
    status, answer = call(
        block,
        "studio_submit",
        {"yaml": "\n" + MODULE_YAML, "display_name": "Parcel", "weight": "2.5", "max_attempts": 2},
    )
    assert status == 200, answer
    assert answer["result"] == "success"
    assert all(f["severity"] == "warning" for f in answer["findings"])
    assert block.yaml == MODULE_YAML
    assert (block.display_name, block.weight, block.max_attempts) == ("Parcel", 2.5, 2)
    assert block.current_module().id == "test-lost-parcel"


def test_submit_picks_a_library_module(make_block):
    module_id = sorted(library().modules)[0]
    block = make_block()
    status, _ = call(block, "studio_submit", {"module": module_id, "display_name": "Lib", "weight": 1})
    assert status == 200
    assert (block.module, block.yaml) == (module_id, "")
    assert block.current_module().id == module_id


def test_submit_refuses_bad_settings(make_block):
    block = make_block()
    assert call(block, "studio_submit", {"module": "no-such-module-anywhere"})[1]["error"] == "unknown-module"
    assert call(block, "studio_submit", {"weight": -1})[1]["error"] == "bad-weight"
    assert call(block, "studio_submit", {"weight": "heavy"})[0] == 400
    assert call(block, "studio_submit", {"display_name": "  "})[0] == 400
    assert call(block, "studio_submit", {"grading_policy": "average"})[0] == 400
    assert call(block, "studio_submit", {"yaml": "", "module": ""})[1]["error"] == "no-module"


def test_each_refused_setting_is_named_and_says_what_it_takes(make_block):
    block = make_block()
    for value in (2.5, "-1", "", "1e999"):
        status, answer = call(block, "studio_submit", {"max_attempts": value})
        assert (status, answer["error"], answer["field"]) == (400, "bad-max-attempts", "max_attempts"), value
        assert answer["message"].startswith("The maximum number of attempts must be a whole number"), value
    for value in (-1, "nan", "inf", True):
        status, answer = call(block, "studio_submit", {"weight": value})
        assert (status, answer["field"]) == (400, "weight") and "The weight must be" in answer["message"], value
    assert call(block, "studio_submit", {"max_attempts": "3", "weight": "0"})[0] == 200
    assert (block.max_attempts, block.weight) == (3, 0.0)


def test_check_and_save_refuse_the_same_oversized_text_and_name_the_limit(make_block):
    from cxtrain_xblock.studio import MAX_YAML_BYTES

    block = make_block()
    huge = MODULE_YAML + "# " + "x" * MAX_YAML_BYTES + "\n"
    for handler in ("lint", "studio_submit"):
        status, answer = call(block, handler, {"yaml": huge})
        assert (status, answer["error"]) == (400, "too-large"), handler
        assert f"{MAX_YAML_BYTES // 1024} KiB" in answer["message"], handler


def test_an_empty_module_is_reported_at_line_1(make_block):
    block = make_block()
    for text in (" ", "\n\n\n"):
        [finding] = call(block, "lint", {"yaml": text})[1]["findings"]
        assert (finding["line"], finding["code"]) == (1, "empty-file"), repr(text)


def test_lint_handler_checks_without_saving(make_block):
    block = make_block("<cxscenario/>")
    status, answer = call(block, "lint", {"yaml": MODULE_YAML})
    assert status == 200
    assert answer["summary"]["best"] > answer["summary"]["worst"]
    assert block.yaml == ""


def test_studio_view_lists_library_and_findings(make_block):
    block = make_block()
    html = block.render("studio_view").content
    assert 'name="yaml"' in html
    # A clean module: the findings' heading does not claim problems over "No problems found."
    assert ">Check results</h3>" in html and "No problems found." in html and "Problems found<" not in html
    for module_id in library().modules:
        assert f'value="{module_id}"' in html


def test_author_view_shows_summary_preview_and_stats(make_block):
    block = make_block()
    play(block, BEST_PATH)
    html = block.render("author_view").content
    assert "The lost parcel" in html
    assert "Parcel returned" in html and "A lost customer" in html  # endings
    assert "search → tell" in html  # best path
    assert "Frontline" in html or "frontline" in html  # role
    assert "Search the back room with them waiting</td><td>1</td><td>100%" in html
    assert '<th scope="col">Times chosen</th>' in html  # a count of choices made, not of people
    assert "At the counter" in html  # preview of the first node


def test_workbench_scenarios_parse(runtime):
    from cxtrain_xblock.block import ScenarioBlock

    scenarios = ScenarioBlock.workbench_scenarios()
    assert scenarios
    for _title, xml in scenarios:
        block = runtime.get_block(runtime.parse_xml_string(xml))
        assert block.current_module() is not None
        assert "cx-choice" in block.render("student_view").content


def test_a_learner_cannot_use_the_editor_s_handlers_in_the_lms(make_block, runtime):
    block = make_block()
    saved = (block.display_name, block.weight, block.max_attempts, block.yaml)
    runtime._services["user"] = PlatformUserService(staff=False)
    forged = {"display_name": "Edited by a learner", "weight": 0, "max_attempts": 1, "yaml": MODULE_YAML}
    for handler in ("studio_submit", "lint"):
        status, answer = call(block, handler, forged)
        assert (status, answer["error"]) == (403, "forbidden"), handler
        assert answer["message"] == "Only the course team can edit this block."
    assert (block.display_name, block.weight, block.max_attempts, block.yaml) == saved
    runtime._services["user"] = PlatformUserService(staff=True)  # course staff in the LMS
    assert call(block, "lint", {"yaml": MODULE_YAML})[0] == 200


def test_studio_asks_its_permissions_service_who_may_edit(make_block, runtime):
    block = make_block()
    runtime._services["user"] = PlatformUserService(staff=False)  # Studio's user service says so of everyone
    runtime._services["studio_user_permissions"] = StudioPermissions(can_write=False)
    assert call(block, "studio_submit", {"display_name": "A new name"})[0] == 403
    permissions = runtime._services["studio_user_permissions"] = StudioPermissions(can_write=True)
    status, answer = call(block, "studio_submit", {"display_name": "A new name"})
    assert answer["result"] == "success"
    assert status == 200 and block.display_name == "A new name"
    assert permissions.asked == [getattr(block.scope_ids.usage_id, "context_key", None)]
