from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from cxtrain.gamify import Catalog
from cxtrain.scenario import Module, load_module


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """Immutable, so shared. Four roles (one without modules), four modules, two tracks."""
    return Catalog(
        ladder=("clerical-intern", "frontline-associate", "ceo", "executive"),
        role_titles={
            "clerical-intern": "Clerical intern",
            "frontline-associate": "Frontline associate",
            "ceo": "Chief executive",
            "executive": "Executive",
        },
        module_roles={"i1": "clerical-intern", "i2": "clerical-intern", "f1": "frontline-associate", "c1": "ceo"},
        tracks={"basics": ("i1", "f1"), "top": ("c1",)},
    )


@pytest.fixture
def make() -> Callable[..., Module]:
    def build(body: str, module_id: str = "t", role: str = "clerical-intern") -> Module:
        text = f"id: {module_id}\ntitle: Test\nrole: {role}\n" + textwrap.dedent(body)
        return load_module(text, f"{module_id}.yaml")

    return build


@pytest.fixture
def fork(make: Callable[..., Module]) -> Module:
    """Two decisions; at the second, a third choice only shows after a flag."""
    return make(
        """
        start: a
        nodes:
          a:
            text: A customer waits.
            choices:
              - {id: help, text: Help now, effects: {customer: 20}, set: [helped], next: b}
              - {id: wait, text: Finish the form first, effects: {customer: -20}, next: b}
          b:
            text: The form is late.
            choices:
              - {id: tell, text: Tell the team, effects: {employee: 10}, next: end}
              - {id: hide, text: Hide it, effects: {employee: -10, customer: -5}, next: end}
              - {id: thank, text: Thank the customer, when: helped, effects: {customer: 5}, next: end}
          end:
            text: Done.
            ending: {title: Done}
        """
    )
