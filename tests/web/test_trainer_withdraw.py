"""Making a module's library file current again withdraws its uploads: the file itself is what
new attempts play from then on, later edits of it included, until someone uploads again."""

from __future__ import annotations

from pathlib import Path

import pytest
from webhelpers import FIXTURES, MODULE, csrf_from, login

from cxtrain.scenario import content_version

ORIGINAL = (FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8")


@pytest.fixture
def scenario_folders(tmp_path: Path) -> list[str]:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "parcel.yaml").write_text(ORIGINAL, encoding="utf-8")
    return [str(folder)]


def _publish(client, text: str):  # type: ignore[no-untyped-def]
    page = client.get("/trainer/upload").get_data(as_text=True)
    return client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": text})


def _current(app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(source, version) of what new attempts at the module play now."""
    from cxtrain.web.database import db

    with app.test_request_context():
        entry = app.extensions["cxtrain.catalog"].current(db())[MODULE]
        return entry.source, entry.module.version


def _restore(client, version: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/trainer/modules/{MODULE}").get_data(as_text=True)
    return client.post(f"/trainer/modules/{MODULE}/versions/{version}/restore", data={"csrf_token": csrf_from(page)})


def test_the_library_file_made_current_again_is_the_file_from_then_on(
    app, app_config, client, trainer, scenario_folders
):  # type: ignore[no-untyped-def]
    from cxtrain.web import create_app

    login(client, trainer)
    library = content_version(ORIGINAL)
    revised = ORIGINAL.replace("The parcel at the counter", "The parcel, revised")
    assert _publish(client, revised).status_code == 302
    assert _current(app) == ("upload", content_version(revised))

    restored = _restore(client, library)
    assert restored.status_code == 302
    page = client.get(restored.headers["Location"]).get_data(as_text=True)
    assert f"{MODULE} is back to its library file, version {library}." in page
    assert "from the library files" in page  # not "uploaded by"
    assert _current(app) == ("library", library)
    assert f"/versions/{content_version(revised)}.yaml" in page  # the upload stays in the history

    # The file is edited (a trainer's folder, or a release updating a bundled module): after a
    # restart the service offers the edit, as it would had nobody ever uploaded.
    path = Path(scenario_folders[0]) / "parcel.yaml"
    edited = ORIGINAL.replace("The parcel at the counter", "The parcel, as the file now says")
    path.write_text(edited, encoding="utf-8")
    restarted = create_app(app_config)
    try:
        assert _current(restarted) == ("library", content_version(edited))
        # An upload after that overrides the file again.
        again = restarted.test_client()
        login(again, trainer)
        assert _publish(again, revised).status_code == 302
        assert _current(restarted) == ("upload", content_version(revised))
    finally:
        restarted.extensions["cxtrain.engine"].dispose()
