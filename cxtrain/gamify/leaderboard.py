"""Leaderboards done humanely: pure ranking with each learner's own privacy choice.

Ranking without consent backfires (people ranked against their will disengage), so:

- each learner picks how they appear to others: ``named`` (their name),
  ``anonymous`` (their ladder role, e.g. "A frontline associate") or ``hidden``
  (not on anyone else's board); new learners start ``anonymous``;
- a hidden learner is left out of everyone else's ranking entirely (no gap in the
  ranks, no XP) but still sees their own rank, counted as if they were listed;
- learners with no XP in the period are not listed (a tail of zeros shames and
  says nothing), except to themselves;
- the input has no email field, and a "name" that looks like an email address is
  never shown (a service that defaults the name to the login must not leak it).

Ranks are competition ranks ("1, 2, 2, 4"): equal XP shares a rank and the next
rank counts everyone above, which is how sports tables read. The weekly period
is the ISO week in UTC, so everyone sees the same board at the same moment.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from ..display_names import shows_as_name
from .records import as_utc
from .xp import round_half_up

Visibility = Literal["named", "anonymous", "hidden"]
VISIBILITIES: tuple[str, ...] = ("named", "anonymous", "hidden")
DEFAULT_VISIBILITY: Visibility = "anonymous"

MIN_TEAM_SIZE = 3
"""Smallest team shown on a team board. In a team of two, the average would tell each
member the other's XP exactly; from three on, it only tells a sum of others."""


@dataclass(frozen=True, slots=True)
class LeaderEntry:
    """One learner's standing for a board: their XP in the period and their choices.

    ``name`` is their display name (never an email); ``role_title`` the title of their
    ladder role, used when they are anonymous; ``team`` their team, for team boards.
    """

    learner_id: Hashable
    xp: int
    name: str = ""
    role_title: str | None = None
    visibility: str = DEFAULT_VISIBILITY
    team: str | None = None


@dataclass(frozen=True, slots=True)
class Label:
    """How a row's learner is named to the viewer, before any language is chosen.

    ``kind`` is ``name`` (``text`` is their display name, or a team's name), ``you`` (the viewer,
    who has no usable name), ``colleague`` (anonymous, without a role) or ``role`` (anonymous:
    ``text`` is their role's title as it reads inside an English sentence, ``article`` "A" or "An").
    :meth:`english` is the label the API and the pure rules use; the pages translate by ``kind``.
    """

    kind: Literal["name", "you", "colleague", "role"]
    text: str = ""
    article: str = ""

    def english(self) -> str:
        if self.kind == "you":
            return "You"
        if self.kind == "colleague":
            return "A colleague"
        if self.kind == "role":
            return f"{self.article} {self.text}"
        return self.text


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int
    name: str
    xp: int
    you: bool
    label: Label | None = None  # ``name`` before any language; None: show ``name`` as it is

    def as_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "xp": self.xp, "you": self.you}


@dataclass(frozen=True, slots=True)
class Board:
    """The rows the viewer sees (top few plus their neighbourhood) and their own rank."""

    entries: tuple[BoardRow, ...]
    you: BoardRow | None

    def as_dict(self) -> dict[str, Any]:
        """The API shape: ``{"entries": [{rank, name, xp, you}], "you": {rank, xp} | None}``."""
        return {
            "entries": [row.as_dict() for row in self.entries],
            "you": {"rank": self.you.rank, "xp": self.you.xp} if self.you else None,
        }


def visibility_of(entry: LeaderEntry) -> Visibility:
    """The entry's visibility; anything unexpected counts as anonymous, the safe default."""
    value = entry.visibility
    return value if value in VISIBILITIES else DEFAULT_VISIBILITY  # type: ignore[return-value]


def anonymous(role_title: str | None) -> Label:
    """The label of an anonymous learner: by their role, or a colleague without one."""
    if not role_title or not role_title.strip():
        return Label("colleague")
    title = role_title.strip()
    # Lower-case a leading capital unless the word is an acronym ("CEO" stays).
    if len(title) > 1 and title[0].isupper() and not title[1].isupper():
        title = title[0].lower() + title[1:]
    return Label("role", title, "An" if title[0].lower() in "aeiou" else "A")


def anonymous_label(role_title: str | None) -> str:
    """'A frontline associate', 'An executive'; 'A colleague' without a role."""
    return anonymous(role_title).english()


