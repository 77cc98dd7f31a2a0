"""A plain (non-editable) `pip install .` must carry the library and the templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_carries_scenarios_templates_and_the_xblock(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    # setuptools still ships a data folder missing from pyproject's `packages`, but warns that it
    # will stop doing so: every folder must be listed there.
    absent = [line.strip() for line in (built.stdout + built.stderr).splitlines() if "is absent from the" in line]
    assert not absent, absent
    [wheel] = tmp_path.glob("cxtrain-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cxtrain_scenarios/roles.yaml" in names
    shipped = {n for n in names if n.startswith("cxtrain_scenarios/") and n.endswith(".yaml")}
    in_tree = {
        "cxtrain_scenarios/" + p.relative_to(ROOT / "scenarios").as_posix()
        for p in (ROOT / "scenarios").rglob("*.yaml")
    }
    assert in_tree <= shipped
    templates = {
        "cxtrain_templates/" + p.relative_to(ROOT / "templates").as_posix()
        for p in (ROOT / "templates").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert templates <= names, templates - names
    assert "cxtrain/scenario/engine.py" in names
    # The service's compiled catalogues are committed and shipped: no compile step at install.
    catalogues = {
        "cxtrain/" + p.relative_to(ROOT / "cxtrain").as_posix()
        for p in (ROOT / "cxtrain" / "web" / "translations").rglob("messages.*")
    }
    assert "cxtrain/web/translations/fr/LC_MESSAGES/messages.mo" in catalogues
    assert catalogues <= names, catalogues - names
    # So are the XBlock's: the LMS reads translations/<lang>/LC_MESSAGES/text.mo from the package.
    xblock_catalogues = {
        "cxtrain_xblock/" + p.relative_to(ROOT / "xblocks" / "cxtrain_xblock").as_posix()
        for p in (ROOT / "xblocks" / "cxtrain_xblock" / "translations").rglob("text.*")
    }
    assert "cxtrain_xblock/translations/fr/LC_MESSAGES/text.mo" in xblock_catalogues
    assert xblock_catalogues <= names, xblock_catalogues - names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "cxscenario = cxtrain_xblock.block:ScenarioBlock" in text
    assert "cxtrain = cxtrain.cli:main" in text
