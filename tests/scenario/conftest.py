from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from cxtrain.scenario import Module, load_module


@pytest.fixture
def make() -> Callable[[str], Module]:
    """Build a module from an indented YAML snippet (id, title, role filled in)."""

    def build(body: str, module_id: str = "t") -> Module:
        text = f"id: {module_id}\ntitle: Test\nrole: clerical-intern\n" + textwrap.dedent(body)
        return load_module(text, f"{module_id}.yaml")

    return build
