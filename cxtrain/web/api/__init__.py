"""The JSON API blueprint (see ARCHITECTURE.md, "JSON API")."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import me, views  # noqa: E402,F401 - registers the routes on bp
