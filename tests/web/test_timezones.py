"""Dates and times on the pages are the viewer's own: ``users.timezone``, in the page's language.

The real app over its test client, on a fresh SQLite file. One moment, 23:30 UTC on Sunday
5 January 2025, is early evening in New York, already Monday in Paris and Tokyo: each viewer
sees it on their own calendar.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, update
from webhelpers import FIXTURES, MODULE, add_user, csrf_from, login

from cxtrain.store.models import Attempt, ModuleVersion, User

MOMENT = datetime(2025, 1, 5, 23, 30, tzinfo=UTC)
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en"}


def _set_user(app, email: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.execute(update(User).where(User.email == email).values(**values))
        db.commit()


def _attempt_at(app, client, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    """Start an attempt through the page, then date it ``moment``."""
    page = client.get("/modules").get_data(as_text=True)
    assert client.post(f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)}).status_code == 302
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.execute(update(Attempt).values(started_at=moment))
        db.commit()


def _text(html: str) -> str:
    """The page with CLDR's narrow no-break spaces ("6:30\u202fPM") read as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", html)


def test_the_history_is_in_the_learners_zone_and_language(app, client, learner):
    login(client, learner)
    _attempt_at(app, client, MOMENT)
    assert "<td>Jan 5, 2025, 11:30 PM</td>" in _text(client.get("/history", headers=ENGLISH).get_data(as_text=True))

    _set_user(app, learner, timezone="America/New_York")
    assert "<td>Jan 5, 2025, 6:30 PM</td>" in _text(client.get("/history", headers=ENGLISH).get_data(as_text=True))

    _set_user(app, learner, timezone="Europe/Paris", language="fr")
    french = _text(client.get("/history", headers=ENGLISH).get_data(as_text=True))
    assert "<td>6 janv. 2025, 00:30</td>" in french  # Monday already, on a 24-hour clock


def test_a_time_zone_saved_on_the_profile_applies_to_the_answer_that_saves_it(app, client, learner):
    login(client, learner)
    _attempt_at(app, client, MOMENT)
    page = client.get("/profile").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "name": "", "leaderboard": "anonymous", "timezone": "Asia/Tokyo"}
    assert client.post("/profile", data=form).status_code == 200
    assert "<td>Jan 6, 2025, 8:30 AM</td>" in _text(client.get("/history", headers=ENGLISH).get_data(as_text=True))


def test_admin_and_trainer_pages_are_in_the_viewers_zone(app, client, learner):
    admin = "admin@example.org"
    add_user(app, admin, "admin", None)
    _set_user(app, learner, created_at=MOMENT)
    _set_user(app, admin, timezone="Asia/Tokyo")
    login(client, admin)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        learner_id = db.scalar(select(User.id).where(User.email == learner))
    # The learner's own zone does not matter: the page is read by the admin, in Tokyo.
    _set_user(app, learner, timezone="America/Los_Angeles")
    page = client.get(f"/admin/users/{learner_id}", headers=ENGLISH).get_data(as_text=True)
    assert "account since Jan 6, 2025" in page

    _set_user(app, admin, timezone="America/New_York", language="fr")
    page = client.get(f"/admin/users/{learner_id}").get_data(as_text=True)
    assert "compte créé le 5 janv. 2025" in _text(page)

    # A trainer's versions list: the publication time in the trainer's zone, no "UTC" label left.
    trainer = "trainer@example.org"
    add_user(app, trainer, "trainer", None)
    _set_user(app, trainer, timezone="Europe/Paris")
    other = app.test_client()
    login(other, trainer)
    upload = other.get("/trainer/upload").get_data(as_text=True)
    text = (FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8")
    revised = text.replace("The parcel at the counter", "The parcel, revised")
    assert other.post("/trainer/upload", data={"csrf_token": csrf_from(upload), "text": revised}).status_code == 302
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.execute(update(ModuleVersion).where(ModuleVersion.module_id == MODULE).values(created_at=MOMENT))
        db.commit()
    versions = _text(other.get(f"/trainer/modules/{MODULE}", headers=ENGLISH).get_data(as_text=True))
    assert "<td>Jan 6, 2025, 12:30 AM</td>" in versions and " UTC" not in versions


def test_a_zone_the_time_library_does_not_know_falls_back_to_utc(app, client, learner):
    login(client, learner)
    _attempt_at(app, client, MOMENT)
    _set_user(app, learner, timezone="Mars/Olympus_Mons")  # only a hand edit of the database gets here
    response = client.get("/history", headers=ENGLISH)
    assert response.status_code == 200
    assert "<td>Jan 5, 2025, 11:30 PM</td>" in _text(response.get_data(as_text=True))
