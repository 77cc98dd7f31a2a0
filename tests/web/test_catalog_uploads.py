"""The catalog reads uploaded modules' texts only when the newest uploads changed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from webhelpers import add_user

from cxtrain.cli import main
from cxtrain.scenario import content_version
from cxtrain.store import modules as stored

FIXTURE = (Path(__file__).parent / "fixtures" / "web-fixture.yaml").read_text(encoding="utf-8")


def upload(app, module_id: str, author_id: int | None, title: str = "Uploaded") -> str:  # type: ignore[no-untyped-def]
    text = FIXTURE.replace("id: web-fixture", f"id: {module_id}").replace("The parcel at the counter", title)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored.save_version(db, module_id, content_version(text), text, stored.UPLOAD, author_id)
    return content_version(text)


def current(app):  # type: ignore[no-untyped-def]
    """The catalog's entries, and the statements it sent to get them."""
    sent: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        sent.append(statement)

    engine = app.extensions["cxtrain.engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with app.extensions["cxtrain.sessionmaker"]() as db:
            return app.extensions["cxtrain.catalog"].current(db), sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_texts_are_read_again_only_after_a_publish_or_an_erased_author(app, runner):
    author = add_user(app, "author@example.org", "trainer", None)
    upload(app, "first-upload", author)
    upload(app, "second-upload", author)
    entries, sent = current(app)
    assert {entries[m].author for m in ("first-upload", "second-upload")} == {"author@example.org"}
    assert any("yaml_text" in s for s in sent)  # the first time, the rows and their texts

    again, sent = current(app)
    assert again == entries
    assert len(sent) == 1 and "yaml_text" not in sent[0]  # then one light query

    version = upload(app, "second-upload", author, title="A new title")
    entries, sent = current(app)
    assert entries["second-upload"].module.version == version
    assert entries["second-upload"].module.title == "A new title"

    assert runner.invoke(main, ["users", "erase", "author@example.org", "--yes"]).exit_code == 0
    entries, _ = current(app)
    assert entries["first-upload"].author is None and entries["second-upload"].author is None
