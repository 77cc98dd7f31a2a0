"""The trainer with a typo: every slip gets one finding at the right line, saying what to do.

Each case edits one line of a valid module the way a trainer would get it wrong, and
checks the code, the line (and column where it matters) and a fragment of the advice.
"""

from __future__ import annotations

import pytest

from cxtrain.scenario import ScenarioError, load_module
from cxtrain.scenario.source_map import source_lines
from cxtrain.scenario.yaml_loader import MAX_DEPTH, load_yaml

MODULE = """\
id: typo
title: The parcel at the counter
role: clerical-intern
minutes: 2
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
"""


def edit(old: str, new: str) -> str:
    assert MODULE.count(old) == 1, old
    return MODULE.replace(old, new)


def only_finding(text: str | bytes):  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError) as info:
        load_module(text, "typo.yaml")
    findings = info.value.findings
    assert len(findings) == 1, [f.format() for f in findings]
    finding = findings[0]
    assert "\n" not in finding.message and "<unicode string>" not in finding.message
    return finding


def test_the_base_module_is_valid() -> None:
    assert load_module(MODULE, "typo.yaml").id == "typo"


SYNTAX_SLIPS = [
    # (case, old line, new line, line, column, fragment of the advice)
    ("tab indent", "    text: She tells", "\ttext: She tells", 24, 1, "indented with a tab"),
    ("missing colon", "    title: A parcel", "    title A parcel", 8, 5, "Write it as 'title: A parcel is missing'"),
    ("missing colon, key-like line", "    customer_link: You", "    customer_link You", 10, 5, "no ':' after its key"),
    ("no space after colon", "    title: A parcel", "    title:A parcel", 8, 5, "write 'title: A parcel is missing'"),
    ("text under its key unindented", "    text: She tells", "    text:\n    She tells", 25, 5, "not indented"),
    ("a sentence with no key", "    text: She tells", "    She tells", 24, 5, "If it is a text, put it after its key"),
    ("unclosed double quote", "feedback: She calms", 'feedback: "She calms', 15, 19, 'Add a closing "'),
    ("unclosed single quote", "feedback: She calms", "feedback: 'She calms", 15, 19, "'It''s'"),
    ("unclosed brace", "effects: {customer: 10}", "effects: {customer: 10", 14, 18, "Add '}'"),
    ("unclosed bracket", "ending: {title: A quiet loss}", "ending: [A quiet loss", 26, 13, "Add ']'"),
    ("list item too far left", "      - id: shrug", "    - id: shrug", 17, 5, "Indent it like the other items"),
    ("list item too far right", "      - id: shrug", "        - id: shrug", 17, 9, "Indent it like the other items"),
    ("item key a space short", "        feedback: She leaves", "       feedback: She leaves", 20, 8, "indented 8"),
    ("key too far right", "    text: She tells", "     text: She tells", 24, 6, "indented 5 spaces"),
    ("key too far right after a text", "    text: A customer", "     text: A customer", 9, 6, "more than line 8"),
    ("key too far left", "    text: She tells", "   text: She tells", 24, 4, "indented 3 spaces"),
    ("no space after dash", "      - id: shrug", "      -id: shrug", 17, 7, "space after '-'"),
    ("colon in a text", "She leaves angry.", "Result: she leaves.", 20, 25, 'feedback: "Result: she leaves."'),
    ("markdown emphasis", "She leaves angry.", "*Very* angry.", 20, 19, 'feedback: "*Very* angry."'),
    ("markdown bold", "She leaves angry.", "**Very** angry.", 20, 19, "cannot start with '*'"),
    ("undefined alias", "She leaves angry.", "*angry", 20, 19, "'&angry' that is not defined"),
    ("ampersand", "She leaves angry.", "& then she leaves", 20, 19, "cannot start with '&'"),
    ("at sign", "She leaves angry.", "@desk she leaves", 20, 19, 'feedback: "@desk she leaves"'),
    ("backtick", "She leaves angry.", "`code` she leaves", 20, 19, "cannot start with '`'"),
    ("percent", "She leaves angry.", "%50 angry", 20, 19, "cannot start with '%'"),
    ("bracket text", "She leaves angry.", "[Draft] she leaves.", 20, 27, 'feedback: "[Draft] she leaves."'),
    ("brace text", "She leaves angry.", "{name} leaves.", 20, 26, "starts with {"),
    ("quoted start", "She leaves angry.", "'Fine' she says.", 20, 26, "feedback: \"'Fine' she says.\""),
    ("double-quoted start", "She leaves angry.", '"Fine" she says.', 20, 26, "feedback: '\"Fine\" she says.'"),
    ("dash text", "She leaves angry.", "- she leaves.", 20, 19, "cannot start with '- '"),
    ("question text", "She leaves angry.", "? she asks", 20, 19, "cannot start with '? '"),
    ("block indicator with text", "She leaves angry.", "> she leaves", 20, 19, "Move the text to the next line"),
    ("backslash in double quotes", "She leaves angry.", '"See C:\\files\\x"', 20, 34, "'\\\\' for a backslash"),
    ("colon inside braces", "{title: A quiet loss}", "{title: Result: a loss}", 26, 27, "must be in quotes"),
    (
        "duplicate anchor",
        "{customer: -20}\n        feedback: She",
        "&c {customer: -20}\n        feedback: &c She",
        20,
        19,
        "line 19",
    ),
    ("second document", "  sad:\n", "---\n  sad:\n", 25, 1, "one module"),
    ("control character", "She leaves angry.", "She leaves\x0c angry.", 20, 29, "U+000C"),
]


