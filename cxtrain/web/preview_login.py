"""The one-click login of `cxtrain preview`: the link it prints logs the author in.

Registered only when the app is given a PREVIEW_LOGIN_TOKEN, which only `cxtrain preview` does:
a random token of its own run, on a server that listens on 127.0.0.1 alone. A wrong token is a
404, as if the route did not exist.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, redirect, request
from werkzeug.wrappers import Response

from ..store import accounts
from . import login_sessions
from .auth import safe_next
from .database import db

bp = Blueprint("preview_login", __name__)


@bp.get("/preview/login/<token>")
def log_in(token: str) -> Response:
    if not hmac.compare_digest(token.encode(), current_app.config["PREVIEW_LOGIN_TOKEN"].encode()):
        abort(404)
    user = accounts.find_user(db(), current_app.config["PREVIEW_ACCOUNT"])
    if user is None or not login_sessions.log_in(user):
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
