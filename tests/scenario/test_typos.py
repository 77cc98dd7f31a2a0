"""The trainer with a typo: every slip gets one finding at the right line, saying what to do.

Each case edits one line of a valid module the way a trainer would get it wrong, and
checks the code, the line (and column where it matters) and a fragment of the advice.
"""

from __future__ import annotations

import pytest

from cxtrain.scenario import ScenarioError, load_module
from cxtrain.scenario.yamlsafe import MAX_DEPTH, load_yaml

MODULE = """\
id: typo
title: The parcel at the counter
role: clerical-intern
minutes: 2
start: counter
nodes:
  counter:
    title: A parcel is missing
    text: A customer says her parcel never arrived.
    customer_link: You are the first person she tells.
    choices:
      - id: listen
        text: Listen and write down the details
        effects: {customer: 10}
        feedback: She calms down a little.
        next: happy
      - id: shrug
        text: Tell her to phone the call centre
        effects: {customer: -20}
        feedback: She leaves angry.
        next: sad
  happy:
    ending: {title: A customer who comes back}
    text: She tells her friends.
  sad:
    ending: {title: A quiet loss}
    text: She shops elsewhere.
"""


def edit(old: str, new: str) -> str:
    assert MODULE.count(old) == 1, old
    return MODULE.replace(old, new)


def only_finding(text: str | bytes):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as info:
        load_module(text, "typo.yaml")
    findings = info.value.findings
    assert len(findings) == 1, [f.format() for f in findings]
    finding = findings[0]
    assert "\n" not in finding.message and "<unicode string>" not in finding.message
    return finding


def test_the_base_module_is_valid() -> None:
    assert load_module(MODULE, "typo.yaml").id == "typo"


# --- runaway input: refused with a finding, never a crash ---------------------------------


def test_deep_brackets_are_refused_not_a_crash() -> None:
    # 100,000 levels overflow the C stack of PyYAML's composer (a segfault) unless refused early.
    depth = 100_000
    with pytest.raises(ScenarioError) as info:
        load_yaml("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    [finding] = info.value.findings
    assert finding.code == "yaml-depth" and finding.line == 1
    assert f"more than {MAX_DEPTH} levels" in finding.message


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x: 1\n"
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "deep.yaml")
    [finding] = info.value.findings
    assert finding.code == "yaml-depth" and finding.line == MAX_DEPTH


def test_aliases_cannot_stack_past_the_depth_limit() -> None:
    # Each anchor is shallow; the aliases nest them 10 levels at a time.
    nest = "[" * 10 + "{}" + "]" * 10
    text = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} {nest.replace('{}', f'*a{i - 1}')}\n" for i in range(1, 12))
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "deep.yaml")
    assert [f.code for f in info.value.findings] == ["yaml-depth"]


def test_a_module_is_well_within_the_depth_limit() -> None:
    load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")


@pytest.mark.parametrize("digits", ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000])
def test_a_runaway_number_is_a_finding(digits: str) -> None:
    # Python refuses int() of more than 4,300 digits with a ValueError.
    finding = only_finding(edit("minutes: 2", f"minutes: {digits}"))
    assert finding.code == "out-of-range" and finding.line == 4 and "typo" in finding.message