@pytest.mark.parametrize(
    "old, new, line, column, fragment", [c[1:] for c in SYNTAX_SLIPS], ids=[c[0] for c in SYNTAX_SLIPS]
)
def test_syntax_slip_is_named_at_its_line(old: str, new: str, line: int, column: int, fragment: str) -> None:
    finding = only_finding(edit(old, new))
    assert finding.code == "yaml-syntax"
    assert (finding.line, finding.column) == (line, column), finding.format()
    assert fragment in finding.message, finding.message
    assert not finding.message.startswith("YAML syntax error"), "fell back to PyYAML's own words"


def test_latin1_file_is_pointed_at_its_first_foreign_character() -> None:
    text = edit("She leaves angry.", "She leaves the café.").encode("latin-1")
    finding = only_finding(text)
    assert finding.code == "yaml-encoding"
    assert (finding.line, finding.column) == (20, 37)
    assert "0xE9" in finding.message and "Save the file as UTF-8" in finding.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_file_is_named(encoding: str) -> None:
    finding = only_finding(MODULE.encode(encoding))
    assert finding.code == "yaml-encoding" and "UTF-16" in finding.message


def test_utf8_bom_is_accepted() -> None:
    assert load_module(b"\xef\xbb\xbf" + MODULE.encode(), "typo.yaml").id == "typo"


@pytest.mark.parametrize(
    "text, fragment", [("", "is empty"), ("\n  \n", "is empty"), ("# to do\n", "holds only comments")]
)
def test_empty_file_says_how_to_start(text: str, fragment: str) -> None:
    finding = only_finding(text)
    assert finding.code == "empty-file" and fragment in finding.message and "'id: ...'" in finding.message


@pytest.mark.parametrize(
    "text, found", [("- id: x\n- title: y\n", "a list"), ("hello\n", "a single text"), ("---\n", "nothing")]
)
def test_not_a_mapping_speaks_plainly(text: str, found: str) -> None:
    finding = only_finding(text)
    assert finding.code == "not-a-mapping"
    assert f"found {found}." in finding.message and "NoneType" not in finding.message


# --- runaway input: refused with a finding, never a crash ---------------------------------


