"""The lint context: stored findings are keyed by it, so it must change with whatever changes them."""

from __future__ import annotations

from cxtrain.scenario import Role, bundled_path, lint_text
from cxtrain.scenario.fingerprint import lint_context, rules_fingerprint
from cxtrain.scenario.library import load_roles

LADDER = load_roles(bundled_path() / "roles.yaml")


def test_the_same_checks_and_roles_give_the_same_context() -> None:
    assert lint_context(LADDER) == lint_context(dict(LADDER))
    assert lint_context(None) == lint_context({})
    assert len(rules_fingerprint()) == 64 and rules_fingerprint() == rules_fingerprint()


def test_any_change_to_the_ladder_is_a_new_context() -> None:
    contexts = {lint_context(LADDER), lint_context({})}
    first = next(iter(LADDER))
    without = {k: v for k, v in LADDER.items() if k != first}
    contexts.add(lint_context(without))
    role = LADDER[first]
    for changed in (
        Role(role.id, role.title + " (new)", role.level, role.line_of_sight),
        Role(role.id, role.title, role.level + 10, role.line_of_sight),
        Role(role.id, role.title, role.level, role.line_of_sight + " More."),
    ):
        contexts.add(lint_context({**LADDER, first: changed}))
    assert len(contexts) == 6


def test_the_ladder_does_change_findings() -> None:
    """Why the roles are part of the key: the same text gets other findings under another ladder."""
    text = (bundled_path() / "intern-okafor-order.yaml").read_bytes()
    assert lint_text(text, "m.yaml", LADDER).findings == []
    without = {k: v for k, v in LADDER.items() if k != "clerical-intern"}
    assert [f.code for f in lint_text(text, "m.yaml", without).findings] == ["unknown-role"]
