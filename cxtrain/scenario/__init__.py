"""The scenario core: module format, loading, lint, engine and grading.

Pure Python: nothing here knows about Flask, SQLAlchemy or XBlock.
"""

from .engine import (
    AttemptFinished,
    AttemptState,
    ChoiceUnavailable,
    Outcome,
    PlayError,
    Result,
    StaleNode,
    Step,
    choose,
    replay,
    result,
    start,
    visible_choices,
)
from .findings import Finding, ScenarioError
from .grading import Grade, grade
from .library import Library, Role, Track, bundled_path, load_library
from .lint import LintResult, ModuleReport, lint_module, lint_paths, lint_text
from .loading import content_version, load_module
from .model import Check, Choice, Ending, Meter, Module, Node, Ripple

__all__ = [
    "AttemptFinished",
    "AttemptState",
    "Check",
    "Choice",
    "ChoiceUnavailable",
    "Ending",
    "Finding",
    "Grade",
    "Library",
    "LintResult",
    "Meter",
    "Module",
    "ModuleReport",
    "Node",
    "Outcome",
    "PlayError",
    "Result",
    "Ripple",
    "Role",
    "ScenarioError",
    "StaleNode",
    "Step",
    "Track",
    "bundled_path",
    "choose",
    "content_version",
    "grade",
    "lint_module",
    "lint_paths",
    "lint_text",
    "load_library",
    "load_module",
    "replay",
    "result",
    "start",
    "visible_choices",
]
