"""Languages of the service: which one a request gets, gettext in templates, locale-aware numbers and dates.

The learner's saved choice wins, then the browser's Accept-Language among the languages that
have a catalogue, then CXTRAIN_DEFAULT_LANGUAGE. Dates and times are shown in the viewer's own
time zone (``users.timezone``, the one their streak and reminders follow), UTC when logged out.
English is the source language: it needs no catalogue. Catalogues live in
``translations/<lang>/LC_MESSAGES/messages.po`` next to this file, with their compiled ``.mo``
committed (see docs/admin.md, "Languages").
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path

import pytz
from babel import Locale
from babel.dates import format_skeleton, get_datetime_format
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Babel, format_date, format_percent, format_time, get_locale, gettext, ngettext, to_user_timezone
from flask_login import current_user
from markupsafe import Markup

from ..gamify.xp import round_half_up
from ..playview import lang_attributes
from ..scenario.languages import display_name
from ..scenario.library import Role

TRANSLATIONS = Path(__file__).parent / "translations"
SOURCE_LANGUAGE = "en"
DOMAIN = "messages"

babel = Babel()


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue where no request is at hand; it is translated where shown."""
    return message


@cache
def available_languages() -> tuple[str, ...]:
    """The source language and every language with a compiled catalogue, e.g. ``("en", "fr")``."""
    found = {p.parent.parent.name for p in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")}
    return (SOURCE_LANGUAGE, *sorted(found - {SOURCE_LANGUAGE}))


def language_problem(code: str) -> str | None:
    """Why ``code`` cannot be a language of this service (None when it can); English, for start-up."""
    if code in available_languages():
        return None
    return f"no catalogue for the language {code!r}; the languages are: {', '.join(available_languages())}."


def language_choices() -> list[tuple[str, str]]:
    """(code, name) of every language, each named in itself ("English", "Français"): a learner who
    cannot read the page's language can still find their own."""
    return [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in available_languages()]


def _select_locale() -> str | None:
    if not has_request_context():
        return None  # the configured default
    chosen = getattr(current_user, "language", None) if current_user.is_authenticated else None
    if chosen in available_languages():
        return chosen
    # The answer now depends on the header: shared caches must keep one copy per language.
    g.cx_locale_from_header = True
    return request.accept_languages.best_match(available_languages())


def _select_timezone() -> pytz.BaseTzInfo | None:
    """The logged-in viewer's zone; None (the default, UTC) for anonymous pages or a name pytz lacks.

    Flask-Babel's filters then convert every datetime themselves; its conversion needs a pytz
    zone (``normalize``), and the zone names were checked with zoneinfo on save, whose database
    may know a zone pytz does not: such a viewer gets UTC rather than an error page."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    try:
        return pytz.timezone(str(getattr(current_user, "timezone", "") or "UTC"))
    except (pytz.UnknownTimeZoneError, ValueError):
        return None


def _vary(response: Response) -> Response:
    if g.get("cx_locale_from_header"):
        response.vary.add("Accept-Language")
    return response


def mail_language(user: object, fallback: str | None = None) -> str:
    """The language of an email to ``user``: their saved choice, else ``fallback`` (the language of
    the page that asked for the email, when there was one), else the configured default."""
    for chosen in (getattr(user, "language", None), fallback):
        if chosen in available_languages():
            return str(chosen)
    return str(current_app.config.get("DEFAULT_LANGUAGE", SOURCE_LANGUAGE))


def html_lang() -> str:
    """The chosen locale as a BCP 47 tag for ``<html lang>`` ("fr", "en")."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else SOURCE_LANGUAGE


def content_lang(language: str | None) -> Markup:
    """``lang``/``dir`` attributes for an element showing module text written in ``language``, when
    that is not the page's (see playview.lang_attributes); in templates as ``cx_lang(module.language)``."""
    return lang_attributes(language, html_lang())


def _role(role: Role | str | None) -> Role | None:
    if role is None or isinstance(role, Role):
        return role
    from .service import catalog  # the catalog needs the app; this module is set up before it

    return catalog().roles.get(role)


def role_title(role: Role | str | None, fallback: str | None = None) -> str:
    """A job role's title for this page: its translation into the page's language when roles.yaml
    has one (``titles:``), else its title; ``fallback`` (else the id) for a role not on the ladder."""
    found = _role(role)
    if found is None:
        return fallback if fallback is not None else str(role or "")
    return found.title_for(html_lang())[0]


def role_lang(role: Role | str | None) -> Markup:
    """:func:`content_lang` for what :func:`role_title` shows (nothing for a translation into the page's language)."""
    found = _role(role)
    return content_lang(found.title_for(html_lang())[1]) if found is not None else Markup("")


def language_name(language: str) -> str:
    """The name of ``language`` in the page's language ("anglais" on a French page)."""
    return display_name(language, html_lang())


def format_when(value: datetime) -> str:
    """A date with its time to the minute, in the viewer's time zone and the locale's own order
    ("Jan 5, 2025, 3:04 PM", "5 janv. 2025, 15:04"); Babel's named formats add seconds (medium) or
    drop the month's name (short). Both halves are converted by Flask-Babel, so they agree on the day."""
    pattern = get_datetime_format("medium", locale=get_locale())
    time, day = format_time(value, "short"), format_date(value, "medium")
    return pattern.replace("'", "").replace("{0}", time).replace("{1}", day)


def format_whole_percent(share: float) -> str:
    """``share`` (0..1) as a whole percent in the page's language, halves up: Babel rounds halves
    to even, so a mean of 72.5 % read 72 % here and 73 % to anyone checking by hand."""
    return format_percent(round_half_up(share * 100) / 100)


def format_day(value: date | datetime) -> str:
    """Day and month, without the year, in the locale's order ("January 5", "5 janvier")."""
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return format_skeleton("MMMMd", value, locale=get_locale())


def init_app(app: Flask) -> None:
    default = app.config.setdefault("DEFAULT_LANGUAGE", SOURCE_LANGUAGE)
    problem = language_problem(default)
    if problem:
        raise ValueError(f"DEFAULT_LANGUAGE: {problem}")
    app.config["BABEL_DEFAULT_LOCALE"] = default
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    app.config["BABEL_DOMAIN"] = DOMAIN
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=_select_timezone)
    # Flask-Babel installs Jinja's "newstyle" gettext, which %-formats every string even without
    # values. The templates are shared with the XBlock, whose _ formats only when given values;
    # plain callables keep one convention for both (a literal % needs no doubling without values).
    app.jinja_env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=False)  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        cx_html_lang=html_lang,
        cx_languages=language_choices,
        cx_lang=content_lang,
        cx_role_title=role_title,
        cx_role_lang=role_lang,
        cx_language_name=language_name,
        cx_badge_text=lambda badge: badge.text_for(html_lang()),
    )
    app.jinja_env.filters.update(when=format_when, day=format_day, percentformat=format_whole_percent)
    app.after_request(_vary)
