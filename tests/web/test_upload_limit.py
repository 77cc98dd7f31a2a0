"""One limit on a module's size, the core's: the upload page takes what the loader reads and
says the limit, on the upload page, for a file or pasted text that is larger."""

from __future__ import annotations

import io

import pytest
from webhelpers import FIXTURES, csrf_from, login

from cxtrain.scenario.yaml_loader import MAX_BYTES
from cxtrain.web import config

LIMIT_TEXT = f"{MAX_BYTES:,}"


def padded(size: int) -> bytes:
    """The fixture module grown to ``size`` bytes with comment lines (still a valid module)."""
    text = (FIXTURES / "web-fixture.yaml").read_bytes()
    line = b"# " + b"x" * 97 + b"\n"
    text += line * ((size - len(text)) // len(line))
    return text + b"#" * (size - len(text) - 1) + b"\n"


def upload(client, data: bytes, as_file: bool):  # type: ignore[no-untyped-def]
    page = client.get("/trainer/upload").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "action": "check"}
    if as_file:
        form["file"] = (io.BytesIO(data), "big.yaml")
    else:
        form["text"] = data.decode()
    return client.post("/trainer/upload", data=form, content_type="multipart/form-data")


def test_the_request_limit_is_the_core_limit_plus_the_form(tmp_path) -> None:
    settings = config.from_environment({"CXTRAIN_INSTANCE": str(tmp_path)})
    assert settings["MAX_CONTENT_LENGTH"] == MAX_BYTES + config.FORM_OVERHEAD
    assert settings["MAX_FORM_MEMORY_SIZE"] == MAX_BYTES + config.FORM_OVERHEAD


@pytest.mark.parametrize("as_file", [True, False], ids=["file", "pasted"])
def test_a_module_the_core_reads_is_not_refused_by_the_web(client, trainer, as_file: bool) -> None:
    # Was a 413 page: the web took 1 MiB (pasted text: Flask's 500 kB) while the core takes 4 MiB.
    login(client, trainer)
    response = upload(client, padded(MAX_BYTES - 1000), as_file)
    assert response.status_code == 200, response.status
    assert "No errors: ready to publish" in response.get_data(as_text=True)


@pytest.mark.parametrize("as_file", [True, False], ids=["file", "pasted"])
def test_a_module_just_over_the_limit_gets_the_core_finding(client, trainer, as_file: bool) -> None:
    login(client, trainer)
    response = upload(client, padded(MAX_BYTES + 10), as_file)
    assert response.status_code == 422, response.status
    html = response.get_data(as_text=True)
    assert "[file-too-large]" in html and f"the limit is {LIMIT_TEXT}" in html


@pytest.mark.parametrize("as_file", [True, False], ids=["file", "pasted"])
def test_a_far_larger_upload_is_told_the_limit_on_the_upload_page(client, trainer, as_file: bool) -> None:
    login(client, trainer)
    response = upload(client, padded(MAX_BYTES + config.FORM_OVERHEAD + 1000), as_file)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert f"a module may be at most 4 MiB ({LIMIT_TEXT} bytes), as a file or as pasted text" in html
    assert 'name="file"' in html and 'name="text"' in html  # the upload form, to try again


def test_pasted_text_is_counted_with_the_line_ends_of_the_file(client, trainer) -> None:
    """Browsers send a textarea's lines ending in CRLF: a module pasted at the limit is not over it."""
    login(client, trainer)
    text = padded(MAX_BYTES)
    assert len(text.replace(b"\n", b"\r\n")) > MAX_BYTES  # as the browser sends it
    page = client.get("/trainer/upload").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "action": "check", "text": text.decode().replace("\n", "\r\n")}
    response = client.post("/trainer/upload", data=form, content_type="multipart/form-data")
    assert response.status_code == 200, response.status
    assert "No errors: ready to publish" in response.get_data(as_text=True)
