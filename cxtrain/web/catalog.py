"""Which modules the service offers: folder libraries overridden by trainer uploads.

Folder modules are loaded once per process (under `cxtrain serve`, once before it forks its
workers). Uploaded modules live in the database; a cheap query for the newest upload of each
id tells a worker when its cache is stale, so several workers and hosts agree without any
shared memory. Parsed modules are cached by (id, version): a version's text never changes.

Lint findings are kept in the database under the text's version and the lint context (the
checks and the role ladder), so that listing the modules never explores them in a request:
`cxtrain serve` lints what is missing before its workers start, and a publish stores the
findings it has just computed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..scenario import Finding, Library, Module, Role, bundled_path, lint_module, load_library, load_module
from ..scenario.fingerprint import lint_context
from ..scenario.library import yaml_files
from ..store import lint_cache
from ..store import modules as stored
from .lint_workers import lint_texts

log = logging.getLogger(__name__)

# Findings stored for another context stop being read at once (their key never comes up again);
# they are deleted after a while rather than at once, so that during a rolling upgrade the hosts
# still on the old release keep theirs.
LINT_CACHE_KEEP = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Entry:
    """A module on offer, where it came from and, for uploads, who uploaded it."""

    module: Module
    source: str  # "library" or "upload"
    author: str | None = None
    path: str | None = None


class Catalog:
    def __init__(self, folders: list[str], *, watch: bool = False) -> None:
        self.folders = [bundled_path(), *(Path(f) for f in folders)]
        # `cxtrain preview`: look at the folders' files on every use and load them again when one
        # changed, so an author sees an edit on the next page load. Off for `cxtrain serve`, whose
        # library changes only with a restart and whose requests should not stat every file.
        self._watch = watch
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._library: Library | None = None
        self._texts: dict[str, str] = {}
        self._parsed: dict[tuple[str, str], Module] = {}
        self._lint: dict[str, list[Finding]] = {}
        self._texts_by_version: dict[str, str] = {}
        self._library_entries: tuple[Library | None, dict[str, Entry]] = (None, {})
        self._upload_entries: tuple[dict[str, stored.UploadHead] | None, dict[str, Entry]] = (None, {})
        self._lock = threading.Lock()

    @property
    def library(self) -> Library:
        with self._lock:
            if self._watch and self._library is not None and _signature(self.folders) != self._signature:
                self._library = None
                self._texts = {}
                # Findings depend on the role ladder, which may be the file that changed.
                self._lint.clear()
                self.__dict__.pop("lint_context", None)
            if self._library is None:
                if self._watch:
                    self._signature = _signature(self.folders)
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
        if self._library_entries[0] is not lib:
            entries = {mid: Entry(m, stored.LIBRARY, path=lib.paths.get(mid)) for mid, m in lib.modules.items()}
            self._library_entries = (lib, entries)
        return {**self._library_entries[1], **self._uploads(db)}

    def _uploads(self, db: Session) -> dict[str, Entry]:
        """The newest upload of each uploaded id. Every attempt start and module list asks, so a
        light query of the newest rows' ids, versions and authors says first whether the entries
        read last time still hold; only a publish, a "make current" or an erased author has the
        rows (with their whole texts) read again."""
        heads = stored.upload_heads(db)
        cached_heads, cached = self._upload_entries
        if heads == cached_heads:
            return cached
        entries = {}
        for module_id, row in stored.current_uploads(db).items():
            module = self._parse(module_id, row.version, row.yaml_text)
            self._texts_by_version[row.version] = row.yaml_text
            entries[module_id] = Entry(module, stored.UPLOAD, row.author.email if row.author else None)
        self._upload_entries = (heads, entries)
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

    @cached_property
    def lint_context(self) -> str:
        """The key, besides a text's version, of its stored findings (see scenario.fingerprint)."""
        return lint_context(self.roles)

    def findings(self, db: Session, entries: Sequence[Entry]) -> dict[str, list[Finding]]:
        """Lint findings of the modules on offer, by module id: from this worker's memory, else
        from the database, else linted now and stored for every other worker too."""
        missing = {e.module.version: e for e in entries if e.module.version not in self._lint}
        if missing:
            found = lint_cache.stored(db, self.lint_context, {v: _lint_path(e) for v, e in missing.items()})
            # Linting the catalog's own module object shares its state exploration with grading.
            fresh = {v: lint_module(e.module, self.roles)[1] for v, e in missing.items() if v not in found}
            if fresh:
                self._store_findings(db, fresh)
            with self._lock:
                self._lint.update(found)
                self._lint.update(fresh)
        return {e.module.id: self._lint[e.module.version] for e in entries}

    def keep_findings(self, db: Session, version: str, findings: Iterable[Finding]) -> None:
        """Store the findings just computed for a published text, so nobody lints it again."""
        self._store_findings(db, {version: findings})

    def _store_findings(self, db: Session, results: Mapping[str, Iterable[Finding]]) -> None:
        # The table is a cache: a write that fails (a busy SQLite file past its timeout) must not
        # fail the page or the publish that has already succeeded; the next miss lints again.
        try:
            lint_cache.store(db, self.lint_context, results)
        except SQLAlchemyError:
            db.rollback()
            log.warning("Could not store lint findings of %d module version(s)", len(results), exc_info=True)

    def warm(self, db: Session, processes: int | None = None) -> int:
        """Load the library and get every module's findings into memory, linting and storing the
        ones not stored yet, on up to ``processes`` processes (default: one per core); returns how
        many were linted. `cxtrain serve` runs it before forking its workers, which inherit the
        result, so that no request waits for either."""
        lint_cache.prune(db, self.lint_context, LINT_CACHE_KEEP)
        entries = list(self.current(db).values())
        found = lint_cache.stored(db, self.lint_context, {e.module.version: _lint_path(e) for e in entries})
        missing: dict[str, tuple[str, str]] = {}
        for entry in entries:
            version = entry.module.version
            if version not in found and version not in missing:
                text = self._texts_by_version.get(version) or self._texts.get(entry.module.id, "")
                missing[version] = (text, _lint_path(entry))
        # Fresh parses, dropped afterwards (made in other processes when there are several): the
        # explorations of a whole library take about a hundred megabytes, which the workers would
        # otherwise inherit.
        linted = lint_texts(list(missing.values()), self.roles, processes)
        fresh = dict(zip(missing, linted, strict=True))
        if fresh:
            lint_cache.store(db, self.lint_context, fresh)
        with self._lock:
            self._lint.update(found)
            self._lint.update(fresh)
        return len(fresh)


def _signature(folders: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """Every YAML file of the folders with its modification time and size: what changes when an
    author saves, adds, renames or deletes a module, a track or the roles."""
    files = []
    for folder in folders:
        for path in yaml_files(folder) if folder.is_dir() else ():
            try:
                stat = path.stat()
            except OSError:  # deleted between the listing and the stat
                continue
            files.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(files))


def _lint_path(entry: Entry) -> str:
    return entry.path or f"{entry.module.id}.yaml"
