"""One run of the daily reminders (``cxtrain reminders send``): who gets one, then sending.

A run is meant to be started often (hourly, or every few minutes) by cron or a systemd
timer; every run sends to the learners whose local morning it is and who have not had
their reminder today, so runs may overlap, be missed or be repeated without harm (see
:mod:`cxtrain.store.reminders` for the once-a-day claim).

For each learner, in order: compose the email, claim the day, send. A refused address is
counted and the run goes on; a temporary refusal (4xx) gives the day back so that a later
run tries again, a permanent one (5xx) keeps it (the same address would be refused again).
A server that cannot be used stops the run at once, with the day of the learner in hand given
back, so nobody is marked as reminded without an email having been accepted.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Flask
from sqlalchemy.orm import Session

from .. import gamify
from ..gamify.reminders import MORNING_FROM, MORNING_UNTIL, Reason, in_morning, reason_for, reminded_today
from ..store import practice_queue
from ..store import reminders as store
from ..store.models import User
from . import mailer
from .practice_questions import offered_modules, questions_from
from .reminder_mail import compose, public_context

log = logging.getLogger("cxtrain.reminders")

OUTSIDE_MORNING = f"outside their morning ({MORNING_FROM:%H:%M}-{MORNING_UNTIL:%H:%M} local time)"
ALREADY = "already reminded today"
NOTHING = "nothing due and no streak at risk"
TAKEN = "already reminded today (by another run)"
# Learners read together while planning: few statements, and IN lists every database takes.
BATCH = 500


@dataclass(frozen=True)
class Reminder:
    user: User
    today: date  # the learner's local date: the day claimed
    reason: Reason

    def describe(self) -> str:
        parts = []
        if self.reason.due:
            parts.append(f"{self.reason.due} practice question{'s' if self.reason.due != 1 else ''} due")
        if self.reason.streak:
            parts.append(f"{self.reason.streak}-day streak ends tonight")
        return f"{self.user.email} ({self.user.timezone}): {', '.join(parts)}"


@dataclass
class Summary:
    sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)

    def line(self, sent: str = "Sent") -> str:
        """One line for the log: ``sent`` is what to call the sent count ("Would send" in a dry run)."""
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        because = f" ({reasons})" if reasons else ""
        return f"{sent} {self.sent}, skipped {skipped}{because}, failed {len(self.failed)}."


class RunError(Exception):
    """The run could not go on (settings missing, the mail server unusable); ``summary`` is what was done."""

    def __init__(self, message: str, summary: Summary) -> None:
        super().__init__(message)
        self.summary = summary


def plan(db: Session, now: datetime, default: bool) -> tuple[list[Reminder], Summary]:
    """Who gets a reminder at ``now`` and why; the summary counts everybody else by reason."""
    summary = Summary()
    summary.skipped.update({why: n for why, n in store.not_wanted(db, default).items() if n})
    candidates = []
    for user in store.subscribers(db, default):
        if not in_morning(now, user.timezone):
            summary.skipped[OUTSIDE_MORNING] += 1
        elif reminded_today(user.reminded_on, now, user.timezone):
            summary.skipped[ALREADY] += 1
        else:
            candidates.append(user)
    out = []
    offered = offered_modules(db)  # once for the run, not per learner
    for start in range(0, len(candidates), BATCH):
        # A few statements per batch of learners, not per learner (a morning may hold thousands).
        batch = candidates[start : start + BATCH]
        ids = [user.id for user in batch]
        times = store.activity_times(db, ids)
        due = practice_queue.due_rows_of(db, ids, now)
        for user in batch:
            run = gamify.streak(times[user.id], user.timezone, now)
            reason = reason_for(len(questions_from(due[user.id], now, offered)), run)
            if reason:
                out.append(Reminder(user, gamify.local_day(now, user.timezone), reason))
            else:
                summary.skipped[NOTHING] += 1
    # End the reading transaction (each claim must start its own, see store.claim) without
    # expiring the learners read: the sessions of this service keep objects loaded on commit.
    db.commit()
    return out, summary


def missing_settings(app: Flask) -> list[str]:
    """The settings a real run needs and does not have."""
    return mailer.missing_settings(app.config)


def send(app: Flask, db: Session, reminders: list[Reminder], summary: Summary, echo: Callable[[str], None]) -> Summary:
    """Send ``reminders`` over one SMTP connection; RunError when the server cannot be used."""
    if not reminders:
        return summary
    missing = missing_settings(app)
    if missing:
        raise RunError(f"cannot send without {', '.join(missing)} (see docs/admin.md, 'Reminder emails')", summary)
    default = bool(app.config.get("REMINDERS_DEFAULT"))
    sender = app.config["MAIL_FROM"]
    try:
        with mailer.Mailer(mailer.parse_smtp_url(app.config["SMTP_URL"])) as smtp, public_context(app):
            for reminder in reminders:
                _send_one(db, smtp, reminder, sender, default, summary, echo)
    except mailer.ServerError as exc:
        raise RunError(str(exc), summary) from exc
    return summary


def _send_one(
    db: Session,
    smtp: mailer.Mailer,
    reminder: Reminder,
    sender: str,
    default: bool,
    summary: Summary,
    echo: Callable[[str], None],
) -> None:
    user = reminder.user
    message = compose(user, reminder.reason, sender)
    previous = user.reminded_on
    if not store.claim(db, user.id, reminder.today, default):
        summary.skipped[TAKEN] += 1
        return
    try:
        smtp.send(message)
    except mailer.Refused as exc:
        if not exc.permanent:
            store.release(db, user.id, reminder.today, previous)
        what = "refused" if exc.permanent else "refused for now, a later run tries again"
        log.info("reminder to %s %s: %s", user.email, what, exc)
        summary.failed.append(f"{user.email}: {what} ({exc})")
        echo(f"failed: {user.email}: {what} ({exc})")
        return
    except BaseException:
        store.release(db, user.id, reminder.today, previous)
        raise
    summary.sent += 1
    echo(f"sent: {reminder.describe()}")