def test_deep_brackets_are_refused_not_a_crash() -> None:
    # 100,000 levels overflow the C stack of PyYAML's composer (a segfault) unless refused early.
    depth = 100_000
    with pytest.raises(ScenarioError) as info:
        load_yaml("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    [finding] = info.value.findings
    assert finding.code == "yaml-depth" and finding.line == 1
    assert f"more than {MAX_DEPTH} levels" in finding.message


def test_deep_block_nesting_is_refused() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x: 1\n"
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "deep.yaml")
    [finding] = info.value.findings
    assert finding.code == "yaml-depth" and finding.line == MAX_DEPTH


def test_aliases_cannot_stack_past_the_depth_limit() -> None:
    # Each anchor is shallow; the aliases nest them 10 levels at a time.
    nest = "[" * 10 + "{}" + "]" * 10
    text = "a0: &a0 [1]\n" + "".join(f"a{i}: &a{i} {nest.replace('{}', f'*a{i - 1}')}\n" for i in range(1, 12))
    with pytest.raises(ScenarioError) as info:
        load_yaml(text, "deep.yaml")
    assert [f.code for f in info.value.findings] == ["yaml-depth"]


def test_a_module_is_well_within_the_depth_limit() -> None:
    load_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")


@pytest.mark.parametrize("digits", ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000])
def test_a_runaway_number_is_a_finding(digits: str) -> None:
    # Python refuses int() of more than 4,300 digits with a ValueError.
    finding = only_finding(edit("minutes: 2", f"minutes: {digits}"))
    assert finding.code == "out-of-range" and finding.line == 4 and "typo" in finding.message


@pytest.mark.parametrize(
    ("slip", "later", "quote"),
    [
        # A quote left open, and another quote mark lines below: PyYAML fails there, not here.
        (
            ("title: A parcel is missing", 'title: "A parcel is missing'),
            ("She leaves angry.", '"She leaves angry."'),
            '"',
        ),
        (
            ("title: A customer who comes back}", "title: 'A customer who comes back}"),
            ("A quiet loss}", "'A quiet loss'}"),
            "'",
        ),
        (("She calms down a little.", '"It\'s \\"fine\\"'), ("She leaves angry.", '"She leaves angry."'), '"'),
    ],
)
def test_a_quote_left_open_is_reported_where_it_opens(
    slip: tuple[str, str], later: tuple[str, str], quote: str
) -> None:
    text = edit(*slip).replace(*later)
    finding = only_finding(text)
    row = next(n for n, line in enumerate(text.splitlines(), start=1) if slip[1] in line)
    assert (finding.code, finding.line) == ("yaml-syntax", row), finding.format()
    assert finding.column == text.splitlines()[row - 1].index(quote) + 1
    assert f"Add a closing {quote}" in finding.message


def test_a_quotation_running_over_lines_of_a_block_text_is_not_blamed() -> None:
    prose = 'text: |\n      She says: "Where is my parcel? It was\n      due yesterday."\n    customer_link: You'
    text = edit("text: A customer says her parcel never arrived.\n    customer_link: You", prose)
    finding = only_finding(text.replace("She leaves angry.", "Result: she leaves."))
    assert finding.line == 22 and "must be in quotes" in finding.message, finding.format()


def test_quotes_closed_on_their_lines_are_not_blamed() -> None:
    # A colon-and-space inside a text (the real slip, on line 20) with quoted texts above it.
    text = edit("feedback: She calms down a little.", "feedback: 'She said: \"it''s fine\"'").replace(
        "She leaves angry.", "Result: she leaves."
    )
    finding = only_finding(text)
    assert finding.line == 20 and "must be in quotes" in finding.message


@pytest.mark.parametrize("blank", ["''", "'   '", '"\\t "'])
def test_a_text_of_spaces_only_is_as_empty_as_no_text(blank: str) -> None:
    finding = only_finding(edit("text: Tell her to phone the call centre", f"text: {blank}"))
    assert finding.line == 18 and "Must not be empty or only spaces" in finding.message, finding.format()


