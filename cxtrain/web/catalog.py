"""Which modules the service offers: folder libraries overridden by trainer uploads.

Folder modules are loaded once per worker. Uploaded modules live in the database; a
cheap query for the newest upload of each id tells a worker when its cache is stale,
so several workers and hosts agree without any shared memory. Parsed modules are
cached by (id, version): a version's text never changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..scenario import Library, Module, ModuleReport, Role, bundled_path, lint_text, load_library, load_module
from ..store import modules as stored


@dataclass(frozen=True, slots=True)
class Entry:
    """A module on offer, where it came from and, for uploads, who uploaded it."""

    module: Module
    source: str  # "library" or "upload"
    author: str | None = None
    path: str | None = None


class Catalog:
    def __init__(self, folders: list[str]) -> None:
        self.folders = [bundled_path(), *(Path(f) for f in folders)]
        self._library: Library | None = None
        self._texts: dict[str, str] = {}
        self._parsed: dict[tuple[str, str], Module] = {}
        self._lint: dict[str, ModuleReport] = {}
        self._texts_by_version: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def library(self) -> Library:
        with self._lock:
            if self._library is None:
                library = load_library(self.folders)
                for module_id, path in library.paths.items():
                    self._texts[module_id] = Path(path).read_text(encoding="utf-8")
                self._library = library
            return self._library

    @property
    def roles(self) -> dict[str, Role]:
        return self.library.roles

    def current(self, db: Session) -> dict[str, Entry]:
        """Every module on offer now, by id (an upload overrides a folder module with its id)."""
        lib = self.library
        entries = {mid: Entry(m, stored.LIBRARY, path=lib.paths.get(mid)) for mid, m in lib.modules.items()}
        for module_id, row in stored.current_uploads(db).items():
            module = self._parse(module_id, row.version, row.yaml_text)
            self._texts_by_version[row.version] = row.yaml_text
            entries[module_id] = Entry(module, stored.UPLOAD, row.author.email if row.author else None)
        return entries

    def get(self, db: Session, module_id: str) -> Module | None:
        entry = self.current(db).get(module_id)
        return entry.module if entry else None

    def pinned(self, db: Session, module_id: str, version: str) -> Module | None:
        """The exact version an attempt started on, from memory, the folders or the database."""
        module = self._parsed.get((module_id, version))
        if module is not None:
            return module
        lib_module = self.library.modules.get(module_id)
        if lib_module is not None and lib_module.version == version:
            return lib_module
        row = stored.find_version(db, module_id, version)
        return self._parse(module_id, version, row.yaml_text) if row else None

    def pin(self, db: Session, module: Module) -> None:
        """Keep the text of a folder module that an attempt is about to use, so it stays playable
        after the file is edited or removed."""
        text = self._texts.get(module.id)
        if text is None or (module.id, module.version) in self._parsed:
            return
        stored.save_version(db, module.id, module.version, text, source=stored.LIBRARY)
        self._parsed[(module.id, module.version)] = module

    def text_of(self, db: Session, module_id: str, version: str) -> str | None:
        """The exact YAML text of one version: the folder file's, or a stored upload or pin."""
        lib_module = self.library.modules.get(module_id)
        if lib_module is not None and lib_module.version == version:
            return self._texts.get(module_id)
        row = stored.find_version(db, module_id, version)
        return row.yaml_text if row is not None else None

    def library_version(self, module_id: str) -> str | None:
        """The version of the folder file with this id, if there is one (an upload may override it)."""
        lib_module = self.library.modules.get(module_id)
        return lib_module.version if lib_module is not None else None

    def _parse(self, module_id: str, version: str, text: str) -> Module:
        key = (module_id, version)
        if key not in self._parsed:
            self._parsed[key] = load_module(text, f"{module_id}.yaml")
        return self._parsed[key]

    def lint(self, entry: Entry) -> ModuleReport:
        """Lint report of a module on offer (cached by version: linting explores the whole graph)."""
        module = entry.module
        if module.version not in self._lint:
            text = self._texts_by_version.get(module.version) or self._texts.get(module.id, "")
            self._lint[module.version] = lint_text(text, entry.path or f"{module.id}.yaml", self.roles)
        return self._lint[module.version]
