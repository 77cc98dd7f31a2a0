"""Configuration from the environment (every variable is documented in docs/admin.md)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from ..scenario.yaml_loader import MAX_BYTES
from ..store.db import default_url, normalise_url
from .i18n import SOURCE_LANGUAGE, language_problem
from .mailer import parse_smtp_url

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret

FORM_OVERHEAD = 64 * 1024
"""Room in an upload request beyond the module itself: the multipart boundaries and headers,
the CSRF token, and the other field of the form (an empty text box or file input)."""


def instance_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("CXTRAIN_INSTANCE") or Path.cwd() / "instance").resolve()


def ensure_secret_key(folder: Path) -> str:
    """The instance's secret key, generated on first run with mode 0600.

    Every worker (and every command) reads the same file, so sessions and CSRF tokens
    signed by one worker are valid in all of them.
    """
    path = folder / SECRET_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another worker won the race; read its key below
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
        return path.read_text().strip()
    except OSError as exc:
        raise SystemExit(
            f"CXTRAIN_INSTANCE: cannot use the instance folder {folder} ({exc.strerror or exc}); "
            "name a folder this account can create and write in."
        ) from None


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _days(env: Mapping[str, str], variable: str, default: float) -> float:
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    try:
        days = float(raw)
    except ValueError:
        days = -1.0
    if not 0 < days < 100_000:
        raise SystemExit(f"{variable}: write a number of days above 0, such as {default:g}, not {raw!r}.")
    return days


def from_environment(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    folder = instance_path(env)
    insecure = _flag(env, "CXTRAIN_INSECURE_COOKIES")
    return {
        "INSTANCE": str(folder),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "DATABASE_URL": normalise_url(env.get("DATABASE_URL") or default_url(folder)),
        "SCENARIO_FOLDERS": [p for p in env.get("CXTRAIN_SCENARIOS", "").split(":") if p],
        "SESSION_COOKIE_SECURE": not insecure,
        "REMEMBER_COOKIE_SECURE": not insecure,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": not _flag(env, "CXTRAIN_DISABLE_RATELIMIT"),
        **_rate_limits(env),
        "TRUSTED_PROXIES": int(env.get("CXTRAIN_TRUSTED_PROXIES", "0") or 0),
        "FRAME_ANCESTORS": env.get("CXTRAIN_FRAME_ANCESTORS", "'self'"),
        # One limit on module size, the core's: a request with a module the core would still read
        # gets through (a module just over it gets the core's finding, with its line-by-line view),
        # and only a request far bigger is refused before it is read (see trainer._too_large).
        "MAX_CONTENT_LENGTH": MAX_BYTES + FORM_OVERHEAD,
        "MAX_FORM_MEMORY_SIZE": MAX_BYTES + FORM_OVERHEAD,  # the pasted text (Flask's default is 500 kB)
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session; a long module is no error
        # A login ends after this many days without a visit, and after this many days in any case.
        "SESSION_IDLE_DAYS": _days(env, "CXTRAIN_SESSION_IDLE_DAYS", 14),
        "SESSION_MAX_DAYS": _days(env, "CXTRAIN_SESSION_MAX_DAYS", 90),
        **_mail(env),
        "DEFAULT_LANGUAGE": _language(env),
        **_optional(env),
    }


RETIRED = {
    "CXTRAIN_MAX_UPLOAD_BYTES": "modules now have one size limit everywhere, the loader's "
    f"{MAX_BYTES // (1024 * 1024)} MiB; uploads up to it are accepted",
}
"""Settings earlier releases read, and what replaced them: an admin who set one is told once at start-up."""


def retired_settings(env: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each retired setting still present in the environment."""
    env = os.environ if env is None else env
    return [f"{name} is no longer read: {why}. Remove it." for name, why in RETIRED.items() if name in env]