# --- tags a trainer types by accident -----------------------------------------------------


def test_exclamation_mark_in_a_condition_suggests_not() -> None:
    text = edit("      - id: shrug\n", "      - id: shrug\n        when: !called\n")
    finding = only_finding(text)
    assert finding.code == "yaml-tag" and finding.line == 18
    assert "when: not called" in finding.message


def test_exclamation_mark_starting_a_text_suggests_quotes() -> None:
    finding = only_finding(edit("feedback: She leaves angry.", "feedback: !Important she leaves."))
    assert finding.code == "yaml-tag" and '"!Important she leaves."' in finding.message


def test_an_exclamation_mark_and_a_space_in_a_condition_suggests_not() -> None:
    # YAML reads "! called" as its non-specific tag and drops it: the condition would silently
    # mean "called", the opposite of what the trainer wrote.
    text = edit("      - id: shrug\n", "      - id: shrug\n        when: ! called\n")
    finding = only_finding(text)
    assert (finding.code, finding.line, finding.column) == ("yaml-tag", 18, 15)
    assert "The tag '!' is not allowed" in finding.message and "when: not called" in finding.message


def test_an_exclamation_mark_and_a_space_starting_a_text_suggests_quotes() -> None:
    finding = only_finding(edit("feedback: She leaves angry.", "feedback: ! She leaves angry."))
    assert finding.code == "yaml-tag" and '"! She leaves angry."' in finding.message


def test_an_exclamation_mark_inside_a_text_or_a_standard_tag_is_fine() -> None:
    inside = load_module(edit("feedback: She leaves angry.", "feedback: She leaves! Angry."), "typo.yaml")
    standard = load_module(edit("feedback: She leaves angry.", 'feedback: !!str "She leaves angry."'), "typo.yaml")
    assert inside.id == standard.id == "typo"


# --- schema slips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, line, fragment",
    [
        ("        next: sad", "        next:", 21, "'next' in a choice (nodes > counter > choices > #2) has no value"),
        ("    ending: {title: A quiet loss}", "    ending:", 26, "Write one after 'ending:'"),
        ("    choices:\n", "    choices:\n      -\n", 12, "Item #1 of the list (nodes > counter > choices) is empty"),
    ],
)
def test_an_empty_value_says_so(old: str, new: str, line: int, fragment: str) -> None:
    finding = only_finding(edit(old, new))
    assert finding.code == "invalid-value" and finding.line == line
    assert fragment in finding.message and "null" not in finding.message


def test_a_mapping_where_a_text_belongs() -> None:
    finding = only_finding(edit("text: Listen and write down the details", "text: {details}"))
    assert finding.code == "invalid-value" and "YAML read a mapping here" in finding.message


def test_next_with_no_close_match_lists_the_nodes() -> None:
    finding = only_finding(edit("        next: sad", "        next: elsewhere"))
    assert finding.code == "unknown-node" and "Nodes: counter, happy, sad." in finding.message


def test_condition_error_column_counts_from_inside_quotes() -> None:
    line = '        when: "customer >> 10"\n'
    finding = only_finding(edit("      - id: shrug\n", "      - id: shrug\n" + line))
    assert finding.code == "condition-syntax"
    assert line[finding.column - 1 :].startswith("> 10"), finding.column


def test_source_lines_count_like_yaml() -> None:
    assert source_lines("a\r\nb\rc\nd\n") == ["a", "b", "c", "d"]
    # A form feed is not a line break to YAML, though str.splitlines() splits on it.
    assert source_lines("a\x0cb\n") == ["a\x0cb"]


