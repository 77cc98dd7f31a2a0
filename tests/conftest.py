"""Shared fixtures: a fresh app on a fresh SQLite file for every test (Flask tutorial style)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def scenario_folders() -> list[str]:
    """Extra library folders for the app; test packages override this."""
    return []


@pytest.fixture
def app_config(tmp_path: Path, scenario_folders: list[str], request: pytest.FixtureRequest) -> dict[str, object]:
    instance = tmp_path / "instance"
    config: dict[str, object] = {
        "TESTING": True,
        "INSTANCE": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'test.sqlite3'}",
        "SECRET_KEY": "test-secret-key",
        "SCENARIO_FOLDERS": scenario_folders,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
    }
    if request.node.get_closest_marker("app_on_postgres"):
        config["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    return config


@pytest.fixture
def app(app_config: dict[str, object], request: pytest.FixtureRequest) -> Iterator[object]:
    from cxtrain.store import migrate
    from cxtrain.web import create_app

    if request.node.get_closest_marker("app_on_postgres"):
        import pgdb

        with pgdb.postgres_app(app_config, str(app_config["DATABASE_URL"])) as app:
            yield app
        return
    app = create_app(app_config)
    migrate.upgrade(app.config["DATABASE_URL"])
    yield app
    app.extensions["cxtrain.engine"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def browser_page(request: pytest.FixtureRequest) -> Iterator[object]:
    """A phone-sized page in Debian's headless Chromium (skips without it, fails in CI).

    Parametrise it indirectly with a browser language to run a test in it:
    ``@pytest.mark.parametrize("browser_page", ["en-GB", "fr-FR"], indirect=True)``.
    """
    import chromium

    with chromium.page(locale=getattr(request, "param", None)) as page:
        yield page


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database per test module (see tests/pgdb.py)."""
    import pgdb

    with pgdb.fresh_database() as url:
        yield url
