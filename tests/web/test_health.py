"""/healthz: what a load balancer asks before sending a worker traffic."""

from __future__ import annotations

import time

import pytest
from alembic import command

from cxtrain.store import migrate
from cxtrain.web import create_app


def _health(app):  # type: ignore[no-untyped-def]
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json(), response


def test_a_migrated_database_is_healthy(app):
    status, body, response = _health(app)
    assert (status, body) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # a probe every few seconds must not mint sessions
    assert app.test_client().head("/healthz").status_code == 200


def test_a_schema_behind_or_ahead_of_the_release_is_unhealthy(app, caplog):
    url = app.config["DATABASE_URL"]
    command.downgrade(migrate.alembic_config(url), "-1")  # the database of the release before
    status, body, _ = _health(app)
    assert status == 503
    assert body == {"status": "unavailable", "reason": "The database schema does not match this release."}
    assert "run `cxtrain db upgrade`" in caplog.text  # the details go to the log, not to the caller

    migrate.upgrade(url)
    assert _health(app)[0] == 200

    # A database upgraded by a newer release: this older worker must not take traffic either.
    with app.extensions["cxtrain.engine"].begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    assert _health(app)[0] == 503


def test_an_empty_database_is_unhealthy(app_config):
    app = create_app(app_config)  # never migrated
    try:
        status, body, _ = _health(app)
        assert (status, body["status"]) == (503, "unavailable")
    finally:
        app.extensions["cxtrain.engine"].dispose()


def test_an_unreachable_database_is_unhealthy_quickly(app_config, caplog):
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    app = create_app({**app_config, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/cxtrain"})
    try:
        started = time.perf_counter()
        status, body, _ = _health(app)
        assert time.perf_counter() - started < 5
        assert (status, body) == (503, {"status": "unavailable", "reason": "The database cannot be reached."})
        assert "127.0.0.1:1" not in str(body) and "database is unreachable" in caplog.text
    finally:
        app.extensions["cxtrain.engine"].dispose()


@pytest.mark.postgres
def test_a_migrated_postgresql_database_is_healthy(app_config, postgres_url):
    migrate.upgrade(postgres_url)
    app = create_app({**app_config, "DATABASE_URL": postgres_url})
    try:
        assert _health(app)[:2] == (200, {"status": "ok"})
    finally:
        app.extensions["cxtrain.engine"].dispose()
