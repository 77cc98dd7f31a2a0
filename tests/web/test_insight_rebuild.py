"""`cxtrain insight rebuild`: the insight rollups recounted from the raw events, on SQLite and PostgreSQL.

The PostgreSQL case is skipped when CXTRAIN_TEST_POSTGRES_URL is unset, unless
CXTRAIN_REQUIRE_POSTGRES=1 (CI), then it fails.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from insighthelpers import CARE, FOLDERS, FRONT, eastgate, play
from sqlalchemy import delete, select, update
from webhelpers import login

from cxtrain.cli import main
from cxtrain.store import insight as queries
from cxtrain.store import migrate
from cxtrain.store.models import Attempt, ChoiceEvent, User

MODULES = (CARE, FRONT)


@pytest.fixture
def scenario_folders() -> list[str]:
    return FOLDERS


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request, app_config) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from cxtrain.store.models import Base
    from cxtrain.web import create_app

    config = {**app_config, "RATELIMIT_ENABLED": False}
    if request.param == "postgres":
        config["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    migrate.upgrade(config["DATABASE_URL"])
    app = create_app(config)
    yield app
    engine = app.extensions["cxtrain.engine"]
    if request.param == "postgres":  # one database per test module: leave it empty for the next test
        with engine.begin() as conn:
            for table in [*queries.metadata.sorted_tables, *reversed(Base.metadata.sorted_tables)]:
                conn.execute(table.delete())
    engine.dispose()


def _session(app):  # type: ignore[no-untyped-def]
    return app.extensions["cxtrain.sessionmaker"]()


def _age(app, hours: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Move every event and attempt back in time, as in a restored backup: all of it has settled."""
    shift = timedelta(hours=hours)
    with _session(app) as db:
        for event_id, created in db.execute(select(ChoiceEvent.id, ChoiceEvent.created_at)).all():
            db.execute(update(ChoiceEvent).where(ChoiceEvent.id == event_id).values(created_at=created - shift))
        for attempt_id, started, finished in db.execute(
            select(Attempt.id, Attempt.started_at, Attempt.finished_at)
        ).all():
            values = {"started_at": started - shift, "finished_at": finished - shift if finished else None}
            db.execute(update(Attempt).where(Attempt.id == attempt_id).values(**values))
        db.commit()


def _rollups(app) -> tuple[set[tuple], set[tuple]]:  # type: ignore[type-arg,no-untyped-def]
    with _session(app) as db:
        edges = {tuple(r) for r in db.execute(select(queries.insight_edges))}
        scores = {(m, v, b, bool(p), n) for m, v, b, p, n in db.execute(select(queries.insight_scores))}
        return edges, scores


def _trainer(app):  # type: ignore[no-untyped-def]
    """A client logged in as eastgate's trainer (its own cookies: the learners' API calls carry none)."""
    trainer = app.test_client()
    login(trainer, "trainer@example.org")
    return trainer


def _pages(app, trainer) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What trainers see of each module: the insight numbers and the page's CSV."""
    from cxtrain.web.database import db
    from cxtrain.web.insight_module import module_insight

    catalog = app.extensions["cxtrain.catalog"]
    seen: dict[str, object] = {}
    with app.test_request_context():
        for module_id in MODULES:
            found = module_insight(db(), catalog, catalog.get(db(), module_id))
            seen[module_id] = (found.started, found.finished, found.passed, found.histogram, found.nodes)
    for module_id in MODULES:
        response = trainer.get(f"/trainer/insight/{module_id}.csv")
        assert response.status_code == 200
        seen[f"{module_id}.csv"] = response.get_data(as_text=True)
    return seen


def _rebuild(runner) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["insight", "rebuild"])
    assert result.exit_code == 0, result.output
    return result.output


def _folded(app) -> None:  # type: ignore[no-untyped-def]
    with _session(app) as db:
        assert queries.refresh_edges(db, settle=timedelta(0)) > 0
        queries.refresh_scores(db, settle=timedelta(0))


def test_rebuild_restores_wiped_rollups(app, client, runner):
    eastgate(app, client)
    _age(app)
    _folded(app)
    trainer = _trainer(app)
    before, rows = _pages(app, trainer), _rollups(app)
    assert all(rows)
    with _session(app) as db:  # an admin's hand edit: counts gone, marks left where they were
        db.execute(delete(queries.insight_edges))
        db.execute(delete(queries.insight_scores))
        db.commit()
    assert _pages(app, trainer) != before  # what the command is for
    output = _rebuild(runner)
    assert "20 choice events" in output and "9 finished attempts" in output
    assert "(0 newer events" in output
    assert _rollups(app) == rows
    assert _pages(app, trainer) == before
    # The rebuilt rollup goes on as usual: a new attempt is counted live, then folded on top.
    play(client, "frank@example.org", CARE, ["hold"], {})
    live = _pages(app, trainer)
    assert live[CARE][0] == before[CARE][0] + 1  # type: ignore[index]
    assert "(1 newer event counted live" in _rebuild(runner)  # too young to fold: one, said as one
    assert _pages(app, trainer) == live
    _age(app)
    _folded(app)
    assert _pages(app, trainer) == live


def test_rebuild_forgets_the_events_of_deleted_learners(app, client, runner):
    eastgate(app, client)
    _age(app)
    _folded(app)
    trainer = _trainer(app)
    with _session(app) as db:
        dave = db.scalar(select(User).where(User.email == "dave@example.org"))
        dave_events = len(db.scalars(select(ChoiceEvent.id).join(Attempt).where(Attempt.user_id == dave.id)).all())
        db.delete(dave)  # attempts and events go with the account (ON DELETE CASCADE)
        db.commit()
    stale = _pages(app, trainer)
    assert stale[FRONT][:3] == (5, 5, 2)  # type: ignore[index]  # still counts dave's pass
    output = _rebuild(runner)
    assert re.search(rf"\b{20 - dave_events} choice events", output), output
    fresh = _pages(app, trainer)
    assert fresh[FRONT][:3] == (4, 4, 1) and fresh[CARE] == stale[CARE]  # type: ignore[index]


def test_a_page_refreshing_during_a_rebuild_counts_nothing_twice(app, client, runner, monkeypatch):
    """A page's refresh that starts before the rebuild commits waits for it, loses its compare-and-set
    against the new marks, and counts only what the rebuilt rollup does not hold."""
    from cxtrain.store import insight_rollup

    eastgate(app, client)
    _age(app)  # settled, and never folded: the page's refresh has everything to fold
    trainer = _trainer(app)
    holding = threading.Event()
    refill = insight_rollup._refill

    def slow_refill(*args):  # type: ignore[no-untyped-def]
        counted = refill(*args)
        holding.set()  # the rebuild holds its locks now; give the page time to run into them
        time.sleep(0.5)
        return counted

    monkeypatch.setattr(insight_rollup, "_refill", slow_refill)
    outputs: list[str] = []
    rebuilding = threading.Thread(target=lambda: outputs.append(_rebuild(runner)))
    rebuilding.start()
    assert holding.wait(10)
    during = _pages(app, trainer)
    rebuilding.join()
    assert "20 choice events" in outputs[0]
    assert during[CARE][:4] == (5, 4, 2, (0, 0, 0, 0, 1, 0, 1, 0, 0, 2))  # type: ignore[index]
    assert during[FRONT][:3] == (5, 5, 2)  # type: ignore[index]
    assert _pages(app, trainer) == during
