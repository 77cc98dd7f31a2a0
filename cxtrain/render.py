"""Markdown to safe HTML, shared by the service and the XBlock.

Module text is written by trainers, and an uploaded module may come from anyone
with a trainer account: render with markdown-it (raw HTML off), then sanitise
with nh3 (Ammonia) so that no script, event handler or javascript: link can
reach a learner's browser even if the renderer had a bug.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def markdown(text: str | None) -> Markup:
    """Sanitised HTML for a trainer's Markdown, safe to insert into a page."""
    if not text:
        return Markup("")
    return Markup(_render(text))  # noqa: S704 - sanitised by nh3 just above
