"""Per-block choice statistics for instructors (stored in the user_state_summary scope).

One dict shared by every learner of the block: how often each choice was taken
and each ending reached. Counts are kept per module version, because after an
edit the old counts describe nodes and choices that may no longer exist.
"""

from __future__ import annotations

from typing import Any

from cxtrain.scenario import Module


def empty(version: str) -> dict[str, Any]:
    return {"version": version, "attempts": 0, "finished": 0, "passed": 0, "choices": {}, "endings": {}}


def current(stats: dict[str, Any], version: str) -> dict[str, Any]:
    """The stats for ``version``: a copy of the stored ones, or fresh counts after an edit."""
    if stats.get("version") != version:
        return empty(version)
    return {
        **stats,
        "choices": {k: dict(v) for k, v in stats.get("choices", {}).items()},
        "endings": dict(stats.get("endings", {})),
    }


def count_start(stats: dict[str, Any], version: str) -> dict[str, Any]:
    out = current(stats, version)
    out["attempts"] += 1
    return out


def count_choice(stats: dict[str, Any], version: str, node: str, choice: str) -> dict[str, Any]:
    out = current(stats, version)
    per_node = out["choices"].setdefault(node, {})
    per_node[choice] = per_node.get(choice, 0) + 1
    return out


def count_finish(stats: dict[str, Any], version: str, ending: str, passed: bool) -> dict[str, Any]:
    out = current(stats, version)
    out["finished"] += 1
    out["passed"] += int(passed)
    out["endings"][ending] = out["endings"].get(ending, 0) + 1
    return out


def table(stats: dict[str, Any], module: Module) -> list[dict[str, Any]]:
    """Rows for the author view: each decision node with each choice's count and share."""
    counts = current(stats, module.version)["choices"]
    rows = []
    for node in module.decision_nodes:
        taken = counts.get(node.id, {})
        total = sum(taken.values())
        rows.append(
            {
                "node": node.id,
                "title": node.title or node.id,
                "total": total,
                "choices": [
                    {
                        "id": c.id,
                        "text": c.text,
                        "count": taken.get(c.id, 0),
                        "share": round(100 * taken.get(c.id, 0) / total) if total else 0,
                    }
                    for c in node.choices
                ],
            }
        )
    return rows
