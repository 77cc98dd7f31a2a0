"""Security headers, login loading (session cookie or bearer token), and error pages."""

from __future__ import annotations

import hmac

from flask import Flask, Request, Response, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..store import accounts
from ..store.models import User
from .database import db
from .extensions import login_manager

FRAGMENT_HEADER = "X-Cx-Fragment"

# What play.js shows when a choice sent in the background is refused before it reaches the
# attempt (the attempt's own refusals come back as a fragment with a notice instead).
FRAGMENT_ERRORS = {
    "csrf": "This page has expired. Reload it to carry on; your progress is saved.",
    401: "You have been logged out. Reload the page to log in again; your progress is saved.",
    404: "This attempt is not available any more. Go back to the module list to carry on.",
}
FRAGMENT_ERROR_OTHER = "Your choice could not be recorded. Reload the page and try again."


def wants_fragment() -> bool:
    """Whether the request comes from play.js, which wants only the attempt element back."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _csp(frame_ancestors: str) -> str:
    # No 'unsafe-inline' anywhere: every script and style is a file under /static.
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )


def _headers(response: Response) -> Response:
    from flask import current_app

    response.headers.setdefault("Content-Security-Policy", _csp(current_app.config["FRAME_ANCESTORS"]))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id, _, mark = session_id.partition(".")
    try:
        user = db().get(User, int(user_id))
    except ValueError:
        return None
    # A session from before the password last changed (or from before marks existed) is over.
    if user is None or not user.active or not hmac.compare_digest(mark, user.session_mark):
        return None
    return user


@login_manager.request_loader
def _load_from_token(req: Request) -> User | None:
    token = bearer_token(req)
    if token is None:
        return None
    user = accounts.user_for_token(db(), token)
    if user is not None:
        g.auth_via_token = True
    return user


def bearer_token(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def fragment_error(code: int, key: int | str | None = None) -> Response:
    """A short plain-text answer for play.js to show as the notice (not a whole error page)."""
    text = FRAGMENT_ERRORS.get(key if key is not None else code, FRAGMENT_ERROR_OTHER)
    return Response(text, code, mimetype="text/plain")


def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
    if is_api():
        from .api.errors import http_error

        return http_error(exc)
    code = exc.code or 500
    if wants_fragment():
        if isinstance(exc, CSRFError):
            # CSRF is checked before login; without a session the token is missing because the
            # learner was logged out (elsewhere, or the session ended), which is what to say.
            return fragment_error(401) if not current_user.is_authenticated else fragment_error(code, "csrf")
        return fragment_error(code)
    return render_template("error.html", code=code, name=exc.name, description=exc.description), code


def _unexpected(exc: Exception) -> Response | tuple[str, int]:
    from flask import current_app

    if isinstance(exc, HTTPException):
        return _http_error(exc)
    current_app.logger.exception("unexpected error")
    if current_app.config.get("PROPAGATE_EXCEPTIONS"):
        raise exc
    if is_api():
        from .api.errors import error_response

        return error_response(500, "internal-error", "Something went wrong on our side; it has been logged.")
    if wants_fragment():
        return fragment_error(500)
    return render_template("error.html", code=500, name="Internal error", description="Something went wrong."), 500
