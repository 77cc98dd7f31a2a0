"""Every message given to gettext is a literal that Babel can extract.

``gettext(f"Saved {email}.")`` or ``_("Saved %s." % email)`` runs, but Babel extracts nothing
from it (or a string no lookup will ever ask for): the page silently stays English. Values go in
as keywords instead, ``gettext("Saved %(email)s.", email=email)``. This scans the Python sources
of cxtrain/web and the templates (both extracted by babel.cfg) for a message built at run time:
an f-string, ``%`` or ``+`` on strings, or ``.format()``. A plain variable is allowed: that is
how a message marked ``N_`` elsewhere is translated where it is shown.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import jinja2
from jinja2 import nodes

ROOT = Path(__file__).parents[1]
PYTHON = [ROOT / "cxtrain" / "web", ROOT / "cxtrain" / "gamify" / "levels.py"]
TEMPLATES = ROOT / "templates"
# The marking functions of babel.cfg and tests/test_catalogue.py, with the positions of their messages.
MESSAGE_ARGS = {"_": (0,), "gettext": (0,), "N_": (0,), "_l": (0,), "lazy_gettext": (0,), "ngettext": (0, 1)}


def _built_at_run_time(arg: ast.expr) -> str | None:
    """What makes ``arg`` a message Babel cannot extract, or None."""
    if isinstance(arg, ast.JoinedStr):
        return "an f-string"
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod):
        return "%-formatting"
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        return "a concatenation"
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format":
        return ".format()"
    return None


def python_offences(source: str, name: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source, name)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        for index in MESSAGE_ARGS.get(called, ()):
            if index < len(node.args):
                why = _built_at_run_time(node.args[index])
                if why:
                    yield f"{name}:{node.lineno}: {called}() of {why}"


def _jinja_built(arg: nodes.Expr) -> str | None:
    if isinstance(arg, nodes.Mod):
        return "%-formatting"
    if isinstance(arg, (nodes.Add, nodes.Concat)):
        return "a concatenation"
    if isinstance(arg, nodes.Filter) and arg.name == "format":
        return "the format filter"
    if isinstance(arg, nodes.Call) and isinstance(arg.node, nodes.Getattr) and arg.node.attr == "format":
        return ".format()"
    return None


def template_offences(source: str, name: str) -> Iterator[str]:
    environment = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    for call in environment.parse(source).find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name):
            continue
        for index in MESSAGE_ARGS.get(call.node.name, ()):
            if index < len(call.args):
                why = _jinja_built(call.args[index])
                if why:
                    yield f"{name}:{call.lineno}: {call.node.name}() of {why}"


def test_the_scan_finds_each_kind_of_message_built_at_run_time():
    bad = """
gettext(f"Saved {email}.")
_("Saved %s." % email)
ngettext("one", "%d things" % n, n)
lazy_gettext("Hello " + name)
flask_babel.gettext("{} saved".format(email))
"""
    good = """
gettext("Saved %(email)s.", email=email)
gettext(MESSAGES[code], **values)
ngettext("%(num)s badge", "%(num)s badges", n)
N_("A long message "
   "in two parts.")
"""
    assert [line.split(": ", 1)[1] for line in python_offences(bad, "bad.py")] == [
        "gettext() of an f-string",
        "_() of %-formatting",
        "ngettext() of %-formatting",
        "lazy_gettext() of a concatenation",
        "gettext() of .format()",
    ]
    assert list(python_offences(good, "good.py")) == []
    template = '{{ _("Hi %s" % name) }} {{ _("Hi " ~ name) }} {{ _("Hi %s"|format(name)) }} {{ _("Hi %(n)s", n=name) }}'
    assert [line.split(": ", 1)[1] for line in template_offences(template, "t.html")] == [
        "_() of %-formatting",
        "_() of a concatenation",
        "_() of the format filter",
    ]


def test_no_message_is_built_at_run_time_in_the_extracted_sources():
    files = [p for root in PYTHON for p in ([root] if root.is_file() else sorted(root.rglob("*.py")))]
    assert len(files) > 30, "the scan found too few files: did cxtrain/web move?"
    offences = [o for path in files for o in python_offences(path.read_text("utf-8"), str(path.relative_to(ROOT)))]
    templates = sorted([*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")])
    assert len(templates) > 20
    offences += [
        o for path in templates for o in template_offences(path.read_text("utf-8"), str(path.relative_to(ROOT)))
    ]
    assert offences == [], "pass the values as keywords: gettext('Saved %(email)s.', email=email)"
