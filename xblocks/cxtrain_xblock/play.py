"""Playing inside the course: the attempt's life cycle and the ``choose`` and ``restart`` handlers.

Each handler translates a request into one engine call and the result into the
same answer as the service's ``POST /api/attempts/<id>/choices`` (``attempt_payload``),
plus what only the course knows (attempts left, XP) and the re-rendered view.
The browser never sends a score: the engine computes it from the stored path.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from webob import Response
from xblock.core import XBlock
from xblock.exceptions import JsonHandlerError

from cxtrain.playview import attempt_payload, lang_attributes, missed_choices
from cxtrain.scenario import (
    AttemptFinished,
    AttemptState,
    ChoiceUnavailable,
    Module,
    Outcome,
    PlayError,
    StaleNode,
    choose,
    replay,
    result,
    start,
)

from . import content, gamify, rendering, scoring, stats

CHOICE_EVENT = "cxtrain.scenario.choice"
FINISH_EVENT = "cxtrain.scenario.finished"


class PlayError4xx(JsonHandlerError):
    """A refused request, answered as ``{"error": CODE, "message", ...extra}`` like the service's API."""

    def __init__(self, status_code: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.extra = extra

    def get_response(self, **kwargs: Any) -> Response:
        body = {"error": self.code, "message": self.message, **self.extra}
        return Response(
            json.dumps(body), status_code=self.status_code, content_type="application/json", charset="utf-8", **kwargs
        )


class PlayMixin:
    """Attempt handling for ScenarioBlock (fields are declared on the block)."""

    # Declared on ScenarioBlock; listed here for readers and type checkers.
    attempt: str
    attempts: int
    scores: list[float]
    graded_attempts: int
    xp_awarded: int
    xp_total: int
    xp_by_block: dict[str, int]
    stats: dict[str, Any]
    max_attempts: int
    grading_policy: str
    module: str
    yaml: str
    display_name: str
    runtime: Any
    scope_ids: Any

    def _(self, text: str) -> str:  # pragma: no cover - overridden by the block
        return text

    # --- state ------------------------------------------------------------------------------
    def current_module(self) -> Module | None:
        return content.resolve(self.module, self.yaml)

    def stored_attempt(self, module: Module) -> tuple[AttemptState | None, str | None]:
        """The learner's current attempt, carried over to the module's current version if it changed.

        An attempt is pinned to a content hash. If the course team edited the module
        since, the learner's choices are replayed on the new version; if they no
        longer fit, the attempt is dropped (with a notice) rather than broken.
        """
        if not self.attempt:
            return None, None
        try:
            state = AttemptState.from_json(self.attempt)
        except (ValueError, KeyError, TypeError):
            return None, self._("Your previous attempt could not be read, so a new one has started.")
        if state.module == module.id and state.version == module.version:
            return state, None
        try:
            moved = replay(module, state.path) if state.module == module.id else None
        except (PlayError, KeyError):
            moved = None
        if moved is None or moved.finished != state.finished:
            return None, self._("This scenario was updated since your last visit, so your attempt starts again.")
        return moved, None

    def ensure_attempt(self, module: Module) -> tuple[AttemptState | None, str | None]:
        """The current attempt, starting one if there is none and attempts remain."""
        state, notice = self.stored_attempt(module)
        if state is not None:
            if state.version != module.version:
                self.attempt = state.to_json()
            if not state.finished and self.attempts == 0:
                # Staff reset the attempts (the LMS sets `attempts` to 0) while this one was in
                # progress: it goes on, and counts as the first attempt after the reset.
                self.attempts = 1
            return state, notice
        # An unfinished attempt that cannot be read or carried over is replaced for free;
        # after a finished one, a new attempt counts like any other. So does the replacement
        # of an unfinished one after a reset (`attempts` 0): it is the first after the reset.
        replacing = bool(self.attempt) and self.attempts > 0 and not _finished(self.attempt)
        if not replacing and not scoring.may_start(self.max_attempts, self.attempts):
            return None, None  # nothing starts again, so no notice saying it does
        state = start(module)
        self.attempt = state.to_json()
        if not replacing:
            self.attempts += 1
            self.stats = stats.count_start(self.stats, module.version)
        return state, notice

    # --- XP ----------------------------------------------------------------------------------
    def _xp_key(self) -> str:
        # A course re-run or a block duplicated in Studio has a new usage id, so it is a new
        # block and pays its XP again; a state delete keeps the id, so it does not.
        return str(self.scope_ids.usage_id)

    def xp_paid(self) -> int:
        """XP this block has already added to the learner's total.

        The larger of the two records: `xp_awarded` is the only one a learner from before
        `xp_by_block` has, and the only one "Delete Learner's State" clears.
        """
        return max(self.xp_awarded, int(self.xp_by_block.get(self._xp_key(), 0)))

    def record_xp_paid(self, paid: int | None = None) -> bool:
        """Bring both records up to ``paid`` (default: what was paid so far); True if a field changed.

        Nothing is written when both already agree, so a view costs no preferences write.
        """
        paid = self.xp_paid() if paid is None else paid
        key = self._xp_key()
        changed = False
        if self.xp_awarded != paid:
            self.xp_awarded = paid
            changed = True
        # No entry for a block that paid nothing: the dict goes with every cxscenario block
        # the learner loads, so it holds only blocks that count.
        if paid > 0 and self.xp_by_block.get(key) != paid:
            self.xp_by_block = {**self.xp_by_block, key: paid}
            changed = True
        return changed

    # --- what the learner sees --------------------------------------------------------------
    def id_prefix(self) -> str:
        """Element ids unique to this block: an LMS unit may show several scenarios on one page."""
        usage = str(getattr(self.scope_ids, "usage_id", "") or "")
        return "cx-" + hashlib.sha1(usage.encode(), usedforsecurity=False).hexdigest()[:8]

    def last_outcome(self, module: Module, state: AttemptState) -> Outcome | None:
        """The last choice's outcome, so that a reload still shows its feedback."""
        if not state.path:
            return None
        before = replay(module, state.path[:-1])
        last = state.path[-1]
        return choose(module, before, last.node, last.choice)

    def view_context(
        self, module: Module, state: AttemptState | None, outcome: Outcome | None = None, notice: str | None = None
    ) -> dict[str, Any]:
        """Everything student.html renders: the shared ``view`` plus the course-only header."""
        view: dict[str, Any] | None = None
        lang_attrs = lang_attributes(module.language, self.page_language())  # type: ignore[attr-defined]
        if state is not None:
            if outcome is None:
                outcome = self.last_outcome(module, state)
            view = attempt_payload(module, state, outcome)
            view["title"] = module.title
            view["csrf_header"] = "X-CSRFToken"
            view["id_prefix"] = self.id_prefix()
            view["heading_level"] = 3  # under student_body.html's h2 display name
            view["lang_attrs"] = lang_attrs
            view["notice"] = notice
            view["steps"] = _steps(module, state)
            if state.finished:
                view["missed"] = missed_choices(module, state)
        left = scoring.attempts_left(self.max_attempts, self.attempts)
        level = gamify.level(self.xp_total)
        # What the gradebook holds, which a rescore or a staff override may have changed.
        graded = self.graded_fraction()  # type: ignore[attr-defined]
        return {
            "block": self,
            "module": module,
            "lang_attrs": lang_attrs,
            "view": view,
            "notice": notice,
            "xp": self.xp_total,
            "level": level.number,
            "level_name": self._(level.name),
            "next_level_xp": level.xp_next,
            "attempts_used": self.attempts,
            "attempts_left": left,
            "can_restart": bool(state is None or state.finished)
            and scoring.may_start(self.max_attempts, self.attempts),
            "graded": graded,
            "graded_percent": None if graded is None else round(graded * 100),
            "policy": self.grading_policy,
        }

    def answer(
        self, module: Module, state: AttemptState, outcome: Outcome | None = None, notice: str | None = None
    ) -> dict[str, Any]:
        """The handler answer: the API's attempt payload, plus the course's extras and the new HTML."""
        context = self.view_context(module, state, outcome, notice)
        payload = dict(context["view"])
        payload.update(
            {
                "xp": context["xp"],
                "level": context["level"],
                "level_name": context["level_name"],
                "attempts_used": context["attempts_used"],
                "attempts_left": context["attempts_left"],
                "can_restart": context["can_restart"],
                "graded_score": context["graded"],
                "html": rendering.render("student_body.html", self._, **context),
            }
        )
        return payload

    # --- handlers ---------------------------------------------------------------------------
    def _module_or_error(self) -> Module:
        module = self.current_module()
        if module is None:
            raise PlayError4xx(404, "no-module", self._("This scenario has not been set up yet."))
        return module

    @XBlock.json_handler
    def choose(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """``{"node", "choice"}`` -> the attempt after the choice; 409 stale node, 400 hidden or unknown choice."""
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("node"), str)
            or not isinstance(data.get("choice"), str)
        ):
            raise PlayError4xx(400, "bad-request", self._('Send {"node": NODE_ID, "choice": CHOICE_ID}.'))
        module = self._module_or_error()
        state, notice = self.ensure_attempt(module)
        if state is None:
            raise PlayError4xx(403, "no-attempts-left", self._("You have used all your attempts."))
        try:
            outcome = choose(module, state, data["node"], data["choice"])
        except (StaleNode, AttemptFinished) as exc:
            if notice:  # the module was updated and the attempt started again: say that instead
                raise PlayError4xx(409, exc.code, notice, attempt=self.answer(module, state, None, notice)) from exc
            message = self._("That step was already taken (another tab or a double click); here is where you are.")
            raise PlayError4xx(409, exc.code, message, attempt=self.answer(module, state)) from exc
        except ChoiceUnavailable as exc:
            raise PlayError4xx(400, exc.code, self._("That choice is not available at this point.")) from exc
        new = outcome.state
        self.attempt = new.to_json()
        self.stats = stats.count_choice(self.stats, module.version, data["node"], data["choice"])
        self.runtime.publish(
            self,
            CHOICE_EVENT,
            {
                "module": module.id,
                "version": module.version,
                "node": data["node"],
                "choice": data["choice"],
                "meters": dict(new.meters),
                "ripples": [r.id for r in outcome.ripples],
                "attempt": self.attempts,
                "step": len(new.path),
                "finished": new.finished,
            },
        )
        if new.finished:
            self.finish(module, new)
        return self.answer(module, new, outcome, notice)

    def finish(self, module: Module, state: AttemptState) -> None:
        """Record a finished attempt: its score, the grade under the policy, completion and XP."""
        res = result(module, state)
        self.scores = [*self.scores, round(res.score, 4)]
        # One grade event per finished attempt; the counter guards against a replayed request.
        # It counts against `scores`, never against `attempts`, so a reset of the attempts
        # (which keeps both) neither re-publishes an old grade nor skips a new one.
        if self.graded_attempts < len(self.scores):
            self._publish_grade(self.calculate_score())  # type: ignore[attr-defined]
            self.graded_attempts = len(self.scores)
            self.emit_completion(1.0)  # type: ignore[attr-defined]
        paid = self.xp_paid()
        earned = gamify.xp_earned(module.xp_value, res.score, paid)
        if earned:
            self.xp_total += earned
        self.record_xp_paid(paid + earned)
        self.stats = stats.count_finish(self.stats, module.version, state.node, res.passed)
        self.runtime.publish(
            self,
            FINISH_EVENT,
            {
                "module": module.id,
                "version": module.version,
                "ending": state.node,
                "score": round(res.score, 4),
                "passed": res.passed,
                "attempt": self.attempts,
            },
        )

    @XBlock.json_handler
    def restart(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Start a new attempt after a finished one, when attempts remain."""
        module = self._module_or_error()
        state, _notice = self.stored_attempt(module)
        if state is not None and not state.finished:
            raise PlayError4xx(409, "attempt-in-progress", self._("Finish this attempt before starting another."))
        if not scoring.may_start(self.max_attempts, self.attempts):
            raise PlayError4xx(403, "no-attempts-left", self._("You have used all your attempts."))
        self.attempt = ""
        new, _ = self.ensure_attempt(module)
        assert new is not None  # may_start was checked just above
        return self.answer(module, new)


def _finished(attempt_json: str) -> bool:
    """Whether a stored attempt had reached an ending, even if it can no longer be loaded."""
    try:
        return bool(json.loads(attempt_json).get("finished", False))
    except (ValueError, AttributeError):
        return False


def _steps(module: Module, state: AttemptState) -> list[dict[str, str]]:
    """The path in the trainer's words, for the ending: node titles and choice texts."""
    steps = []
    for step in state.path:
        node = module.nodes.get(step.node)
        choice = node.choice(step.choice) if node else None
        steps.append(
            {
                "node": step.node,
                "choice": step.choice,
                "node_title": (node.title or "") if node else "",
                "choice_text": choice.text if choice else step.choice,
            }
        )
    return steps
