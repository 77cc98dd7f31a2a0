"""Two reminder runs at once send each learner one email, on a SQLite file and on PostgreSQL.

Both runs pick the same learners before either sends; then they race through the list.
The claim (a conditional UPDATE of users.reminded_on, committed before sending) lets one
of them through per learner: on PostgreSQL the second UPDATE waits for the first's row lock
and then finds the condition false; on SQLite there is one writer at a time.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from mailhelpers import SmtpServer, add_learner, give_due_practice

from cxtrain.store import migrate
from cxtrain.store.models import Base, User
from cxtrain.web import reminders as run

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
LEARNERS = 12


def _two_runs_at_once(app) -> tuple[Counter[str], list[run.Summary]]:  # type: ignore[no-untyped-def]
    with SmtpServer() as smtp:
        app.config.update(SMTP_URL=smtp.url, MAIL_FROM="cxtrain@example.org", PUBLIC_URL="https://cx.example.org")
        ids = [add_learner(app, f"racer{n}@example.org", reminders=True) for n in range(LEARNERS)]
        for uid in ids:
            give_due_practice(app, uid, 1, NOW - timedelta(hours=9))
        plans = []
        sessions = [app.extensions["cxtrain.sessionmaker"]() for _ in range(2)]
        for db in sessions:
            with app.app_context():
                plans.append(run.plan(db, NOW, False))
        assert [len(p[0]) for p in plans] == [LEARNERS, LEARNERS]  # both runs mean to send to everybody
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def go(db, planned, summary) -> None:  # type: ignore[no-untyped-def]
            try:
                with app.app_context():
                    barrier.wait()
                    run.send(app, db, planned, summary, lambda _line: None)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=go, args=(db, planned, summary))
            for db, (planned, summary) in zip(sessions, plans, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for db in sessions:
            db.close()
        assert not errors, errors
        with app.extensions["cxtrain.sessionmaker"]() as db:
            assert {u.reminded_on for u in db.query(User)} == {date(2025, 3, 3)}
        return Counter(smtp.sink.to()), [summary for _, summary in plans]


def _check(received: Counter[str], summaries: list[run.Summary]) -> None:
    assert received == Counter({f"racer{n}@example.org": 1 for n in range(LEARNERS)})
    assert sum(s.sent for s in summaries) == LEARNERS
    assert sum(s.skipped[run.TAKEN] for s in summaries) == LEARNERS


def test_two_runs_at_once_on_a_sqlite_file(app):
    _check(*_two_runs_at_once(app))


@pytest.mark.postgres
def test_two_runs_at_once_on_postgres(app_config, postgres_url):
    from pgdb import postgres_app

    with postgres_app(app_config, postgres_url) as app:
        _check(*_two_runs_at_once(app))


@pytest.mark.postgres
def test_a_claim_waits_for_the_other_runs_and_then_finds_the_day_taken(app_config, postgres_url):
    """The mechanism itself: the second UPDATE blocks on the row lock until the first commits."""
    from cxtrain.store import reminders as store
    from cxtrain.web import create_app

    migrate.upgrade(postgres_url)
    app = create_app({**app_config, "DATABASE_URL": postgres_url})
    try:
        uid = add_learner(app, "locked@example.org", reminders=True)
        first, second = (app.extensions["cxtrain.sessionmaker"]() for _ in range(2))
        today = date(2025, 3, 3)
        # The first run's UPDATE, not yet committed: it holds the row lock.
        first.execute(
            User.__table__.update().where(User.id == uid, User.reminded_on.is_(None)).values(reminded_on=today)
        )
        outcome: list[bool] = []
        waiting = threading.Thread(target=lambda: outcome.append(store.claim(second, uid, today, False)))
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive() and outcome == []  # blocked on the lock
        first.commit()
        waiting.join(timeout=10)
        assert outcome == [False]
        first.close()
        second.close()
    finally:
        engine = app.extensions["cxtrain.engine"]
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        engine.dispose()
