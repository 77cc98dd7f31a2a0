"""Safe loading and the condition language."""

from __future__ import annotations

import pytest

from cxtrain.scenario import ScenarioError, load_module
from cxtrain.scenario.conditions import ConditionError, check_names, compile_condition, parse
from cxtrain.scenario.yaml_loader import load_yaml


def test_positions_of_keys_and_values() -> None:
    data, source = load_yaml("a:\n  b: [1, 2]\n  c: x\n")
    assert data == {"a": {"b": [1, 2], "c": "x"}}
    assert source.key_at(("a", "c")) == (3, 3)
    assert source.at(("a", "b", 1)) == (2, 10)


def test_norway_problem_keys_and_words_stay_text() -> None:
    data, _ = load_yaml("no: yes\nanswer: off\nreal: true\ndate: 2024-01-02\n")
    assert data == {"no": "yes", "answer": "off", "real": True, "date": "2024-01-02"}


def test_conditions_nested_32_deep_still_parse() -> None:
    assert check_names(parse("(" * 31 + "not called" + ")" * 31), METERS, set(FLAGS)) is None


def test_a_condition_nested_without_end_is_a_finding_at_its_line() -> None:
    deep = "(" * 400 + "customer > 1" + ")" * 400
    text = (
        "id: x\ntitle: T\nrole: r\nstart: a\nnodes:\n  a:\n    text: hi\n    choices:\n"
        f"      - {{id: c, text: Go, next: b, when: '{deep}'}}\n  b:\n    text: end\n    ending: {{title: E}}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_module(text, "x.yaml")
    [nested] = [f for f in info.value.findings if f.code == "condition-syntax"]
    assert nested.line == 9 and "levels deep" in nested.message


@pytest.mark.parametrize(
    "text, code",
    [
        ("a: !!python/object/apply:os.system [ls]\n", "yaml-tag"),
        ("a: !custom x\n", "yaml-tag"),
        ("a: &x [*x]\n", "yaml-alias"),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "yaml-merge"),
        ("a: 1\na: 2\n", "duplicate-key"),
        ("a: [1, 2\n", "yaml-syntax"),
        ("---\na: 1\n---\nb: 2\n", "yaml-syntax"),
    ],
)
def test_refused_yaml(text: str, code: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "f.yaml")
    assert info.value.findings[0].code == code
    assert str(info.value).startswith("f.yaml:")


def test_invalid_utf8_is_a_finding() -> None:
    with pytest.raises(ScenarioError) as info:
        load_yaml(b"a: \xff\xfe\n", "f.yaml")
    assert info.value.findings[0].code == "yaml-encoding"


def test_module_objects_are_immutable(make) -> None:
    module = make("start: a\nnodes:\n  a:\n    ending: {title: E}\n    text: E\n")
    with pytest.raises(AttributeError):
        module.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        module.nodes["b"] = module.nodes["a"]  # type: ignore[index]


def test_default_meters_and_xp(make) -> None:
    module = make("minutes: 7\nstart: a\nnodes:\n  a:\n    ending: {title: E}\n    text: E\n")
    assert [(m.id, m.start, m.min, m.max, m.weight) for m in module.meters] == [
        ("customer", 50, 0, 100, 1),
        ("employee", 50, 0, 100, 1),
    ]
    assert module.xp_value == 70 and module.pass_score == 0.7


def test_every_error_at_once_with_did_you_mean() -> None:
    text = "id: x\ntitel: T\nrole: r\nstart: a\nnodes:\n  a:\n    txt: hi\n    ending: {title: E}\n"
    with pytest.raises(ScenarioError) as info:
        load_module(text, "x.yaml")
    messages = {(f.line, f.code): f.message for f in info.value.findings}
    assert "Did you mean 'title'?" in messages[(2, "unknown-key")]
    assert "Did you mean 'text'?" in messages[(7, "unknown-key")]
    # 'title' is missing because 'titel' misspells it: one finding says both, not a second one.
    assert "The module must have 'title'" in messages[(2, "unknown-key")]
    assert (1, "missing-key") not in messages
    text = text.replace("titel: T", "heading: T")
    with pytest.raises(ScenarioError) as info:
        load_module(text, "x.yaml")
    missing = [f for f in info.value.findings if f.code == "missing-key"]
    assert [(f.line, "'title'" in f.message) for f in missing] == [(1, True)]  # a key that is just missing


# --- conditions -------------------------------------------------------------------------

