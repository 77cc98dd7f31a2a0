"""The ``cxscenario`` XBlock: a cxtrain module played inside an Open edX unit.

The engine runs in-process and Open edX keeps the state: the block's fields are
the only storage. This module declares the fields and the learner's view; the
play handlers live in ``play.py``, Studio's views and handler in ``studio.py``,
OLX import/export in ``olx.py``, the platform's scoring contract (rescore,
overrides) in ``grading.py``.
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Dict, Float, Integer, List, Scope, String

from . import rendering, scoring, stats
from .grading import GradingMixin
from .i18n import _noop  # Studio translates field names itself
from .olx import OlxMixin
from .play import PlayMixin
from .studio import StudioMixin


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants("studio_user_permissions")  # Studio only: who may edit the course
class ScenarioBlock(OlxMixin, PlayMixin, StudioMixin, GradingMixin, CompletableXBlockMixin, XBlock):
    """A branching customer-centricity scenario, graded 0..1 and reported to the gradebook."""

    has_score = True
    icon_class = "problem"

    # --- content and settings (course team) -------------------------------------------------
    display_name = String(
        display_name=_noop("Display name"),
        default="Customer-centricity scenario",
        scope=Scope.settings,
    )
    weight = Float(
        display_name=_noop("Problem weight"),
        help=_noop("Points this block is worth in the gradebook; the score (0..1) is scaled to it."),
        default=1.0,
        values={"min": 0, "step": 0.1},
        scope=Scope.settings,
    )
    max_attempts = Integer(
        display_name=_noop("Maximum attempts"),
        help=_noop("How many times a learner may play the scenario; 0 means unlimited."),
        default=0,
        values={"min": 0},
        scope=Scope.settings,
    )
    grading_policy = String(
        display_name=_noop("Grading policy"),
        help=_noop("Which finished attempt counts: the best one, or the last one."),
        default=scoring.BEST,
        values=[
            {"display_name": _noop("Best attempt"), "value": scoring.BEST},
            {"display_name": _noop("Last attempt"), "value": scoring.LAST},
        ],
        scope=Scope.settings,
    )
    module = String(
        display_name=_noop("Library module"),
        help=_noop("The id of a module in the installed cxtrain library (used when the block has no YAML of its own)."),
        default="",
        scope=Scope.content,
    )
    yaml = String(
        display_name=_noop("Module YAML"),
        help=_noop("A whole module in the cxtrain format, kept in the course."),
        default="",
        multiline_editor=True,
        scope=Scope.content,
    )

    # --- per learner --------------------------------------------------------------------------
    attempt = String(default="", scope=Scope.user_state, help="The current attempt: the engine's JSON state.")
    # Named like a problem's counter: the instructor dashboard's "Reset Learner's Attempts" sets the
    # learner's `attempts` key in the block's state to 0 and touches nothing else (see play.py).
    attempts = Integer(default=0, scope=Scope.user_state, help="Attempts started, for max_attempts.")
    scores = List(default=[], scope=Scope.user_state, help="Score (0..1) of each finished attempt, in order.")
    graded_attempts = Integer(
        default=0, scope=Scope.user_state, help="Finished attempts whose grade was published (never twice)."
    )
    # The grade as the gradebook last received it (see grading.py); None until the first one.
    raw_earned = Float(default=None, scope=Scope.user_state, help="Raw score last published or set by staff.")
    raw_possible = Float(default=1.0, scope=Scope.user_state, help="Raw maximum that goes with raw_earned.")
    xp_awarded = Integer(default=0, scope=Scope.user_state, help="XP this block has added to the learner's total.")

    # --- per learner, across every cxscenario block ------------------------------------------
    xp_total = Integer(default=0, scope=Scope.preferences, help="The learner's XP from all cxtrain blocks.")
    # The XP each block has paid, by usage id. `xp_awarded` alone would do, but "Delete Learner's
    # State" clears user_state and keeps preferences, and the block would then pay its XP again.
    xp_by_block = Dict(
        default={}, scope=Scope.preferences, help="XP each cxtrain block has added to xp_total, by usage id."
    )

    # --- per block, across learners -------------------------------------------------------------
    stats = Dict(default={}, scope=Scope.user_state_summary, help="Choice and ending counts for instructors.")

    # --- i18n ---------------------------------------------------------------------------------
    def _(self, text: str) -> str:
        """Translate through the runtime's i18n service (Django's translations in the LMS)."""
        return self.runtime.service(self, "i18n").gettext(text)

    def page_language(self) -> str | None:
        """The language the page is rendered in: the LMS's i18n service forwards Django's
        translation functions, get_language included; None where the runtime does not say."""
        get_language = getattr(self.runtime.service(self, "i18n"), "get_language", None)
        if get_language is None:
            try:
                from django.utils.translation import get_language
            except ImportError:
                return None
        try:
            language = get_language()
        except Exception:  # Django not configured (a bare runtime): the language is unknown
            return None
        return str(language) if language else None

    # --- views --------------------------------------------------------------------------------
    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The play experience; the attempt starts here if it has not already."""
        module = self.current_module()
        if module is None:
            html = rendering.render("unavailable.html", self._, block=self)
            return self._fragment(html, {})
        before = (self.attempt, self.attempts)
        state, notice = self.ensure_attempt(module)
        # Learners from before `xp_by_block` get their entry on their first visit, not only on
        # their next finish: a state delete in between would otherwise let the block pay again.
        ledger_written = self.record_xp_paid()
        if ledger_written or (self.attempt, self.attempts) != before:
            # Views are not handlers: the runtime only writes fields back if we ask it to.
            self.save()
        context = self.view_context(module, state, notice=notice)
        # Course staff see the block's choice statistics in the LMS too: Studio's author view
        # reads Studio's own store, which holds no learners' choices.
        context["stats_rows"] = stats.table(self.stats, module) if self._user_is_staff() else None
        context["stats"] = stats.current(self.stats, module.version)
        html = rendering.render("student.html", self._, **context)
        return self._fragment(html, self._script_args())

    def _user_is_staff(self) -> bool:
        service = self.runtime.service(self, "user")
        if service is None:
            return False
        user = service.get_current_user()
        return bool(getattr(user, "opt_attrs", {}).get("edx-platform.user_is_staff"))

    def _script_args(self) -> dict[str, Any]:
        """What the play script needs: handler names and its own strings, already translated."""
        return {
            "messages": {
                "working": self._("Sending your choice…"),
                "error": self._("Your choice could not be sent. Check your connection and try again."),
                "stale": self._("That step was already taken (another tab or a double click); here is where you are."),
                "restarted": self._("A new attempt has started."),
            }
        }

    def _fragment(self, html: str, args: dict[str, Any]) -> Fragment:
        frag = Fragment(html)
        shared_css = rendering.shared_css()
        if shared_css:
            frag.add_css(shared_css)
        frag.add_css(rendering.own_asset("cxscenario.css"))
        frag.add_javascript(rendering.own_asset("cxscenario.js"))
        frag.initialize_js("CxScenarioBlock", args)
        return frag

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """Small examples for the xblock-sdk workbench (also used by the browser test)."""
        from .examples import workbench_scenarios

        return workbench_scenarios()
