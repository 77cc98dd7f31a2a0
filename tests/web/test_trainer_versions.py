"""A trainer's module page: edit in the browser, check without publishing, download any version,
and make an older version current again (new attempts only)."""

from __future__ import annotations

import html
import io

from sqlalchemy import select
from webhelpers import FIXTURES, MODULE, add_user, csrf_from, login, token_for

from cxtrain.scenario import content_version
from cxtrain.store.models import Attempt

LIBRARY_TEXT = (FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8")


def _publish(client, text: str, action: str | None = None):  # type: ignore[no-untyped-def]
    page = client.get("/trainer/upload").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "text": text}
    if action:
        data["action"] = action
    return client.post("/trainer/upload", data=data)


def _versions(client) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    """(version, is current) of each row of the module page's versions table, as shown."""
    page = client.get(f"/trainer/modules/{MODULE}").get_data(as_text=True)
    body = page.split('<table class="modules versions"', 1)[1].split("</table>", 1)[0]
    rows = body.split("<tr>")[2:]  # after the header row
    return [(row.split("<code>", 1)[1].split("</code>", 1)[0], "current</span>" in row) for row in rows]


def test_edit_starts_from_the_current_text_and_check_publishes_nothing(app, client, trainer):
    login(client, trainer)
    listing = client.get("/trainer/modules").get_data(as_text=True)
    assert f'href="/trainer/modules/{MODULE}"' in listing

    edit = client.get(f"/trainer/upload?module={MODULE}").get_data(as_text=True)
    assert html.escape(LIBRARY_TEXT, quote=False) in edit  # the library file's text, ready to change

    revised = LIBRARY_TEXT.replace("The parcel at the counter", "The parcel, revised")
    checked = _publish(client, revised, action="check")
    assert checked.status_code == 200
    page = checked.get_data(as_text=True)
    assert "No errors: ready to publish" in page and "The parcel, revised" in page
    assert [current for _, current in _versions(client)] == [True]  # still only the library file

    broken = _publish(client, revised.replace("next: follow-up", "next: nowhere", 1), action="check")
    assert broken.status_code == 422 and "nowhere" in broken.get_data(as_text=True)

    unknown = client.get("/trainer/upload?module=no-such-module")
    assert unknown.status_code == 404


def test_versions_download_and_make_an_older_one_current(app, client, trainer):
    login(client, trainer)
    first = LIBRARY_TEXT.replace("The parcel at the counter", "The parcel, take one")
    second = LIBRARY_TEXT.replace("The parcel at the counter", "The parcel, take two")
    assert _publish(client, first).status_code == 302
    assert _publish(client, second).status_code == 302

    versions = _versions(client)
    assert len(versions) == 3  # two uploads, newest first, and the library file underneath
    (v2, current2), (v1, current1), (library, current_lib) = versions
    assert (current2, current1, current_lib) == (True, False, False)

    download = client.get(f"/trainer/modules/{MODULE}/versions/{v1}.yaml")
    assert download.status_code == 200
    assert download.get_data(as_text=True) == first  # byte for byte what was uploaded
    assert download.mimetype == "application/yaml"
    assert download.headers["Content-Disposition"] == f'attachment; filename="{MODULE}-{v1}.yaml"'
    assert client.get(f"/trainer/modules/{MODULE}/versions/{library}.yaml").get_data(as_text=True) == LIBRARY_TEXT

    # A learner in the middle of version two keeps it when the trainer goes back to version one.
    learner = app.test_client()
    add_user(app, "learner@example.org")
    headers = token_for(learner, "learner@example.org")
    started = learner.post("/api/attempts", json={"module": MODULE}, headers=headers).get_json()

    page = client.get(f"/trainer/modules/{MODULE}").get_data(as_text=True)
    restored = client.post(f"/trainer/modules/{MODULE}/versions/{v1}/restore", data={"csrf_token": csrf_from(page)})
    assert restored.status_code == 302
    assert [v for v, current in _versions(client) if current] == [v1]
    assert "The parcel, take one" in client.get(f"/trainer/preview/{MODULE}?restart=1").get_data(as_text=True)

    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(Attempt.module_version).where(Attempt.id == started["id"])) == v2
    add_user(app, "newcomer@example.org")
    newcomer = learner.post(
        "/api/attempts", json={"module": MODULE}, headers=token_for(learner, "newcomer@example.org")
    ).get_json()
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(Attempt.module_version).where(Attempt.id == newcomer["id"])) == v1

    # Back to the library file: it is current again (test_trainer_withdraw: the file itself, not a copy).
    page = client.get(f"/trainer/modules/{MODULE}").get_data(as_text=True)
    client.post(f"/trainer/modules/{MODULE}/versions/{library}/restore", data={"csrf_token": csrf_from(page)})
    assert [v for v, current in _versions(client) if current] == [library]


def test_module_pages_are_for_trainers_and_unknown_ones_are_404(app, client, trainer, learner):
    login(client, learner)
    for path in (f"/trainer/modules/{MODULE}", f"/trainer/upload?module={MODULE}"):
        assert client.get(path).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/modules").get_data(as_text=True))})

    login(client, trainer)
    version = _versions(client)[0][0]
    assert client.get("/trainer/modules/no-such-module").status_code == 404
    assert client.get(f"/trainer/modules/{MODULE}/versions/0000.yaml").status_code == 404
    assert client.get(f"/trainer/modules/{MODULE}/versions/{version}.yaml").status_code == 200
    page = client.get(f"/trainer/modules/{MODULE}").get_data(as_text=True)
    missing = client.post(f"/trainer/modules/{MODULE}/versions/0000/restore", data={"csrf_token": csrf_from(page)})
    assert missing.status_code == 404
    no_csrf = client.post(f"/trainer/modules/{MODULE}/versions/{version}/restore")
    assert no_csrf.status_code == 400


def test_a_pasted_module_is_the_same_version_as_its_file(app, client, trainer):
    """Pasted in a browser (lines ending in CRLF) or uploaded as the file it came from, a module is
    one version with one text: LF line ends, as in the file."""
    login(client, trainer)
    text = LIBRARY_TEXT.replace("The parcel at the counter", "The parcel, pasted")
    assert "\r" not in text
    assert _publish(client, text.replace("\n", "\r\n")).status_code == 302
    page = client.get("/trainer/upload").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "file": (io.BytesIO(text.encode()), "parcel.yaml")}
    assert client.post("/trainer/upload", data=form, content_type="multipart/form-data").status_code == 302
    # The file re-published the pasted version: one upload row, above the library file's.
    version = content_version(text)
    assert _versions(client) == [(version, True), (content_version(LIBRARY_TEXT), False)]
    download = client.get(f"/trainer/modules/{MODULE}/versions/{version}.yaml")
    assert download.get_data() == text.encode()
    # Saved on Windows (CRLF) with a byte-order mark, the same file is still the same version.
    windows = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    form = {"csrf_token": csrf_from(page), "file": (io.BytesIO(windows), "parcel.yaml")}
    assert client.post("/trainer/upload", data=form, content_type="multipart/form-data").status_code == 302
    assert _versions(client) == [(version, True), (content_version(LIBRARY_TEXT), False)]
