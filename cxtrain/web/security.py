"""Security headers, login loading (session cookie or bearer token), and error pages."""

from __future__ import annotations

import hmac

from flask import Flask, Request, Response, g, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..store import accounts
from ..store.models import User
from . import login_sessions
from .database import db
from .extensions import login_manager

FRAGMENT_HEADER = "X-Cx-Fragment"

# What play.js shows when a choice sent in the background is refused before it reaches the
# attempt (the attempt's own refusals come back as a fragment with a notice instead).
FRAGMENT_ERRORS = {
    "csrf": _l("This page has expired. Reload it to carry on; your progress is saved."),
    401: _l("You have been logged out. Reload the page to log in again; your progress is saved."),
    404: _l("This attempt is not available any more. Go back to the module list to carry on."),
}
FRAGMENT_ERROR_OTHER = _l("Your choice could not be recorded. Reload the page and try again.")

# The error page's title and sentence per status, in the reader's language (Werkzeug's own
# names and descriptions are English only). Others fall back to the generic pair.
ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back, reload the page and try again.")),
    403: (_l("Forbidden"), _l("Your account cannot open this page.")),
    404: (_l("Not found"), _l("There is nothing at this address. Check the link, or start again from the menu.")),
    405: (_l("Method not allowed"), _l("This address cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is larger than this server accepts.")),
    429: (_l("Too many requests"), _l("Too many attempts in a short time. Wait a minute and try again.")),
    500: (_l("Internal error"), _l("Something went wrong on our side; it has been logged.")),
}
CSRF_TEXT = (_l("Page expired"), _l("This form has expired. Go back, reload the page and send it again."))
# The same refusal when the browser could not keep the session cookie at all: a Secure cookie set
# over plain HTTP is dropped, so every form "expires", and reloading never helps.
CSRF_NEEDS_HTTPS_TEXT = (
    _l("Page expired"),
    _l(
        "Your browser did not send back this server's session cookie: it is sent over HTTPS only. "
        "Open the service at its https:// address (an administrator can set CXTRAIN_INSECURE_COOKIES=1 "
        "to try it over plain HTTP)."
    ),
)
ERROR_OTHER = (_l("Error"), _l("This request could not be completed."))


def wants_fragment() -> bool:
    """Whether the request comes from play.js, which wants only the attempt element back."""
    return request.headers.get(FRAGMENT_HEADER) == "1"


def init_app(app: Flask) -> None:
    app.session_interface = TokenFirstSessionInterface()
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
    if response.mimetype == "text/html" or is_api() or _private(response):
        # Pages show one person's progress as it is now: Back must ask again rather than show a
        # copy from before the last choice (which offered "Start" with an attempt already
        # under way), and a shared computer must not show them after logout. The API's answers,
        # a team's CSV (members' emails) or a module's YAML are no more for a cache to keep.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _private(response: Response) -> bool:
    """Whether ``response`` was made for a logged-in person (static files never are)."""
    if request.endpoint == "static" or "Cache-Control" in response.headers:
        return False
    return bool(getattr(current_user, "is_authenticated", False))


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id, _, mark = session_id.partition(".")
    try:
        user = db().get(User, int(user_id))
    except ValueError:
        return None
    # A session from before the password last changed (or from before marks existed) is over,
    # and so is one logged out, idle or old on the server (even where a copy of its cookie lives).
    if user is None or not user.active or not hmac.compare_digest(mark, user.session_mark):
        return None
    if not login_sessions.is_live(user):
        return None
    return user


@login_manager.request_loader
def _load_from_token(req: Request) -> User | None:
    token = bearer_token(req)
    # A token is for scripts calling the JSON API. On a page it would be the whole web account,
    # admin forms included (a page hands out a CSRF token to whoever can read it), so that a
    # leaked script token of an admin would be an admin's browser session.
    if token is None or not is_api_path(req.path):
        return None
    user = accounts.user_for_token(db(), token)
    if user is not None:
        g.auth_via_token = True
    return user


class TokenFirstSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that an API request carrying a bearer token is that
    token's alone: its session cookie is neither read nor written.

    Flask-Login tries the session before the request loader, so a script run from a browser
    profile (or a test client that logged in) would act as the cookie's account and silently
    ignore the token it was given, even a revoked or mistyped one. The credential a client names
    explicitly wins, and a bad one is a 401 rather than a fallback.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if bearer_token(request) is not None and is_api_path(request.path):
            return self.session_class()  # empty and unmodified: save_session sends no cookie
        return super().open_session(app, request)


def bearer_token(req: Request) -> str | None:
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def is_api() -> bool:
    return is_api_path(request.path)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def fragment_error(code: int, key: int | str | None = None) -> Response:
    """A short plain-text answer for play.js to show as the notice (not a whole error page)."""
    text = FRAGMENT_ERRORS.get(key if key is not None else code, FRAGMENT_ERROR_OTHER)
    return Response(str(text), code, mimetype="text/plain")


def error_page(code: int, csrf: bool = False) -> tuple[str, int]:
    """The HTML error page for ``code``, in the reader's language."""
    if csrf:
        name, description = CSRF_NEEDS_HTTPS_TEXT if _cookie_lost_to_plain_http() else CSRF_TEXT
    else:
        name, description = ERROR_TEXTS.get(code, ERROR_OTHER)
    return render_template("error.html", code=code, name=name, description=description), code


def _cookie_lost_to_plain_http() -> bool:
    from flask import current_app

    return (
        not request.is_secure
        and bool(current_app.config.get("SESSION_COOKIE_SECURE"))
        and current_app.config.get("SESSION_COOKIE_NAME", "session") not in request.cookies
    )


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
    return error_page(code, csrf=isinstance(exc, CSRFError))


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
    return error_page(500)
