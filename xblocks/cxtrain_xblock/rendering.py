"""Templates and assets: the service's shared play partial when installed, the block's own otherwise.

Everything is read as package resources (``importlib.resources``), never fetched
from the internet or built at install time: the shared CSS and script are added
to the fragment as inline text, the block's own from its ``public/`` folder.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FunctionLoader, select_autoescape

PACKAGE = "cxtrain_xblock"
SHARED_PACKAGE = "cxtrain_templates"
SHARED_PARTIAL = ("play", "_attempt.html")
SHARED_CSS = ("static", "cxtrain.css")
SHARED_JS = ("static", "play.js")


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


def shared_partial_available() -> bool:
    return _resource(SHARED_PACKAGE, *SHARED_PARTIAL) is not None


def shared_asset(kind: str) -> str | None:
    """The shared stylesheet (``css``) or play script (``js``), if the templates package has it."""
    return _resource(SHARED_PACKAGE, *(SHARED_CSS if kind == "css" else SHARED_JS))


def own_asset(name: str) -> str:
    text = _resource(PACKAGE, "public", name)
    if text is None:
        raise FileNotFoundError(f"{PACKAGE}/public/{name}")
    return text


def _load(name: str) -> str | None:
    # "shared:" names come from cxtrain_templates, every other from this package's templates/.
    if name.startswith("shared:"):
        return _resource(SHARED_PACKAGE, *name.removeprefix("shared:").split("/"))
    return _resource(PACKAGE, "templates", *name.split("/"))


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
    """The shared partial when the templates package has it, else the block's minimal copy."""
    return "shared:" + "/".join(SHARED_PARTIAL) if shared_partial_available() else "_attempt.html"


def render(name: str, gettext: Callable[[str], str], **context: Any) -> str:
    """Render one of the block's templates; ``_`` in templates is the runtime's gettext."""
    env = environment()
    template = env.get_template(name)
    return template.render(_=gettext, attempt_template=attempt_template_name(), **context)
