"""The Flask service: app factory, blueprints per area, Flask-Login, JSON API."""

from __future__ import annotations

import importlib.resources
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config, database, i18n, security
from .catalog import Catalog
from .extensions import csrf, limiter, login_manager


class RowIdConverter(IntegerConverter):
    """``<id:name>``: a positive integer that fits a database id column.

    Plain ``<int:...>`` accepts any size, and a 40-digit id then fails inside the
    database driver as a 500; out of range it is simply not found.
    """

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=2**63 - 1)


def templates_root() -> Path:
    return Path(str(importlib.resources.files("cxtrain_templates")))


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with ``test_config`` overriding it (tests, benchmarks)."""
    settings = config.from_environment()
    if test_config:
        settings.update(test_config)
    root = templates_root()
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE"],
        template_folder=str(root),
        static_folder=str(root / "static"),
        static_url_path="/static",
    )
    app.config.update(settings)
    for warning in config.retired_settings():
        app.logger.warning(warning)
    app.url_map.converters["id"] = RowIdConverter
    # The shared templates mark every visible string with _(): Flask-Babel's gettext here, the
    # LMS's in the XBlock.
    i18n.init_app(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.ensure_secret_key(Path(app.instance_path))
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    database.init_app(app)
    app.extensions["cxtrain.catalog"] = Catalog(
        app.config["SCENARIO_FOLDERS"], watch=app.config.get("WATCH_LIBRARY", False)
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)

    from . import admin, api, auth, health, insight, play, progress, trainer, unsubscribe

    app.register_blueprint(auth.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(progress.bp)
    app.register_blueprint(trainer.bp)
    app.register_blueprint(insight.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(unsubscribe.bp)
    if app.config.get("PREVIEW_LOGIN_TOKEN"):  # `cxtrain preview` only
        from . import preview_login

        app.register_blueprint(preview_login.bp)
    return app