def _mail(env: Mapping[str, str]) -> dict[str, Any]:
    """The reminder emails' settings, refused at start-up when they cannot be right (a mistake
    found by the first cron run, at 8 in the morning, would go unnoticed)."""
    default = env.get("CXTRAIN_REMINDERS_DEFAULT", "").strip().lower() or "off"
    if default not in ("on", "off"):
        raise SystemExit(f"CXTRAIN_REMINDERS_DEFAULT: write on or off, not {default!r}.")
    out: dict[str, Any] = {"REMINDERS_DEFAULT": default == "on"}
    url = env.get("CXTRAIN_SMTP_URL", "").strip()
    if url:
        try:
            parse_smtp_url(url)
        except ValueError as exc:  # the message never repeats the URL: it may hold a password
            raise SystemExit(f"CXTRAIN_SMTP_URL: {exc}.") from None
        out["SMTP_URL"] = url
    sender = env.get("CXTRAIN_MAIL_FROM", "").strip()
    if sender:
        if "@" not in parseaddr(sender)[1]:
            raise SystemExit(f"CXTRAIN_MAIL_FROM: {sender!r} is not an email address (e.g. cxtrain@example.org).")
        out["MAIL_FROM"] = sender
    return out


# Rate limits: config key -> (variable, default). The "Forgot your password?" form sends email, so it
# is limited per client (one client mailing many addresses) and per address typed (many clients
# mailing one person).
RATE_LIMITS = {
    "LOGIN_RATE_LIMIT": ("CXTRAIN_LOGIN_RATE_LIMIT", "10 per minute"),
    "RESET_RATE_LIMIT": ("CXTRAIN_RESET_RATE_LIMIT", "5 per minute;30 per hour"),
    "RESET_EMAIL_RATE_LIMIT": ("CXTRAIN_RESET_EMAIL_RATE_LIMIT", "3 per hour"),
}


def _rate_limits(env: Mapping[str, str]) -> dict[str, str]:
    # Refused at start-up: Flask-Limiter would otherwise fail on the first request that meets it.
    from limits import parse_many

    out = {}
    for key, (variable, default) in RATE_LIMITS.items():
        value = env.get(variable, "").strip() or default
        try:
            parse_many(value)
        except ValueError as exc:
            example = "'5 per minute;30 per hour'"
            raise SystemExit(f"{variable}: cannot read {value!r} ({exc}); write e.g. {example}.") from exc
        out[key] = value
    return out


def _language(env: Mapping[str, str]) -> str:
    # Refused at start-up: a typo would otherwise show every page in English without a word.
    code = env.get("CXTRAIN_DEFAULT_LANGUAGE", "").strip() or SOURCE_LANGUAGE
    if language_problem(code):
        # A locale as the system writes it (fr_FR, fr-FR.UTF-8) names the language of its catalogue.
        language = code.replace("_", "-").split(".")[0].split("-")[0].lower()
        code = language if not language_problem(language) else code
    problem = language_problem(code)
    if problem:
        raise SystemExit(f"CXTRAIN_DEFAULT_LANGUAGE: {problem}")
    return code


# Settings whose defaults live where they are used; set only when the environment names them.
_OPTIONAL = {
    "CXTRAIN_PUBLIC_URL": ("PUBLIC_URL", str),
    "CXTRAIN_ISSUER_NAME": ("ISSUER_NAME", str),
    "CXTRAIN_ISSUER_EMAIL": ("ISSUER_EMAIL", str),
    "CXTRAIN_LEADERBOARDS": ("LEADERBOARDS", lambda raw: _on_or_off(raw)),
    "CXTRAIN_LEADERBOARD_CACHE_SECONDS": ("LEADERBOARD_CACHE_SECONDS", float),
    "CXTRAIN_LEVEL_CURVE": ("LEVEL_CURVE", json.loads),
}


def _on_or_off(raw: str) -> str:
    word = raw.strip().lower()
    if word in {"on", "1", "true", "yes"}:
        return "on"
    if word in {"off", "0", "false", "no"}:
        return "off"
    raise ValueError("write on or off")


def _optional(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for variable, (key, parse) in _OPTIONAL.items():
        raw = env.get(variable, "").strip()
        if not raw:
            continue
        try:
            out[key] = parse(raw)
        except ValueError as exc:
            raise SystemExit(f"{variable}: cannot read {raw!r} ({exc}).") from exc
    return out
