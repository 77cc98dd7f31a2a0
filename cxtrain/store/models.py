"""The service's tables as SQLAlchemy 2 typed models.

Attempts are event-sourced: ``choice_events`` is the append-only truth, one row per
step under UNIQUE(attempt_id, step); ``attempts.state_json`` is a cache written in the
same transaction, so it can always be rebuilt from the events with ``engine.replay``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("learner", "trainer", "admin")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    job_role: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    # Flask-Login protocol, kept here so that the web layer needs no wrapper class.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

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


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_module", "user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
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
