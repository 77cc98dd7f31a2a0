"""A module refused by the schema or its references still gets the checks that need only its text.

A trainer who misspells a key used to fix it, lint again, and only then hear that the role was
misspelt too, or that a '#' cut a text short. Those two need no model, so they come in the
first round.
"""

from __future__ import annotations

from cxtrain.scenario.library import ROLES_FILE, bundled_path, load_roles
from cxtrain.scenario.lint import lint_text

ROLES = load_roles(bundled_path() / ROLES_FILE)

MODULE = """\
id: refused
title: The parcel at the counter
role: frontline-asociate
start: desk
nodes:
  desk:
    text: Order #123 went missing
    customer_link: You are the first person she tells.
    choices:
      - {id: help, text: Help, feedback: She calms down., effects: {customer: 5}, nxt: done}
      - {id: shrug, text: Shrug, feedback: She leaves., effects: {customer: -5}, next: done}
  done:
    ending: {title: Done}
    text: The end.
"""


def codes(text: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_text(text, "refused.yaml", ROLES).findings]


def test_a_schema_error_comes_with_the_role_and_the_cut_text():
    assert codes(MODULE) == [(3, "unknown-role"), (7, "text-cut-by-comment"), (10, "unknown-key")]
    role = next(f for f in lint_text(MODULE, "refused.yaml", ROLES).findings if f.code == "unknown-role")
    assert "Did you mean 'frontline-associate'?" in role.message


def test_a_reference_error_comes_with_them_too():
    text = MODULE.replace("nxt: done", "next: dome")
    assert codes(text) == [(3, "unknown-role"), (7, "text-cut-by-comment"), (10, "unknown-node")]


def test_each_is_said_once_and_nothing_is_added_to_a_module_that_loads():
    fixed = MODULE.replace("nxt:", "next:").replace("frontline-asociate", "frontline-associate")
    fixed = fixed.replace("Order #123", '"Order #123').replace("went missing", 'went missing"')
    assert [c for _, c in codes(fixed) if c in {"unknown-role", "text-cut-by-comment", "unknown-key"}] == []
    only_role = MODULE.replace("nxt:", "next:").replace("Order #123 went missing", "Order 123 went missing")
    assert codes(only_role).count((3, "unknown-role")) == 1


def test_without_a_roles_file_or_readable_yaml_nothing_more_is_claimed():
    assert (3, "unknown-role") not in [(f.line, f.code) for f in lint_text(MODULE, "refused.yaml").findings]
    broken = MODULE.replace("start: desk", "start: [desk")
    assert codes(broken) == [(4, "yaml-syntax")]  # nothing was read: no role, no texts to check
