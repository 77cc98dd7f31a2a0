"""The catalog of `cxtrain preview` loads its folders again when a file changes; `serve`'s does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxtrain.web.catalog import Catalog

FIXTURES = Path(__file__).parent / "fixtures"
ROLES = """format: 1
roles:
  frontline-associate:
    title: Frontline associate
    level: 2
    line_of_sight: The customer judges all of us by you.
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "parcel.yaml").write_text((FIXTURES / "web-fixture.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "roles.yaml").write_text(ROLES, encoding="utf-8")
    return tmp_path


def retitle(folder: Path, title: str) -> None:
    path = folder / "parcel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("The parcel at the counter", title), encoding="utf-8")


def test_a_watching_catalog_sees_edits_new_files_and_new_roles(folder: Path):
    catalog = Catalog([str(folder)], watch=True)
    first = catalog.library.modules["web-fixture"]
    context = catalog.lint_context
    retitle(folder, "A longer title for the parcel")
    edited = catalog.library.modules["web-fixture"]
    assert edited.title == "A longer title for the parcel" and edited.version != first.version

    (folder / "roles.yaml").write_text(ROLES.replace("title: Frontline associate", "title: Shop floor"))
    assert catalog.roles["frontline-associate"].title == "Shop floor"
    assert catalog.lint_context != context  # findings linted against the old ladder are not reused

    (folder / "parcel.yaml").unlink()
    assert "web-fixture" not in catalog.library.modules


def test_the_services_catalog_keeps_what_it_loaded(folder: Path):
    catalog = Catalog([str(folder)])
    first = catalog.library
    retitle(folder, "A longer title for the parcel")
    assert catalog.library is first
    assert catalog.library.modules["web-fixture"].title == "The parcel at the counter"
