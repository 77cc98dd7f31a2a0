"""The trainers' module list reads lint findings stored per module text, and a changed text,
roles file or upload always shows its own fresh status (real app, real SQLite file)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text
from webhelpers import FIXTURES, csrf_from, login

from cxtrain.scenario import content_version
from cxtrain.store.models import LintCacheEntry
from cxtrain.web import create_app

MODULE_ID = "lint-cache-module"
CLEAN = (FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8").replace("id: web-fixture", f"id: {MODULE_ID}")
ONE_WARNING = CLEAN.replace("        feedback: She calms down a little.\n", "")  # missing-feedback
ONE_ERROR = CLEAN.replace("expect: {ending: happy, passed: true}", "expect: {ending: sad}")  # check-failed
ROLES = """roles:
  frontline-associate: {title: Frontline associate, level: 1, line_of_sight: Face to face with the customer.}
  team-manager: {title: Team manager, level: 2, line_of_sight: Through the people on the floor.}
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / f"{MODULE_ID}.yaml").write_text(CLEAN, encoding="utf-8")
    return folder


@pytest.fixture
def scenario_folders(library: Path) -> list[str]:
    return [str(FIXTURES), str(library)]


def _status(client, module_id: str = MODULE_ID) -> str:  # type: ignore[no-untyped-def]
    """The Lint cell of the module's row in the trainers' list, as shown."""
    page = client.get("/trainer/modules").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if f"<code>{module_id}</code>" in r)
    return re.findall(r'<span class="status[^"]*">([^<]*)</span>', row)[0]


def _restarted(app_config: dict[str, object], trainer: str):  # type: ignore[no-untyped-def]
    """A new app on the same database and folders (a restart, or another worker), logged in."""
    app = create_app(app_config)
    client = app.test_client()
    login(client, trainer)
    return app, client


def _rows(app) -> list[LintCacheEntry]:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return list(db.scalars(select(LintCacheEntry)))


def test_findings_are_linted_once_stored_and_read_by_every_later_worker(app, client, trainer, app_config):
    catalog = app.extensions["cxtrain.catalog"]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert catalog.warm(db) == len(catalog.library.modules)  # what `cxtrain serve` does first
        assert catalog.warm(db) == 0
    assert {r.version for r in _rows(app)} == {m.version for m in catalog.library.modules.values()}
    login(client, trainer)
    assert _status(client) == "clean"

    # Stored findings are what a new worker shows: a row rewritten by hand proves that it did not
    # lint the module again.
    with app.extensions["cxtrain.sessionmaker"]() as db:
        row = db.get(LintCacheEntry, (content_version(CLEAN), catalog.lint_context))
        row.findings_json = json.dumps([[1, 1, "error", "check-failed", "stored by the test"]])
        db.commit()
    restarted, again = _restarted(app_config, trainer)
    assert _status(again) == "1 error"
    restarted.extensions["cxtrain.engine"].dispose()

    # The table is only a cache: emptied, the next worker lints again and fills it.
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.execute(delete(LintCacheEntry))
        db.commit()
    assert _status(client) == "clean"  # a running worker keeps what it has read
    restarted, again = _restarted(app_config, trainer)
    assert _status(again) == "clean"
    with restarted.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.count()).select_from(LintCacheEntry)) == len(catalog.library.modules)
    restarted.extensions["cxtrain.engine"].dispose()


def test_a_module_edited_on_disk_shows_its_new_status_after_a_restart(app, client, trainer, app_config, library):
    login(client, trainer)
    assert _status(client) == "clean"

    (library / f"{MODULE_ID}.yaml").write_text(ONE_WARNING, encoding="utf-8")
    restarted, again = _restarted(app_config, trainer)
    assert _status(again) == "1 warning"
    (library / f"{MODULE_ID}.yaml").write_text(ONE_ERROR, encoding="utf-8")
    third, third_client = _restarted(app_config, trainer)
    assert _status(third_client) == "1 error"
    # Each text keeps its own entry; going back to the clean text finds it stored.
    assert {content_version(t) for t in (CLEAN, ONE_WARNING, ONE_ERROR)} <= {r.version for r in _rows(app)}
    for other in (restarted, third):
        other.extensions["cxtrain.engine"].dispose()


def test_an_edited_roles_file_is_a_new_context(app, client, trainer, app_config, library):
    # The module plays a role of the folder's own (a folder's roles add to the bundled ladder).
    own = CLEAN.replace("role: frontline-associate", "role: parcel-desk")
    (library / f"{MODULE_ID}.yaml").write_text(own, encoding="utf-8")
    desk = "  parcel-desk: {title: Parcel desk, level: 1, line_of_sight: The parcel is the customer's.}\n"
    (library / "roles.yaml").write_text(ROLES + desk, encoding="utf-8")
    first, first_client = _restarted(app_config, trainer)
    assert _status(first_client) == "clean"

    (library / "roles.yaml").write_text(ROLES + desk.replace("parcel-desk:", "post-desk:"), encoding="utf-8")
    second, second_client = _restarted(app_config, trainer)
    assert _status(second_client) == "1 error"  # unknown-role, though the module's text is the same
    contexts = {r.context for r in _rows(app) if r.version == content_version(own)}
    assert len(contexts) == 2
    for other in (first, second):
        other.extensions["cxtrain.engine"].dispose()


def test_a_published_upload_stores_its_findings_and_the_list_shows_them(app, client, trainer, app_config):
    login(client, trainer)
    text = ONE_WARNING.replace("The parcel at the counter", "The parcel, uploaded")
    page = client.get("/trainer/upload").get_data(as_text=True)
    assert client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": text}).status_code == 302
    assert content_version(text) in {r.version for r in _rows(app)}  # stored by the publish itself
    assert _status(client) == "1 warning"

    # Another worker, which has never seen the upload, shows the same.
    other, other_client = _restarted(app_config, trainer)
    assert _status(other_client) == "1 warning"
    replaced = ONE_ERROR.replace("The parcel at the counter", "The parcel, uploaded again")
    page = other_client.get("/trainer/upload").get_data(as_text=True)
    post = other_client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": replaced, "action": ""})
    assert post.status_code == 422  # an error is not published: the list still shows the current upload
    fixed = replaced.replace("expect: {ending: sad}", "expect: {ending: happy}")
    post = other_client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": fixed})
    assert post.status_code == 302
    assert _status(client) == "clean" and _status(other_client) == "clean"
    other.extensions["cxtrain.engine"].dispose()


def test_a_failed_write_to_the_cache_fails_neither_the_list_nor_a_publish(app, client, trainer, caplog):
    """The table is a cache: the database refusing the insert (a trigger, here; a busy SQLite file
    in life) leaves the pages working, the findings shown, and the next worker linting again."""
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.execute(
            text(
                "CREATE TRIGGER refuse_lint BEFORE INSERT ON lint_results "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
        )
        db.commit()
    login(client, trainer)
    assert _status(client) == "clean"
    page = client.get("/trainer/upload").get_data(as_text=True)
    uploaded = ONE_WARNING.replace("The parcel at the counter", "The parcel, not cached")
    assert client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": uploaded}).status_code == 302
    assert _status(client) == "1 warning"
    assert _rows(app) == []
    assert "Could not store lint findings" in caplog.text
