"""Web fixtures: the small fixture module, accounts, bearer tokens."""

from __future__ import annotations

import pytest
from webhelpers import FIXTURES, add_user, token_for


@pytest.fixture
def scenario_folders() -> list[str]:
    return [str(FIXTURES)]


@pytest.fixture
def learner(app) -> str:  # type: ignore[no-untyped-def]
    add_user(app, "learner@example.org")
    return "learner@example.org"


@pytest.fixture
def trainer(app) -> str:  # type: ignore[no-untyped-def]
    add_user(app, "trainer@example.org", "trainer")
    return "trainer@example.org"


@pytest.fixture
def auth(client, learner) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return token_for(client, learner)
