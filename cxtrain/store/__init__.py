"""Storage: SQLAlchemy 2 models, queries and Alembic migrations (no Flask here)."""

from .db import make_engine, make_sessionmaker, normalise_url
from .models import ApiToken, Attempt, Base, ChoiceEvent, ModuleVersion, User

__all__ = [
    "ApiToken",
    "Attempt",
    "Base",
    "ChoiceEvent",
    "ModuleVersion",
    "User",
    "make_engine",
    "make_sessionmaker",
    "normalise_url",
]
