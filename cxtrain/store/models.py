"""The service's tables as SQLAlchemy 2 typed models.

Attempts are event-sourced: ``choice_events`` is the append-only truth, one row per
step under UNIQUE(attempt_id, step); ``attempts.state_json`` is a cache written in the
same transaction, so it can always be rebuilt from the events with ``engine.replay``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("learner", "trainer", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_team", "team", "id"),)  # a team's members (migration 0003)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    job_role: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # IANA zone name; streaks and practice due times follow the learner's own calendar.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # False for someone who has left: no login, no sessions or tokens, off the boards; history kept.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The team a closed account left, offered again when it is reopened.
    team_when_closed: Mapped[str | None] = mapped_column(String(100))
    # Daily reminder emails: True or False once the learner chose, None while they never did
    # (then CXTRAIN_REMINDERS_DEFAULT decides); reminded_on is the learner's local date of the
    # last one sent, the mark that keeps it to one a day (see store/reminders.py).
    reminders: Mapped[bool | None] = mapped_column(Boolean)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    # The language the learner chose for the pages ("fr"); None follows their browser.
    language: Mapped[str | None] = mapped_column(String(16))
    # When the person last logged in with their password (the form or POST /api/tokens); None
    # if never since this column exists. Also in the mark of password links: a login ends them.
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Flask-Login protocol, kept here so that the web layer needs no wrapper class.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the session cookie keeps: the id and a mark of the current password hash, so that
        a new password (set by the learner or by an admin) ends every other session at once."""
        return f"{self.id}.{self.session_mark}"

    @property
    def session_mark(self) -> str:
        # A digest of the argon2 hash, not a piece of it: the cookie is signed but readable.
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]

    @property
    def is_trainer(self) -> bool:
        return self.role in ("trainer", "admin")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Only a SHA-256 of the token is kept: tokens are 256 random bits, so a fast hash is
    # safe (no dictionary to attack) and keeps the per-request lookup cheap.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class WebSession(Base):
    """A browser's login, from the password to logout: the signed cookie names it, so that logging
    out (or an idle or old session) ends it on the server, not only in that browser."""

    __tablename__ = "web_sessions"

    # A SHA-256 of the random id the cookie carries (the cookie is signed, not secret): a copy of
    # this table cannot be turned into sessions.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ModuleVersion(Base):
    """Every version of every module ever played or uploaded, text kept verbatim.

    ``source`` is "upload" for trainer uploads (these override the folders) and
    "library" for folder modules copied here when an attempt first pins them.
    """

    __tablename__ = "module_versions"
    __table_args__ = (UniqueConstraint("module_id", "version", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20), default="upload")
    yaml_text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class LintCacheEntry(Base):
    """A module text's lint findings, kept so that no request has to explore a module to list it.

    Keyed by the text's content hash and the fingerprint of the checks and role ladder they ran
    against (cxtrain.scenario.fingerprint), so an entry never goes stale: an edited file, a new
    release or a changed roles.yaml simply looks up a different key. Shared by every worker and
    host, and kept across restarts.
    """

    __tablename__ = "lint_results"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[str] = mapped_column(String(64), primary_key=True)
    findings_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_user_module", "user_id", "module_id"),
        # Insight (migration 0004): a module's live counts, and the rollup's scan by finish time.
        Index("ix_attempts_module_finished", "module_id", "finished_at", "module_version"),
        Index("ix_attempts_finished_at", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None once its learner's account was erased: the attempt stays, owned by nobody, so that the
    # insight counts (and a recount of them) keep it (see cxtrain.store.erasure, migration 0009).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    module_version: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state_json: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column()

    events: Mapped[list[ChoiceEvent]] = relationship(order_by="ChoiceEvent.step", lazy="raise_on_sql")


class ChoiceEvent(Base):
    __tablename__ = "choice_events"
    __table_args__ = (UniqueConstraint("attempt_id", "step", name="uq_choice_events_attempt_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column()
    node: Mapped[str] = mapped_column(String(100))
    choice: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# --- Gamification (issue 6). The ledger is the truth; stats and weekly rows are maintained
# aggregates written in the same transaction, so leaderboards never scan the ledger.


class XpEntry(Base):
    """Append-only XP ledger. UNIQUE(attempt_id) makes a finish pay at most once, however often retried."""

    __tablename__ = "xp_ledger"
    __table_args__ = (
        Index("ix_xp_ledger_user_module", "user_id", "module_id"),
        Index("ix_xp_ledger_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(12))  # 'finish' | 'practice'
    module_id: Mapped[str | None] = mapped_column(String(100))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LearnerStats(Base):
    """One row per learner: all-time XP and leaderboard choice, kept next to each other so that
    ranking is an index range scan on (listed, xp_total) rather than a join or a ledger sum."""

    __tablename__ = "learner_stats"
    __table_args__ = (Index("ix_learner_stats_listed_xp", "listed", "xp_total", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    xp_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    visibility: Mapped[str] = mapped_column(String(12), default="anonymous", server_default="anonymous")
    listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())  # visibility != 'hidden'


class WeeklyXp(Base):
    """XP per learner per ISO week (UTC Monday); ``listed`` mirrors LearnerStats for the same index trick."""

    __tablename__ = "weekly_xp"
    __table_args__ = (Index("ix_weekly_xp_week_listed_xp", "week_start", "listed", "xp", "user_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    xp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class TeamStats(Base):
    """One row per team (``users.team``, not empty): how many members it has and their all-time XP.

    Kept in the same transaction as every award and every team change (see
    :mod:`cxtrain.store.xp_ledger`), so team boards read a few thousand rows, not every user."""

    __tablename__ = "team_stats"

    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    members: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    xp_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class WeeklyTeamXp(Base):
    """XP per team per ISO week (UTC Monday), summed over its members; the weekly team board reads one week."""

    __tablename__ = "weekly_team_xp"

    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    team: Mapped[str] = mapped_column(String(100), primary_key=True)
    xp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class UserBadge(Base):
    """An awarded badge. UNIQUE(user, badge) plus insert-or-ignore makes awarding idempotent."""

    __tablename__ = "user_badges"
    __table_args__ = (UniqueConstraint("user_id", "badge_id", name="uq_user_badges_user_badge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    badge_id: Mapped[str] = mapped_column(String(100))
    awarded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The finish that earned it (None after practice), so the ending page can announce it on reload.
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="SET NULL"), index=True)
    # Random, unguessable id of the hosted Open Badges assertion, and the per-assertion salt
    # of the recipient hash (so two awards cannot be linked by their hashes).
    assertion_id: Mapped[str] = mapped_column(String(64), unique=True)
    salt: Mapped[str] = mapped_column(String(64))


class PracticeItemRow(Base):
    """A missed decision in a learner's practice queue (see cxtrain.gamify.practice.PracticeItem)."""

    __tablename__ = "practice_items"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id", "node_id", name="uq_practice_items_user_node"),
        Index("ix_practice_items_user_due", "user_id", "learned", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(100))
    node_id: Mapped[str] = mapped_column(String(100))
    best: Mapped[str] = mapped_column(String(100))
    chosen: Mapped[str] = mapped_column(String(100))
    options_json: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    interval_index: Mapped[int] = mapped_column(Integer, default=0)
    learned: Mapped[bool] = mapped_column(Boolean, default=False)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    wrong_count: Mapped[int] = mapped_column(Integer, default=0)


class PracticeAnswer(Base):
    """Every practice answer: keeps the streak alive, counts toward 'practice: N' badges and the daily XP cap."""

    __tablename__ = "practice_answers"
    __table_args__ = (Index("ix_practice_answers_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("practice_items.id", ondelete="SET NULL"))
    choice: Mapped[str] = mapped_column(String(100))
    correct: Mapped[bool] = mapped_column(Boolean)
    xp: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