METERS = {"customer": 0, "employee": 1}
FLAGS = {"called": 0, "sorry": 1}


def evaluate(text: str, customer: int = 50, employee: int = 50, flags: int = 0) -> bool:
    expr = parse(text)
    check_names(expr, METERS, set(FLAGS))
    return compile_condition(expr, METERS, FLAGS)((customer, employee), flags)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("customer >= 50", True),
        ("customer > 50", False),
        ("not called", True),
        ("called or customer == 50", True),
        ("called and customer == 50", False),
        ("not (called or sorry) and employee != 49", True),
        ("customer < employee", False),
        ("-5 < customer", True),
        ("customer <= 50 and employee >= 50 or called", True),
    ],
)
def test_condition_values(text: str, expected: bool) -> None:
    assert evaluate(text) is expected


def test_flags_read_the_bitmask() -> None:
    assert evaluate("called and not sorry", flags=0b01)
    assert not evaluate("called and not sorry", flags=0b11)


@pytest.mark.parametrize(
    "text, column, fragment",
    [
        ("customer >> 10", 10, "Expected a meter"),
        ("customer = 10", 9, "'=='"),
        ("customer >= 10 && called", 15, "'and'"),
        ("(customer > 1", 13, "Missing ')'"),
        ("", 0, "empty"),
        ("customer >=", 11, "ends too early"),
        ("customer 10", 9, "Unexpected '10'"),
        ("(" * 33 + "customer > 1" + ")" * 33, 32, "more than 32 levels"),
        ("not " * 300 + "called", 128, "more than 32 levels"),
        ("(not " * 200 + "called" + ")" * 200, 80, "more than 32 levels"),
    ],
)
def test_syntax_errors_point_at_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse(text)
    assert info.value.offset == column
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "text, code",
    [
        ("custmer > 1", "unknown-meter"),
        ("not caled", "unknown-flag"),
        ("called > 1", "condition-type"),
        ("customer", "condition-type"),
    ],
)
def test_name_errors(text: str, code: str) -> None:
    with pytest.raises(ConditionError) as info:
        check_names(parse(text), METERS, set(FLAGS))
    assert info.value.code == code


def test_no_python_evaluation() -> None:
    with pytest.raises(ConditionError):
        parse("__import__('os').system('true')")


@pytest.mark.parametrize(
    "line, expected",
    [
        ("pass: 70%", "Write the pass mark as a share from 0 to 1: 0.7 for 70%."),
        ("minutes: five", "Write it in digits, such as 5."),
        ("meters: {customer: {label: C, start: 50%}}", "Write the number alone, without '%': 50."),
    ],
)
def test_a_number_written_as_text_is_told_how_to_write_it(line: str, expected: str) -> None:
    text = f"id: x\ntitle: T\nrole: r\n{line}\nstart: a\nnodes:\n  a:\n    text: end\n    ending: {{title: E}}\n"
    with pytest.raises(ScenarioError) as info:
        load_module(text, "x.yaml")
    [finding] = [f for f in info.value.findings if f.code == "invalid-value"]
    assert finding.line == 4 and finding.message.endswith(expected)


def test_an_ending_written_as_a_title_and_a_yes_are_told_their_form() -> None:
    text = (
        "id: x\ntitle: T\nrole: r\nstart: a\nnodes:\n  a:\n    text: hi\n    choices:\n"
        "      - {id: go, text: Go, next: b}\n  b:\n    text: end\n    ending: Short again\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_module(text, "x.yaml")
    [ending] = info.value.findings
    assert ending.line == 12 and 'ending: {title: "Short again"}' in ending.message
    fixed = text.replace("ending: Short again", "ending: {title: Short again}")
    checked = fixed + "checks:\n  - {name: c, path: [go], expect: {passed: yes}}\n"
    with pytest.raises(ScenarioError) as info:
        load_module(checked, "x.yaml")
    [passed] = info.value.findings
    assert passed.message.endswith("Not a valid boolean. Write true or false.")


def test_a_very_long_unknown_key_is_named_by_its_start() -> None:
    text = "id: x\ntitle: T\n? " + "k" * 5000 + "\n: 1\nrole: r\nstart: a\nnodes: {a: {text: e, ending: {title: E}}}\n"
    with pytest.raises(ScenarioError) as info:
        load_module(text, "x.yaml")
    [finding] = info.value.findings
    assert finding.code == "unknown-key" and "(5,000 characters)" in finding.message
    assert len(finding.message) < 400  # not the key echoed back whole
