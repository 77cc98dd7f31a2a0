"""A '#' after a space ends an unquoted text: lint says so where the trainer meant more text.

Each case edits one line of a valid module and checks, through ``lint_text`` (what both
``cxtrain lint`` and the trainer upload page call), whether a ``text-cut-by-comment``
warning appears, and where.
"""

from __future__ import annotations

import pytest

from cxtrain.scenario import lint_text
from cxtrain.scenario.text_cuts import TEXT_KEYS, cut_text_findings
from cxtrain.scenario.yaml_loader import load_yaml

CODE = "text-cut-by-comment"

MODULE = """\
id: cuts
title: The parcel at the counter
role: clerical-intern
summary: A parcel goes missing.
minutes: 2
xp: 20
meters:
  customer: {label: Customer experience, start: 50}
start: counter
nodes:
  counter:
    title: A parcel is missing
    text: A customer says her parcel never arrived.
    customer_link: You are the first person she tells.
    choices:
      - id: listen
        text: Listen and write down the details
        effects: {customer: 10}
        feedback: She calms down a little.
        next: happy
      - id: shrug
        text: Tell her to phone the call centre
        effects: {customer: -20}
        feedback: She leaves angry.
        next: sad
  happy:
    ending: {title: A customer who comes back}
    text: She tells her friends.
  sad:
    ending: {title: A quiet loss}
    text: She shops elsewhere.
checks:
  - name: listening passes
    path: [listen]
    expect: {passed: true}
"""


def edit(old: str, new: str) -> str:
    assert MODULE.count(old) == 1, old
    return MODULE.replace(old, new)


def cuts(text: str | bytes) -> list[tuple[int, int, str]]:
    report = lint_text(text, "cuts.yaml")
    assert report.module is not None, [f.format() for f in report.findings]
    found = [f for f in report.findings if f.code == CODE]
    assert all(f.severity == "warning" for f in found)
    return [(f.line, f.column, f.message) for f in found]


def test_the_base_module_has_no_cut_text() -> None:
    report = lint_text(MODULE, "cuts.yaml")
    assert report.module is not None
    assert cuts(MODULE) == []


WARNS = [
    # (case, old, new, line, column of the '#', the quoted fix the message shows)
    (
        "node text, number",
        "text: A customer says her parcel never arrived.",
        "text: Order #123 went missing",
        13,
        17,
        'text: "Order #123 went missing"',
    ),
    ("module title", "title: The parcel at", "title: Parcel #2 at", 2, 15, 'title: "Parcel #2 at the counter"'),
    (
        "node title",
        "title: A parcel is missing",
        "title: Parcel #7 is missing",
        12,
        19,
        'title: "Parcel #7 is missing"',
    ),
    (
        "feedback, single space before a spaced '#'",
        "feedback: She calms down a little.",
        "feedback: She calms down # a little.",
        19,
        34,
        'feedback: "She calms down # a little."',
    ),
    ("choice text", "text: Tell her to phone", "text: Tell her to phone #2", 22, 33, 'text: "Tell her to phone #2'),
    (
        "customer_link, hashtag",
        "customer_link: You are the first person she tells.",
        "customer_link: You are the #frontline here.",
        14,
        32,
        'customer_link: "You are the #frontline here."',
    ),
    ("summary", "summary: A parcel goes missing.", "summary: Parcel #9 goes missing.", 4, 17, "summary: "),
    (
        "meter label",
        "  customer: {label: Customer experience, start: 50}",
        "  customer:\n    label: Customer #1 experience\n    start: 50",
        9,
        21,
        'label: "Customer #1 experience"',
    ),
    (
        "check name",
        "name: listening passes",
        "name: listening passes test #1",
        33,
        33,
        'name: "listening passes test #1"',
    ),
    ("ending text", "text: She tells her friends.", "text: She tells #3 friends.", 28, 21, "text: "),
    (
        "'#' glued to a number after two spaces",
        "text: She shops elsewhere.",
        "text: She shops  #2 shops.",
        31,
        22,
        "text: ",
    ),
    (
        "a text with a '\"' is fixed in single quotes",
        "text: She shops elsewhere.",
        'text: She "shops" #2',
        31,
        23,
        "text: 'She \"shops\" #2'",
    ),
]


@pytest.mark.parametrize("old, new, line, column, fix", [c[1:] for c in WARNS], ids=[c[0] for c in WARNS])
def test_cut_text_is_warned_at_the_hash(old: str, new: str, line: int, column: int, fix: str) -> None:
    found = cuts(edit(old, new))
    assert len(found) == 1, found
    at_line, at_column, message = found[0]
    assert (at_line, at_column) == (line, column), message
    assert message.startswith("The text was cut at '#'"), message
    assert f"Put the whole text in quotes: {fix}" in message, message
    assert "\n" not in message


def test_a_text_over_two_lines_is_warned_where_the_hash_is() -> None:
    text = edit(
        "    text: A customer says her parcel never arrived.\n",
        "    text: A customer says\n      her parcel #4 never arrived.\n",
    )
    [(line, column, message)] = cuts(text)
    assert (line, column) == (14, 18)
    assert '"A customer says her parcel"' in message
    assert 'text: "A customer says her parcel #4 never arrived."' in message


def test_a_note_after_the_cut_text_stays_out_of_the_quotes() -> None:
    [(_, _, message)] = cuts(edit("text: She tells her friends.", "text: She tells #3 friends.  # TODO reword"))
    assert 'text: "She tells #3 friends." —' in message


