"""The insight SQL (window functions, CASE bins, the rollup's compare-and-set) on PostgreSQL.

Skipped when CXTRAIN_TEST_POSTGRES_URL is unset, unless CXTRAIN_REQUIRE_POSTGRES=1 (CI), then it fails.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from insighthelpers import CARE, FOLDERS, eastgate

from cxtrain.store import migrate

pytestmark = pytest.mark.postgres


@pytest.fixture
def scenario_folders() -> list[str]:
    return FOLDERS


@pytest.fixture
def app_config(app_config, postgres_url):  # type: ignore[no-untyped-def]
    return {**app_config, "DATABASE_URL": postgres_url, "RATELIMIT_ENABLED": False}


@pytest.fixture
def app(app_config):  # type: ignore[no-untyped-def]
    from cxtrain.store import insight
    from cxtrain.store.models import Base
    from cxtrain.web import create_app

    migrate.upgrade(app_config["DATABASE_URL"])
    app = create_app(app_config)
    yield app
    engine = app.extensions["cxtrain.engine"]
    with engine.begin() as conn:
        for table in [*insight.metadata.sorted_tables, *reversed(Base.metadata.sorted_tables)]:
            conn.execute(table.delete())
    engine.dispose()


def test_team_and_module_insight_on_postgres(app, client):
    from cxtrain.store import insight as queries
    from cxtrain.web.database import db
    from cxtrain.web.insight_module import module_insight
    from cxtrain.web.insight_team import team_report

    team = eastgate(app, client)
    catalog = app.extensions["cxtrain.catalog"]
    with app.test_request_context():
        report = team_report(db(), catalog, "Eastgate", show_email=False)
        alice = next(m for m in report.members if m.user_id == team["alice"])
        assert alice.passed == {"web-fixture"} and alice.customer == pytest.approx(0.25)
        assert report.weak is not None and report.weak.role == "frontline-associate"
        live = module_insight(db(), catalog, catalog.get(db(), CARE))
        assert (live.started, live.finished, live.passed) == (5, 4, 2)
        assert live.histogram == (0, 0, 0, 0, 1, 0, 1, 0, 0, 2)
        assert queries.refresh_edges(db(), now=datetime.now(UTC) + timedelta(minutes=5)) == 20
        queries.refresh_scores(db(), now=datetime.now(UTC) + timedelta(minutes=5))
        folded = module_insight(db(), catalog, catalog.get(db(), CARE))
        assert folded.nodes == live.nodes and folded.node("phone").quit == 1
        assert (folded.started, folded.finished, folded.passed, folded.histogram) == (5, 4, 2, live.histogram)
        assert folded.node("phone").wrong_turn.id == "hold"
        assert ("Eastgate", 7) in queries.teams(db())
