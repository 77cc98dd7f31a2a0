"""What a learner sees of an attempt, as plain data: one shape for every front.

The JSON API, the Flask pages and the XBlock handlers all answer with
:func:`attempt_payload`, so a page script works the same in the service and in
Open edX, and the two can never drift apart.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from .render import markdown
from .scenario import engine, languages
from .scenario.model import Module


def node_payload(module: Module, state: engine.AttemptState) -> dict[str, Any]:
    node = module.nodes[state.node]
    return {
        "id": node.id,
        "title": node.title,
        "text": node.text,
        "html": str(markdown(node.text)),
        "customer_link": node.customer_link,
        "choices": [{"id": c.id, "text": c.text} for c in engine.visible_choices(module, state)],
        "ending": {"title": node.ending.title} if node.ending else None,
    }


def meters_payload(module: Module, state: engine.AttemptState) -> list[dict[str, Any]]:
    return [
        {"id": m.id, "label": m.label, "value": state.meters[m.id], "min": m.min, "max": m.max} for m in module.meters
    ]


def attempt_payload(
    module: Module, state: engine.AttemptState, outcome: engine.Outcome | None = None
) -> dict[str, Any]:
    """The attempt as the API contract shows it, plus what the last choice did.

    Keys: module, version, language, node {id, title, text, html, customer_link, choices, ending},
    meters {id: value}, meter_list, finished, path; after a choice: choice, feedback,
    feedback_html, ripples [{id, text, html}], deltas; when finished: ending, score,
    passed, total.
    """
    payload: dict[str, Any] = {
        "module": module.id,
        "version": module.version,
        "language": module.language,
        "node": node_payload(module, state),
        "meters": dict(state.meters),
        "meter_list": meters_payload(module, state),
        "finished": state.finished,
        "step": len(state.path),
        "path": [{"node": s.node, "choice": s.choice} for s in state.path],
    }
    if outcome is not None:
        payload["choice"] = outcome.choice.id
        payload["feedback"] = outcome.choice.feedback
        payload["feedback_html"] = str(markdown(outcome.choice.feedback))
        payload["ripples"] = [{"id": r.id, "text": r.text, "html": str(markdown(r.text))} for r in outcome.ripples]
        payload["deltas"] = dict(outcome.deltas)
    if state.finished:
        res = engine.result(module, state)
        payload["ending"] = {"id": res.ending.id, "title": res.ending.ending.title if res.ending.ending else ""}
        payload["score"] = round(res.score, 4)
        payload["passed"] = res.passed
        payload["total"] = res.total
    return payload


def lang_attributes(language: str | None, page_language: str | None) -> Markup:
    """``lang`` (and ``dir`` when the writing direction differs) for elements that show a module's
    text on a page in another language, so that a screen reader reads it in the module's language
    (WCAG 3.1.2). Empty when the module does not say its language or says the page's. Without a
    known ``page_language`` the attribute is always given: a redundant ``lang`` is harmless."""
    if not language:
        return Markup("")
    if page_language:
        same = language.lower() == page_language.lower()
        if same or (_primary(language) == _primary(page_language) and "-" not in language):
            return Markup("")
    attrs = Markup(' lang="{}"').format(language)
    page_direction = languages.direction(page_language) if page_language else "ltr"
    if languages.direction(language) != page_direction:
        attrs += Markup(' dir="{}"').format(languages.direction(language))
    return attrs


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def missed_choices(module: Module, state: engine.AttemptState) -> list[dict[str, Any]]:
    """For the ending page: each step where the learner left the best path, with the better choice.

    The 'best choice' at a step is the one the graded best play-through from that
    point would take; we compute it by replaying the path and, at each step, asking
    which visible choice keeps the highest reachable total (see grading.best_from).
    """
    from .scenario.grading import best_choices_along

    return best_choices_along(module, [(s.node, s.choice) for s in state.path])