def test_a_long_text_shows_the_fix_around_the_hash() -> None:
    long = "She calms down a little and explains that order number #123 never arrived at her flat."
    [(_, _, message)] = cuts(edit("feedback: She calms down a little.", f"feedback: {long}"))
    assert 'Put the whole text in quotes: feedback: "… that order number #123 never arrived at her …"' in message
    assert 'reads only "… and explains that order number"' in message


def test_byte_order_mark_does_not_shift_the_column() -> None:
    text = "\ufeff" + edit("text: She shops elsewhere.", "text: She shops #2 shops.")
    assert [(line, column) for line, column, _ in cuts(text.encode("utf-8"))] == [(31, 21)]


QUIET = [
    # (case, old, new)
    ("number with a note", "xp: 20", "xp: 20  # twice the usual"),
    ("number with a single space", "minutes: 2", "minutes: 2 # short"),
    ("number with a glued note", "minutes: 2", "minutes: 2 #2"),
    ("effects with a note", "{customer: 10}", "{customer: 10} # the good one"),
    ("boolean with a note", "{passed: true}", "{passed: true} # must pass"),
    ("boolean alone with a note", "    expect: {passed: true}", "    expect:\n      passed: true # must pass"),
    ("id with a note", "- id: listen", "- id: listen # the good one"),
    ("next with a note", "next: happy", "next: happy #1"),
    ("double-quoted text with '#'", "text: She tells her friends.", 'text: "She tells #3 friends."'),
    ("single-quoted text with '#'", "text: She tells her friends.", "text: 'She tells #3 friends.'"),
    ("quoted text then a note", "text: She tells her friends.", 'text: "She tells #3 friends." #4'),
    (
        "literal block with '#'",
        "    text: She tells her friends.",
        "    text: |\n      She tells #3 friends.\n      Order #123 # again",
    ),
    ("folded block with '#'", "    text: She tells her friends.", "    text: >\n      She tells #3 friends. # yes"),
    (
        "block with a note on its indicator",
        "    text: She tells her friends.",
        "    text: |  # a note\n      She tells.",
    ),
    ("comment on its own line", "    text: She tells her friends.", "    # text: Order #123\n    text: She tells."),
    ("comment line under a text", "    text: She tells her friends.", "    text: She tells.\n    # #3 friends"),
    ("'#' without a space before it", "text: She tells her friends.", "text: Order#123 went missing"),
    ("note written the usual way", "title: A parcel is missing", "title: A parcel is missing  # shown on top"),
    ("note after a tab", "title: A parcel is missing", "title: A parcel is missing\t# shown on top"),
    ("title in an ending mapping", "{title: A quiet loss}", "{title: A quiet loss} #2"),
    ("path items with a note", "path: [listen]", "path:\n      - listen #1"),
]


@pytest.mark.parametrize("old, new", [c[1:] for c in QUIET], ids=[c[0] for c in QUIET])
def test_no_warning_when_the_comment_cuts_nothing_meant(old: str, new: str) -> None:
    assert cuts(edit(old, new)) == []


def test_source_map_records_comments_after_plain_texts_only() -> None:
    _, source = load_yaml('a: Order #1\nb: 2 #x\nc: "d #2" #3\ne: |\n  f #4\ng: h  # note\n')
    assert {path: (c.line, c.column, c.kept, c.gap, c.text) for path, c in source.comments.items()} == {
        ("a",): (1, 10, "Order", " ", "#1"),
        ("g",): (6, 7, "h", "  ", "# note"),
    }
    assert cut_text_findings(source) == []  # 'a' and 'g' are not text keys


def test_text_keys_are_the_schema_text_fields() -> None:
    assert {"text", "feedback", "title", "customer_link"} <= TEXT_KEYS


# --- a '#' starting a line where the text went on ----------------------------------------


def test_a_continuation_line_that_starts_with_a_hash_is_warned_at_that_line() -> None:
    text = edit(
        "    text: A customer says her parcel never arrived.\n",
        "    text: A customer says her parcel\n      #4 never arrived.\n",
    )
    [(line, column, message)] = cuts(text)
    assert (line, column) == (14, 7), message
    assert 'so the text reads only "A customer says her parcel"' in message
    assert 'Put the whole text in quotes: text: "A customer says her parcel #4 never arrived."' in message
    assert "'text: |'" in message and "indent it like 'text:'" in message
    assert "\n" not in message


def test_a_hash_line_after_several_lines_of_text_is_warned() -> None:
    text = edit(
        "        feedback: She calms down a little.\n",
        "        feedback: She calms\n          down a\n\n          # little.\n",
    )
    [(line, column, message)] = cuts(text)
    assert (line, column) == (22, 11), message
    assert 'reads only "She calms down a"' in message  # YAML folds the lines it kept into one text


QUIET_LINES = [
    # (case, old, new): a '#' line that is not where the text goes on
    ("note at the key's indentation", "    text: She tells her friends.", "    text: She tells\n      her.\n    # #3"),
    ("under a quoted text", "    text: She tells her friends.", '    text: "She tells her"\n      # friends.'),
    ("inside a block", "    text: She tells her friends.", "    text: |\n      She tells\n      # her friends."),
    ("under an id", "      - id: shrug\n", "      - id: shrug\n          # the bad one\n"),
    ("under a flow mapping", "    ending: {title: A quiet loss}\n", "    ending: {title: A quiet loss}\n      # sad\n"),
]


@pytest.mark.parametrize("old, new", [c[1:] for c in QUIET_LINES], ids=[c[0] for c in QUIET_LINES])
def test_no_warning_for_a_hash_line_that_cuts_no_text(old: str, new: str) -> None:
    assert cuts(edit(old, new)) == []
