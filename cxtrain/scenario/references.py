"""Checks between the parts of a module: names that must point at something.

Runs after the schema, on the assembled module, because only then are all node
ids, meters and flags known. Also parses every condition.
"""

from __future__ import annotations

from dataclasses import replace

from . import conditions
from .findings import Finding
from .model import Effects, Module
from .source_map import Path, SourceMap
from .suggest import did_you_mean, one_of


class _Report:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.findings: list[Finding] = []

    def error(self, where: tuple[int, int], code: str, message: str) -> None:
        self.findings.append(Finding(self.source.path, where[0], where[1], "error", code, message))


def _first_set(module: Module, flag: str) -> Path:
    """Where ``flag`` is first set, in file order: the line a clash is reported at."""
    for node in module.nodes.values():
        for index, choice in enumerate(node.choices):
            if flag in choice.set:
                return ("nodes", node.id, "choices", index, "set", choice.set.index(flag))
    for index, ripple in enumerate(module.ripples):
        if flag in ripple.set:
            return ("ripples", index, "set", ripple.set.index(flag))
    return ()


def check_references(module: Module, source: SourceMap) -> tuple[Module, list[Finding]]:
    """The module with every ``when`` parsed, and error findings for dangling names."""
    report = _Report(source)
    node_ids = list(module.nodes)
    meter_ids = {m.id: m for m in module.meters}
    flags = set(module.flags)

    if module.start not in module.nodes:
        report.error(
            source.at(("start",)),
            "unknown-node",
            f"'start' names the node '{module.start}', which does not exist."
            f"{did_you_mean(module.start, node_ids)} Nodes: {one_of(node_ids)}.",
        )

    for flag in sorted(flags & set(meter_ids)):
        report.error(
            source.at(_first_set(module, flag)),
            "flag-meter-clash",
            f"'{flag}' is both a meter and a flag. Rename the flag, e.g. '{flag}_done'.",
        )

    def effects(effects_: Effects, path: Path) -> None:
        for meter_id, _ in effects_:
            if meter_id not in meter_ids:
                report.error(
                    source.key_at((*path, "effects", meter_id)),
                    "unknown-meter",
                    f"The effect names the meter '{meter_id}', which is not declared."
                    f"{did_you_mean(meter_id, meter_ids)} Meters: {one_of(meter_ids)}; "
                    "declare new meters under 'meters'.",
                )

    def condition(text: str | None, path: Path) -> conditions.Expr | None:
        if text is None:
            return None
        line, col = source.text_at(path)
        try:
            expr = conditions.parse(text)
            conditions.check_names(expr, meter_ids, flags)
        except conditions.ConditionError as exc:
            report.error(
                (line, col + exc.offset),
                exc.code,
                f"In the condition '{text}': {exc.message}",
            )
            return None
        return expr

    new_nodes = {}
    for node in module.nodes.values():
        base: Path = ("nodes", node.id)
        seen: dict[str, int] = {}
        new_choices = []
        for index, choice in enumerate(node.choices):
            cpath: Path = (*base, "choices", index)
            if choice.id in seen:
                report.error(
                    source.at((*cpath, "id")),
                    "duplicate-choice-id",
                    f"The choice id '{choice.id}' is used twice in node '{node.id}' "
                    f"(choices #{seen[choice.id] + 1} and #{index + 1}). Give each choice its own id.",
                )
            seen.setdefault(choice.id, index)
            if choice.next not in module.nodes:
                report.error(
                    source.at((*cpath, "next")),
                    "unknown-node",
                    f"'next' names the node '{choice.next}', which does not exist."
                    f"{did_you_mean(choice.next, node_ids) or ' Nodes: ' + one_of(node_ids) + '.'} "
                    "Add the node or fix the name.",
                )
            effects(choice.effects, cpath)
            expr = condition(choice.when, (*cpath, "when"))
            new_choices.append(replace(choice, condition=expr))
        new_nodes[node.id] = replace(node, choices=tuple(new_choices))

    ripple_ids: dict[str, int] = {}
    new_ripples = []
    for index, ripple in enumerate(module.ripples):
        rpath: Path = ("ripples", index)
        if ripple.id in ripple_ids:
            report.error(
                source.at((*rpath, "id")),
                "duplicate-ripple-id",
                f"The ripple id '{ripple.id}' is used twice. Give each ripple its own id.",
            )
        ripple_ids.setdefault(ripple.id, index)
        effects(ripple.effects, rpath)
        new_ripples.append(replace(ripple, condition=condition(ripple.when, (*rpath, "when"))))

    endings = [n.id for n in module.nodes.values() if n.is_ending]
    for index, check in enumerate(module.checks):
        ending = check.expect.ending
        if ending is not None and ending not in endings:
            report.error(
                source.at(("checks", index, "expect", "ending")),
                "unknown-node",
                f"The check expects the ending '{ending}', which is not an ending node."
                f"{did_you_mean(ending, endings)} Endings: {one_of(endings)}.",
            )

    checked = replace(module, nodes=new_nodes, ripples=tuple(new_ripples))
    return checked, report.findings
