"""Leaderboards in the service: the board a learner sees, read from the maintained aggregates.

The ranking rules (privacy, competition ranks, the rows shown) are cxtrain.gamify's; team
boards are ranked once per worker and cached, because every viewer sees the same teams.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import Session

from .. import gamify
from ..gamify.leaderboard import MIN_TEAM_SIZE, BoardRow, board_row, competition_ranks, shown_rows
from ..store import boards
from ..store.models import User
from .rewards import now, role_title

Period = Literal["week", "all"]


@dataclass(frozen=True)
class _TeamPool:
    """The teams of a team board, ranked once for every viewer (what gamify.rank computes per call).

    ``teams``: every team shown (at least MIN_TEAM_SIZE members) at its XP per member;
    ``ranked``: those with XP, in gamify.rank's order, with their competition ``ranks``;
    ``index``: a team's place in ``ranked``.
    """

    teams: list[gamify.LeaderEntry]
    ranked: list[gamify.LeaderEntry]
    ranks: list[int]
    index: dict[str, int]


_team_cache: dict[tuple[str, str, Period, str], tuple[float, _TeamPool]] = {}
_team_lock = threading.Lock()


def _team_pool(db: Session, period: Period, at: datetime) -> _TeamPool:
    """Teams shown on a team board, ranked, cached per worker for LEADERBOARD_CACHE_SECONDS
    (default 30; 0 turns it off). A refresh reads one maintained row per team (team_stats)."""
    ttl = float(current_app.config.get("LEADERBOARD_CACHE_SECONDS", 30))
    week = gamify.week_start(at).date()
    key = (current_app.config["DATABASE_URL"], current_app.instance_path, period, week.isoformat())
    with _team_lock:
        hit = _team_cache.get(key)
        if ttl > 0 and hit and time.monotonic() - hit[0] < ttl:
            return hit[1]
    teams = [
        gamify.LeaderEntry(learner_id=team, xp=gamify.round_half_up(total / n), name=team, visibility="named")
        for team, n, total in boards.team_totals(db, period, week, MIN_TEAM_SIZE)
        if n >= MIN_TEAM_SIZE
    ]
    ranked = sorted((t for t in teams if t.xp > 0), key=lambda e: (-e.xp, str(e.learner_id)))
    ranks = competition_ranks([t.xp for t in ranked])
    pool = _TeamPool(teams, ranked, ranks, {str(t.learner_id): i for i, t in enumerate(ranked)})
    with _team_lock:
        _team_cache[key] = (time.monotonic(), pool)
    return pool


def leaderboard(
    db: Session,
    user: User,
    period: Period,
    scope: Literal["everyone", "team"],
    title_of: Callable[[str | None], str | None] = role_title,
) -> gamify.Board:
    """The board the learner sees; for ``team`` teams are ranked by XP per member (gamify.rank over team
    averages). ``title_of`` names an anonymous learner's job role: roles.yaml's title for the API,
    the page's translation of it for the page."""
    at = now()
    if scope == "team":
        pool = _team_pool(db, period, at)
        mine = pool.index.get(user.team or "")
        if mine is None and user.team and any(t.learner_id == user.team for t in pool.teams):
            return gamify.rank(pool.teams, user.team)  # the viewer's team is shown at 0 XP: rank it in
        viewer: object = user.team if mine is not None else object()
        shown = shown_rows(len(pool.ranked), mine, 5, 2)
        rows = tuple(board_row(pool.ranks[i], pool.ranked[i], viewer, i == mine) for i in shown)
        return gamify.Board(rows, next((r for r in rows if r.you), None))
    placed = boards.board(db, user.id, period, gamify.week_start(at).date())
    who = boards.people(db, [p.user_id for p in placed])
    rows = []
    for p in placed:
        name, job_role, vis = who.get(p.user_id, ("", None, gamify.DEFAULT_VISIBILITY))
        entry = gamify.LeaderEntry(p.user_id, p.xp, name=name, role_title=title_of(job_role), visibility=vis)
        rows.append(board_row(p.rank, entry, user.id, p.user_id == user.id))
    return gamify.Board(tuple(rows), next(r for r in rows if r.you))


def shown_name(row: BoardRow) -> str:
    """The row's name on a page, in the page's language; the API keeps the English of ``row.name``."""
    label = row.label
    if label is None or label.kind == "name":
        return row.name
    if label.kind == "you":
        return gettext("You")
    if label.kind == "colleague":
        return gettext("A colleague")
    # English picks the article by the title's first letter; a translation may word both alike.
    if label.article == "An":
        # Translators: a learner shown anonymously on a leaderboard, by their job role's title
        # (written by the trainers, lower-cased as in an English sentence): "An executive".
        return gettext("An %(role)s", role=label.text)
    # Translators: as "An %(role)s", before a consonant: "A frontline associate".
    return gettext("A %(role)s", role=label.text)
