"""Flask extensions, created once and bound to each app in create_app()."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .i18n import N_

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "basic"
# Flask-Login flashes this on the way to the login form; the flash is stored in the session
# cookie, so it is translated into a plain string when flashed, not kept as a lazy one.
login_manager.login_message = N_("Please log in to access this page.")
login_manager.localize_callback = gettext
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def reset_email_limit() -> str:
    return current_app.config["RESET_EMAIL_RATE_LIMIT"]


def typed_email() -> str:
    """The rate-limit key of the address typed into a form, however it was capitalised or spaced."""
    return "email:" + request.form.get("email", "").strip().lower()[:320]
