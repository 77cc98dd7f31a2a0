"""Personal data on PostgreSQL, where the erase takes its locks (the insight clock, the admin rows)
and the bulk updates run through psycopg: the same checks as on SQLite."""

from __future__ import annotations

import pytest
from erasehelpers import LEARNER, assert_erased_and_consistent, insight_numbers, played_team
from webhelpers import add_user

from cxtrain.cli import main

pytestmark = [pytest.mark.postgres, pytest.mark.app_on_postgres]  # the app emptied after each test


def test_erase_on_postgres_leaves_everything_consistent(app, runner):
    team = played_team(app)
    before = insight_numbers(app)
    exported = app.test_client().get("/api/me/export", headers=team.auth).get_json()
    assert len(exported["attempts"]) == 3 and exported["account"]["team"] == "North"
    result = runner.invoke(main, ["users", "erase", LEARNER, "--yes"])
    assert result.exit_code == 0, result.output
    assert_erased_and_consistent(app, team, before)


def test_the_last_open_admin_is_never_erased_on_postgres(app, runner):
    add_user(app, "boss@example.org", "admin", None)
    refused = runner.invoke(main, ["users", "erase", "boss@example.org", "--yes"])
    assert refused.exit_code == 1 and "is the only admin" in refused.output
