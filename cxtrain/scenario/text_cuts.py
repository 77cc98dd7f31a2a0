"""The cut-text rule: a '#' after a space ends an unquoted text, and YAML drops the rest.

A trainer who writes ``title: Order #123 went missing`` gets the title "Order"; nothing in
YAML says so. The loader records every comment that follows a plain text (on its last line,
or on the line below where the text would have gone on); this rule decides which of them were
meant as more of the text and says how to keep it.
"""

from __future__ import annotations

import re

from .findings import Finding
from .source_map import SourceMap, TrailingComment, quote_text

TEXT_KEYS = frozenset(
    {"title", "summary", "text", "customer_link", "feedback", "label", "name", "line_of_sight"}
    | {"description", "criteria"}
)
"""Keys whose values are prose a learner reads, where a '#' is more likely a word than a comment:
in modules, and in roles.yaml (title, line_of_sight), track files (title, summary) and
badges.yaml (title, description, criteria)."""

_LATER_NOTE = re.compile(r"[ \t]{2,}#")


def cuts_text(comment: TrailingComment) -> bool:
    """Does a comment after a prose value read as more of the sentence rather than a note?

    A note is written the conventional way, two or more blanks before the '#' and a blank
    after it (``title: Intro  # shown on the card``). A single space before the '#' is how
    a word follows a word, and a '#' glued to what follows is a number or tag (``#123``,
    ``#1``, ``#frontline``): both mean the trainer was still writing the text. So does a
    line indented to go on with the text: a note would sit at its key's indentation.
    """
    return comment.own_line or comment.gap == " " or comment.text[1:2] not in ("", " ", "\t")


def _tail(text: str, size: int) -> str:
    """About the last ``size`` characters of ``text``, starting at a word."""
    if len(text) <= size:
        return text
    tail = text[-size:]
    return tail.split(" ", 1)[1] if " " in tail[:-1] and text[-size - 1] != " " else tail.lstrip()


def _head(text: str, size: int) -> str:
    """About the first ``size`` characters of ``text``, ending at a word."""
    if len(text) <= size:
        return text
    head = text[: size + 1]
    return head.rsplit(" ", 1)[0] if " " in head[1:] else head[:size]


def cut_text_findings(source: SourceMap) -> list[Finding]:
    """Warn where a '#' in an unquoted text silently ended it (YAML read the rest as a comment)."""
    out: list[Finding] = []
    for path, comment in source.comments.items():
        key = path[-1] if path else None
        if key not in TEXT_KEYS or not cuts_text(comment):
            continue
        # A note written the usual way further along the line stays a note, outside the quotes.
        rest = _LATER_NOTE.split(comment.text, maxsplit=1)[0]
        whole = f"{comment.kept} {rest}"
        if len(whole) > 60:
            # Show the fix around the '#', where the trainer has to look.
            whole = f"… {_tail(comment.kept, 25)} {_head(rest, 30)} …"
        kept = comment.kept if len(comment.kept) <= 40 else f"… {_tail(comment.kept, 35)}"
        if comment.own_line:
            why = "this line goes on with the text above, but a line that starts with '#' is a comment"
            note = (
                f"— or write the text as a block, '{key}: |' with its lines below; if the '#' line is "
                f"a note for authors, indent it like '{key}:'."
            )
        else:
            why = "after a space, YAML reads '#' as the start of a comment"
            note = "— or, if the '#' starts a note for authors, put two spaces before it and one after it."
        out.append(
            Finding(
                source.path,
                comment.line,
                comment.column,
                "warning",
                "text-cut-by-comment",
                f"The text was cut at '#': {why}, so the text reads only \"{kept}\". "
                f"Put the whole text in quotes: {key}: {quote_text(whole)} {note}",
            )
        )
    return out
