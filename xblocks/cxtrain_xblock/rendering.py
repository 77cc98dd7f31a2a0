"""Templates and assets: the service's shared play partial when installed, the block's own otherwise.

Everything is read as package resources (``importlib.resources``), never fetched
from the internet or built at install time: the shared CSS is added to the fragment
as inline text, the block's own script and CSS from its ``public/`` folder (the
service's play.js is not used: the block's script swaps in the server's re-render).
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FunctionLoader, select_autoescape

PACKAGE = "cxtrain_xblock"
SHARED_PACKAGE = "cxtrain_templates"
SHARED_PARTIAL = ("play", "_attempt.html")
SHARED_CSS = ("static", "cxtrain.css")


def _resource(package: str, *parts: str) -> str | None:
    """The text of a package resource, or None if the package or file is missing."""
    try:
        node = importlib.resources.files(package)
    except ModuleNotFoundError:
        return None
    for part in parts:
        node = node / part
    if not node.is_file():
        return None
    return node.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def shared_css() -> str | None:
    """The service's stylesheet confined to the block, or None if the templates package has none.

    It is written for whole pages (``body``, ``button``, ``table``, ``:root``); added
    unchanged to a course page it would restyle the LMS around the block.
    """
    text = _resource(SHARED_PACKAGE, *SHARED_CSS)
    return scope_css(text, SCOPE) if text else None


SCOPE = ".cxscenario"
_PAGE_SELECTORS = {":root", "html", "body"}
_VERBATIM_AT_RULES = ("@font-face", "@keyframes", "@-webkit-keyframes", "@import", "@charset", "@page")


def scope_css(css: str, scope: str) -> str:
    """Prefix every selector with ``scope``; page-level selectors (``:root``, ``html``, ``body``) become it.

    A small brace matcher, enough for hand-written stylesheets: comments are
    dropped, ``@media``/``@supports`` blocks are scoped inside, other at-rules
    are kept as they are.
    """
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out: list[str] = []
    pos = 0
    while pos < len(css):
        brace = css.find("{", pos)
        semicolon = css.find(";", pos)
        if brace == -1:
            break
        head = css[pos:brace].strip()
        if head.startswith("@") and semicolon != -1 and semicolon < brace:
            out.append(css[pos : semicolon + 1].strip())  # @import/@charset statements
            pos = semicolon + 1
            continue
        end = _matching(css, brace)
        body = css[brace + 1 : end]
        if head.startswith(("@media", "@supports")):
            out.append(f"{head} {{\n{scope_css(body, scope)}\n}}")
        elif head.startswith(_VERBATIM_AT_RULES):
            out.append(f"{head} {{{body}}}")
        else:
            selectors = ", ".join(_scope_selector(sel.strip(), scope) for sel in head.split(",") if sel.strip())
            out.append(f"{selectors} {{{body.strip()}}}")
        pos = end + 1
    return "\n".join(out) + "\n"


def _matching(css: str, start: int) -> int:
    depth = 0
    for index in range(start, len(css)):
        if css[index] == "{":
            depth += 1
        elif css[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(css) - 1


def _scope_selector(selector: str, scope: str) -> str:
    first, _, rest = selector.partition(" ")
    if first in _PAGE_SELECTORS:
        return f"{scope} {rest}".strip()
    return f"{scope} {selector}"


def own_asset(name: str) -> str:
    text = _resource(PACKAGE, "public", name)
    if text is None:
        raise FileNotFoundError(f"{PACKAGE}/public/{name}")
    return text


def _load(name: str) -> str | None:
    # "shared:" names come from cxtrain_templates, every other from this package's templates/, or
    # else from cxtrain_templates: what the shared partial imports by its service name (_lang.html).
    if name.startswith("shared:"):
        return _resource(SHARED_PACKAGE, *name.removeprefix("shared:").split("/"))
    parts = name.split("/")
    return _resource(PACKAGE, "templates", *parts) or _resource(SHARED_PACKAGE, *parts)


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Plain Jinja2, autoescaped: the shared partial is written for exactly this.
    return Environment(
        loader=FunctionLoader(_load),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def attempt_template_name() -> str:
    """The attempt view shared with the service (cxtrain_templates ships in the same wheel)."""
    return "shared:" + "/".join(SHARED_PARTIAL)


def render(name: str, gettext: Callable[[str], str], **context: Any) -> str:
    """Render one of the block's templates; ``_`` in templates is the runtime's gettext."""
    env = environment()
    template = env.get_template(name)
    return template.render(_=_formatting(gettext), attempt_template=attempt_template_name(), **context)


def _formatting(gettext: Callable[[str], str]) -> Callable[..., str]:
    """gettext that also fills ``%(name)s`` placeholders, as the shared partial writes them."""

    def translate(message: str, /, **values: Any) -> str:
        translated = gettext(message)
        if not values:
            return translated
        try:
            return translated % values
        except (KeyError, ValueError, TypeError):
            # A translation that mangled a placeholder must not break the learner's page.
            return message % values

    return translate
