"""The language a module is written in: a BCP 47 tag ("en", "fr-CA"), checked against CLDR's locales.

Pages mark the module's text with it (``lang``, and ``dir`` for a right-to-left language), so
that a screen reader reads an English module in English on a French page (WCAG 3.1.2). Babel's
copy of the CLDR data decides what a real tag is, so a typo like ``en-UK`` or a name like
``English`` is refused with the tag that was meant, instead of reaching a screen reader.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from babel import Locale, UnknownLocaleError, localedata

EXAMPLES = "'en', 'fr' or 'pt-BR'"


class LanguageError(ValueError):
    """A language key that is not a tag cxtrain knows; the message says what to write instead."""


def normalize(tag: str) -> str:
    """``tag`` in its canonical form ("EN" -> "en", "fr_ca" -> "fr-CA"); LanguageError if unknown."""
    text = tag.strip()
    try:
        locale = Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise LanguageError(_unknown(text)) from None
    return str(locale).replace("_", "-")


def direction(tag: str) -> str:
    """'rtl' or 'ltr'; 'ltr' for a tag CLDR does not know (a page's language comes from elsewhere)."""
    try:
        return str(Locale.parse(tag.replace("-", "_")).text_direction)
    except (UnknownLocaleError, ValueError, TypeError):
        return "ltr"


def display_name(tag: str, in_language: str) -> str:
    """The language's name in ``in_language`` ("anglais" for "en" in "fr"), the tag if CLDR lacks one."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(Locale.parse(in_language.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return tag
    return name or tag


def pick(tags: Iterable[str], wanted: str | None) -> str | None:
    """Which of ``tags`` (translations on offer) suits a page in ``wanted``: the same tag, else one
    of the same language, the plain language before its regions ("fr" before "fr-CA" for
    "fr-BE"); None when none does."""
    if not wanted:
        return None
    wanted = wanted.lower()
    primary = wanted.split("-")[0]
    same = [tag for tag in tags if tag.lower().split("-")[0] == primary]
    exact = [tag for tag in same if tag.lower() == wanted]
    near = sorted(same, key=lambda tag: "-" in tag)
    return (exact or near or [None])[0]


def _unknown(text: str) -> str:
    meant = _names().get(text.casefold())
    if meant:
        return f"'{text}' is a language's name; write its tag instead: {meant}."
    primary = text.replace("_", "-").split("-")[0]
    try:
        known = str(Locale.parse(primary.lower()))
    except (UnknownLocaleError, ValueError, TypeError):
        return f"'{text}' is not a language tag cxtrain knows. Write a BCP 47 tag such as {EXAMPLES}."
    return (
        f"'{text}' is not a language tag cxtrain knows (the region or script part is unknown). "
        f"Write '{known}', or a tag such as {EXAMPLES}."
    )


@cache
def _names() -> dict[str, str]:
    """Language names, in English and in the language itself, to their tags: "french" and
    "français" -> "fr". Only languages without a region, so each name has one answer."""
    names: dict[str, str] = {}
    for identifier in localedata.locale_identifiers():
        if "_" in identifier:
            continue
        locale = Locale.parse(identifier)
        for name in (locale.get_display_name("en"), locale.get_display_name(identifier)):
            if name:
                names.setdefault(name.casefold(), identifier)
    return names
