"""Levels: a named curve over total XP, so progress has words a learner recognises.

The names follow a learner's growth in customer-centricity: first you listen, then
you help, solve problems, speak up for the customer, connect other people to them,
champion them, set the example and finally carry the culture.

A curve is a table of ``(name, xp_floor)`` rows starting at 0 XP. Admins can replace
the default with their own table or a geometric curve (see docs/gamification.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any


def N_(name: str) -> str:
    """Marks a default level name for the service's catalogue; pages translate it where they show it
    (an admin's own names from CXTRAIN_LEVEL_CURVE are shown as written)."""
    return name


LEVEL_NAMES: tuple[str, ...] = (
    N_("Listener"),
    N_("Helper"),
    N_("Problem Solver"),
    N_("Advocate"),
    N_("Connector"),
    N_("Champion"),
    N_("Role Model"),
    N_("Culture Carrier"),
)


@dataclass(frozen=True, slots=True)
class Level:
    """Where a learner stands: level ``number`` (1-based) of the curve.

    ``xp_next`` is the floor of the next level, ``None`` at the top; ``progress`` runs
    from 0 at ``xp_floor`` to 1 at ``xp_next`` (always 1 at the top) for the level bar.
    """

    number: int
    name: str
    xp_floor: int
    xp_next: int | None
    progress: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "xp_floor": self.xp_floor,
            "xp_next": self.xp_next,
            "progress": self.progress,
        }


@dataclass(frozen=True, slots=True)
class LevelCurve:
    """Level names and the XP at which each begins; the first row starts at 0."""

    rows: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        if not self.rows:
            raise ValueError("A level curve needs at least one level.")
        if self.rows[0][1] != 0:
            raise ValueError("The first level must start at 0 XP.")
        floors = [floor for _, floor in self.rows]
        if any(b <= a for a, b in pairwise(floors)):
            raise ValueError("Level thresholds must strictly increase.")
        if any(not name.strip() for name, _ in self.rows):
            raise ValueError("Every level needs a name.")

    @classmethod
    def table(cls, rows: Sequence[tuple[str, int]] | Mapping[str, int]) -> LevelCurve:
        """A curve from explicit ``(name, xp)`` rows, e.g. ``[("Listener", 0), ("Helper", 150)]``."""
        items = list(rows.items()) if isinstance(rows, Mapping) else list(rows)
        return cls(tuple((str(name), int(xp)) for name, xp in items))

    @classmethod
    def geometric(cls, names: Sequence[str] = LEVEL_NAMES, first: int = 100, ratio: float = 2.0) -> LevelCurve:
        """Level 2 at ``first`` XP, each later step ``ratio`` times the one before.

        With the defaults the floors are 0, 100, 300, 700, 1500, 3100, 6300, 12700:
        the first levels come within a module or two, later ones need weeks of play,
        which keeps the bar moving for newcomers without running out for regulars.
        """
        if first < 1 or ratio < 1:
            raise ValueError("'first' must be at least 1 and 'ratio' at least 1.")
        floors = [0]
        step = float(first)
        for _ in names[1:]:
            floors.append(floors[-1] + max(1, round(step)))
            step *= ratio
        return cls(tuple(zip(names, floors, strict=True)))

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | Sequence[Any] | None) -> LevelCurve:
        """Build a curve from settings (a Flask config value, parsed YAML or JSON).

        Accepts ``None`` (the default curve), a list of ``{name, xp}`` rows, or a mapping
        ``{first: 100, ratio: 2, names: [...]}``; raises ``ValueError`` with a clear message.
        """
        if config is None:
            return DEFAULT_CURVE
        if isinstance(config, Mapping):
            unknown = set(config) - {"first", "ratio", "names"}
            if unknown:
                raise ValueError(f"Unknown level setting(s): {', '.join(sorted(map(str, unknown)))}.")
            return cls.geometric(
                names=tuple(config.get("names", LEVEL_NAMES)),
                first=int(config.get("first", 100)),
                ratio=float(config.get("ratio", 2.0)),
            )
        rows = []
        for row in config:
            if not isinstance(row, Mapping) or set(row) != {"name", "xp"}:
                raise ValueError("Each level row needs exactly 'name' and 'xp', e.g. {name: Listener, xp: 0}.")
            rows.append((str(row["name"]), int(row["xp"])))
        return cls.table(rows)


DEFAULT_CURVE = LevelCurve.geometric()


def level_for(xp: int, curve: LevelCurve = DEFAULT_CURVE) -> Level:
    """The level a learner with ``xp`` total XP has reached on ``curve``."""
    xp = max(0, xp)
    index = 0
    for i, (_, floor) in enumerate(curve.rows):
        if xp >= floor:
            index = i
    name, floor = curve.rows[index]
    if index + 1 < len(curve.rows):
        nxt = curve.rows[index + 1][1]
        progress = (xp - floor) / (nxt - floor)
        return Level(index + 1, name, floor, nxt, progress)
    return Level(index + 1, name, floor, None, 1.0)


def level_up(before_xp: int, after_xp: int, curve: LevelCurve = DEFAULT_CURVE) -> Level | None:
    """The new level when XP going from ``before_xp`` to ``after_xp`` crosses a threshold, else None.

    For the level-up moment on the ending page: one announcement even when a big
    finish skips a level (the highest level reached is the one to celebrate).
    """
    after = level_for(after_xp, curve)
    return after if after.number > level_for(before_xp, curve).number else None