def display_label(entry: LeaderEntry, viewer_id: Hashable) -> Label:
    """How ``entry`` appears to ``viewer_id``."""
    if entry.learner_id == viewer_id:
        return Label("name", entry.name.strip()) if shows_as_name(entry.name) else Label("you")
    if visibility_of(entry) == "named" and shows_as_name(entry.name):
        return Label("name", entry.name.strip())
    return anonymous(entry.role_title)


def display_name(entry: LeaderEntry, viewer_id: Hashable) -> str:
    """How ``entry`` appears to ``viewer_id``, in English."""
    return display_label(entry, viewer_id).english()


def board_row(rank: int, entry: LeaderEntry, viewer_id: Hashable, you: bool) -> BoardRow:
    """A row of ``viewer_id``'s board, named in English and by its label."""
    label = display_label(entry, viewer_id)
    return BoardRow(rank, label.english(), entry.xp, you, label)


def competition_ranks(xps: Sequence[int]) -> list[int]:
    """Ranks for XP values sorted high to low: equal values share the rank of the first."""
    ranks: list[int] = []
    for i, xp in enumerate(xps):
        ranks.append(ranks[-1] if i and xp == xps[i - 1] else i + 1)
    return ranks


def shown_rows(count: int, viewer_index: int | None, top: int, around: int) -> list[int]:
    """Indexes of the rows a viewer sees: the ``top`` first and ``around`` either side of their own."""
    shown = set(range(min(top, count)))
    if viewer_index is not None:
        shown.update(range(max(0, viewer_index - around), min(count, viewer_index + around + 1)))
    return sorted(shown)


def _tie_order(learner_id: Hashable) -> tuple[int, int, str]:
    if isinstance(learner_id, int):
        return (0, learner_id, "")
    return (1, 0, str(learner_id))


def rank(entries: Iterable[LeaderEntry], viewer_id: Hashable, top: int = 5, around: int = 2) -> Board:
    """The board ``viewer_id`` sees: the ``top`` first rows and ``around`` rows either side of them."""
    pool = [e for e in entries if e.learner_id == viewer_id or (visibility_of(e) != "hidden" and e.xp > 0)]
    # Ties share a rank; within one, rows keep a stable order, by account: numerically for the
    # service's integer ids (as its SQL orders them, so both say the same), as text otherwise.
    pool.sort(key=lambda e: (-e.xp, *_tie_order(e.learner_id)))
    ranks = competition_ranks([e.xp for e in pool])
    viewer_index = next((i for i, e in enumerate(pool) if e.learner_id == viewer_id), None)
    rows = tuple(
        board_row(ranks[i], pool[i], viewer_id, pool[i].learner_id == viewer_id)
        for i in shown_rows(len(pool), viewer_index, top, around)
    )
    you = next((row for row in rows if row.you), None)
    return Board(rows, you)


def team_board(
    entries: Iterable[LeaderEntry],
    viewer_team: str | None,
    top: int = 5,
    around: int = 2,
    min_members: int = MIN_TEAM_SIZE,
) -> Board:
    """Teams ranked by XP per member (rounded half up), so small teams compete fairly.

    ``entries`` must hold every member of every team, including members with no XP
    and hidden ones: a team's average counts everybody and names nobody.
    """
    totals: dict[str, list[int]] = {}
    for entry in entries:
        if entry.team:
            totals.setdefault(entry.team, []).append(max(0, entry.xp))
    teams = [
        LeaderEntry(learner_id=team, xp=round_half_up(sum(xps) / len(xps)), name=team, visibility="named")
        for team, xps in totals.items()
        if len(xps) >= min_members
    ]
    viewer = viewer_team if viewer_team in {t.learner_id for t in teams} else object()
    return rank(teams, viewer, top, around)


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the ISO week containing ``now``: the start of the weekly board."""
    moment = as_utc(now)
    monday = moment.date() - timedelta(days=moment.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def in_period(at: datetime, period: Literal["week", "all"], now: datetime) -> bool:
    """Whether XP earned at ``at`` counts on the ``period`` board at ``now``."""
    if period == "all":
        return True
    start = week_start(now)
    return start <= as_utc(at) < start + timedelta(days=7)


def period_xp(
    events: Iterable[tuple[Hashable, int, datetime]], period: Literal["week", "all"], now: datetime
) -> dict[Hashable, int]:
    """Sum ``(learner_id, xp, earned_at)`` events per learner over the period."""
    totals: dict[Hashable, int] = {}
    for learner_id, xp, at in events:
        if in_period(at, period, now):
            totals[learner_id] = totals.get(learner_id, 0) + xp
    return totals
