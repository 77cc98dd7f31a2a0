"""Lint: everything a trainer should hear about a module before learners play it.

Loading already refuses broken YAML, unknown keys and dangling names. Lint adds
what needs the whole graph: unreachable nodes, states that can never end,
states where every choice is hidden, failing play-tests, score farming, modules
that always score the same, plus the library-wide checks (roles, unique ids,
tracks).

This module gathers the parts, each in a module of its own:

- :mod:`.module_lint`: one module (``lint_module``, ``lint_text``);
- :mod:`.graph_checks`: the checks on its graph and explored states;
- :mod:`.playtests`: its own play-tests (``run_checks``);
- :mod:`.text_cuts`: texts cut short by a '#';
- :mod:`.lint_library`: files and folders as a library (``lint_paths``);
- :mod:`.reports`: what they return (``ModuleReport``, ``LintResult``).
"""

from __future__ import annotations

from .lint_library import lint_paths
from .module_lint import LINE_OF_SIGHT_SHARE, lint_module, lint_text
from .playtests import run_checks
from .reports import LintResult, ModuleReport

__all__ = ["LINE_OF_SIGHT_SHARE", "LintResult", "ModuleReport", "lint_module", "lint_paths", "lint_text", "run_checks"]
