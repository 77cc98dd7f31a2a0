"""Plain inputs to the rules: what a learner has done and what the library offers.

The Flask service builds these from SQL rows, the XBlock from its user state; the
rules never see either storage. Times are aware datetimes; naive ones are read as
UTC (SQLite hands back naive datetimes even for timezone-aware columns).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxtrain.scenario.library import Library


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class FinishedAttempt:
    """One attempt that reached an ending.

    ``role`` is the module's role when it was played (kept so that a module later
    removed from the library still counts for its role); ``xp_earned`` is what
    :func:`cxtrain.gamify.xp.xp_for_finish` paid for it.
    """

    module_id: str
    role: str
    score: float
    passed: bool
    finished_at: datetime
    xp_earned: int = 0


@dataclass(frozen=True, slots=True)
class Catalog:
    """What badge and insight rules need to know of a library, as plain ids.

    ``ladder`` lists role ids from the most junior to the most senior;
    ``role_titles`` maps them to their titles; ``module_roles`` maps every module id
    to its role; ``tracks`` maps a track id to its module ids.
    """

    ladder: tuple[str, ...] = ()
    role_titles: Mapping[str, str] = field(default_factory=dict)
    module_roles: Mapping[str, str] = field(default_factory=dict)
    tracks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role_titles", MappingProxyType(dict(self.role_titles)))
        object.__setattr__(self, "module_roles", MappingProxyType(dict(self.module_roles)))
        object.__setattr__(self, "tracks", MappingProxyType({k: tuple(v) for k, v in self.tracks.items()}))

    @classmethod
    def from_library(cls, library: Library) -> Catalog:
        return cls(
            ladder=tuple(role.id for role in library.ladder()),
            role_titles={role.id: role.title for role in library.roles.values()},
            module_roles={module.id: module.role for module in library.modules.values()},
            tracks={track.id: track.modules for track in library.tracks.values()},
        )

    def modules_of(self, role: str) -> frozenset[str]:
        return frozenset(m for m, r in self.module_roles.items() if r == role)

    def roles_with_modules(self) -> tuple[str, ...]:
        """Ladder roles that have at least one module: the ones a learner can pass."""
        present = set(self.module_roles.values())
        return tuple(r for r in self.ladder if r in present)


def passed_modules(attempts: Iterable[FinishedAttempt]) -> frozenset[str]:
    return frozenset(a.module_id for a in attempts if a.passed)


def best_scores(attempts: Iterable[FinishedAttempt]) -> dict[str, float]:
    best: dict[str, float] = {}
    for attempt in attempts:
        best[attempt.module_id] = max(best.get(attempt.module_id, 0.0), attempt.score)
    return best


def activity_times(attempts: Sequence[FinishedAttempt], practice_times: Iterable[datetime] = ()) -> list[datetime]:
    """Every moment that keeps a streak alive: finished modules and practice answers."""
    return [a.finished_at for a in attempts] + list(practice_times)