def test_a_value_that_starts_with_a_hash_is_explained_not_just_missing() -> None:
    # YAML reads "#1 priority..." as a comment, so the key looks empty; the trainer typed a text.
    finding = only_finding(edit("    text: A customer says", "    text: #1 priority: a customer says"))
    assert finding.code == "invalid-value" and finding.line == 9
    assert "reads everything after '#' as a comment" in finding.message
    assert 'put it in quotes: text: "#1 priority: a customer says her parcel never arrived."' in finding.message
    # A key that is empty for another reason gets no word about comments.
    plain = only_finding(edit("        next: sad", "        next:"))
    assert "comment" not in plain.message


@pytest.mark.parametrize(
    "old, new, line, meant, what",
    [
        ("        next: happy", "        nxt: happy", 16, "next", "A choice"),
        ("        text: Listen", "        txt: Listen", 13, "text", "A choice"),
        ("      - id: listen", "      - di: listen", 12, "id", "A choice"),
        ("start: counter", "strat: counter", 5, "start", "The module"),
        ("nodes:", "nodse:", 6, "nodes", "The module"),
        ("{title: A quiet loss}", "{ttle: A quiet loss}", 26, "title", "An ending"),
    ],
)
def test_a_misspelt_required_key_is_one_finding(old: str, new: str, line: int, meant: str, what: str) -> None:
    # Was two findings: the unknown key, and the required key it was meant to be as missing.
    finding = only_finding(edit(old, new))
    wrong = new.split(":")[0].strip(" -{")
    assert finding.code == "unknown-key" and finding.line == line, finding.format()
    assert f"Unknown key '{wrong}'" in finding.message and f"Did you mean '{meant}'?" in finding.message
    assert f"{what} must have '{meant}': rename '{wrong}' to '{meant}'." in finding.message


def test_a_misspelt_optional_key_still_lists_the_allowed_keys() -> None:
    finding = only_finding(edit("        feedback: She calms", "        fedback: She calms"))
    assert finding.code == "unknown-key" and "Did you mean 'feedback'? Allowed keys:" in finding.message


@pytest.mark.parametrize(
    "old, new, column, fix",
    [
        ("{title: A quiet loss}", "{title: A #1 loss}", 23, '{title: "A #1 loss"}'),
        ("{customer: -20}", "{customer: -20, #2}", 34, '{customer: -20, "#2"}'),
        ("{title: A quiet loss}", "[A quiet #1]", 22, '["A quiet #1"]'),
    ],
    ids=["mapping", "after a comma", "sequence"],
)
def test_a_hash_inside_brackets_is_named_at_the_hash(old: str, new: str, column: int, fix: str) -> None:
    # Was: "The '{' that opens here is never closed", pointing at the '{', when the '#' hid the '}'.
    finding = only_finding(edit(old, new))
    closer = new[-1]
    assert finding.code == "yaml-syntax" and finding.column == column, finding.format()
    assert edit(old, new).splitlines()[finding.line - 1][column - 1] == "#"
    assert f"A '#' after a space starts a comment, even inside {new[0]}...{closer}" in finding.message
    assert f"the closing '{closer}' too. Put the text in quotes: {fix}" in finding.message


def test_a_note_after_a_quoted_text_inside_braces_is_moved_out() -> None:
    finding = only_finding(edit("{title: A quiet loss}", "{title: 'A quiet loss' #1}"))
    assert finding.message.endswith("Move the note after the closing '}'."), finding.message


def test_a_forgotten_dash_before_a_list_item_is_one_finding_that_says_so() -> None:
    finding = only_finding(edit("      - id: shrug", "        id: shrug"))
    assert (finding.code, finding.line, finding.column) == ("duplicate-key", 17, 9)
    assert "put '- ' before 'id', as on line 12" in finding.message


def test_a_key_written_twice_in_a_mapping_is_still_named_as_such() -> None:
    twice = "        feedback: She leaves angry.\n        next: sad"
    finding = only_finding(edit("        feedback: She leaves angry.", twice))
    assert finding.code == "duplicate-key" and "appears twice in this mapping (first on line" in finding.message
