"""Lint of files and folders as one library: every module, plus the roles file, the tracks and
the checks that need them all (unique module ids, tracks naming known modules)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from .findings import Finding, ScenarioError
from .library import (
    BADGES_FILE,
    TRACKS_DIR,
    Role,
    Track,
    bundled_module_ids,
    bundled_path,
    find_roles_file,
    ladder_files,
    load_track,
    module_files,
    read_roles,
    track_findings,
)
from .module_lint import lint_text
from .reports import LintResult
from .text_cuts import cut_text_findings


def lint_paths(paths: Sequence[Path | str], roles_file: Path | None = None) -> LintResult:
    """Lint files and folders as one library: per-module findings plus library-wide ones."""
    result = LintResult()
    files: list[Path] = []
    tracks: list[Track] = []

    seen_tracks: set[Path] = set()

    def add_track(track_path: Path) -> None:
        if track_path.resolve() in seen_tracks:
            return
        seen_tracks.add(track_path.resolve())
        try:
            track = load_track(track_path)
        except ScenarioError as exc:
            result.extra.extend(exc.findings)
            return
        tracks.append(track)
        if track.source is not None:
            result.extra.extend(cut_text_findings(track.source))

    def add_roles(path: Path) -> Mapping[str, Role]:
        try:
            roles, source = read_roles(path)
        except ScenarioError as exc:
            result.extra.extend(exc.findings)
            return {}
        result.extra.extend(cut_text_findings(source))
        return roles

    # Keyed by the resolved path: a module names its roles.yaml through find_roles_file, a folder
    # directly, and the same file must be read (and its findings reported) once.
    roles_cache: dict[Path, Mapping[str, Role]] = {}
    file_roles: dict[Path, Mapping[str, Role]] = {}

    def roles_at(path: Path) -> Mapping[str, Role]:
        """The ladder a module is checked against: the bundled one with ``path``'s roles over it,
        as the service builds it (see library.ladder_files)."""
        key = path.resolve()
        if key not in roles_cache:
            ladder: dict[str, Role] = {}
            for file in ladder_files([path]):
                file_key = file.resolve()
                if file_key not in file_roles:
                    file_roles[file_key] = add_roles(file)
                ladder.update(file_roles[file_key])
            roles_cache[key] = ladder
        return roles_cache[key]

    linted_folders: set[Path] = set()
    for raw in paths:
        target = Path(raw)
        if target.is_dir():
            linted_folders.add(target.resolve())
            if roles_file is None and (target / "roles.yaml").is_file():
                roles_at(target / "roles.yaml")  # checked even when the folder has no module yet
            files.extend(module_files(target))
            tracks_dir = target / TRACKS_DIR
            if tracks_dir.is_dir():
                for track_path in sorted(tracks_dir.glob("*.y*ml")):
                    add_track(track_path)
        elif target.is_file():
            if target.parent.name == TRACKS_DIR:
                add_track(target)
                continue
            if target.name == BADGES_FILE:
                continue  # badges are checked by cxtrain.gamify (see cli.py)
            if target.name == "roles.yaml":
                roles_at(target)
                continue
            files.append(target)
        else:
            result.extra.append(Finding(str(target), 1, 1, "error", "not-found", "No such file or folder."))
    # A file named twice ("lint lib lib/a.yaml") is one module, not a duplicate of itself.
    unique: dict[Path, Path] = {}
    for file in files:
        unique.setdefault(file.resolve(), file)
    first_seen: dict[str, tuple[str, int]] = {}
    for file in unique.values():
        roles = roles_at(roles_file or find_roles_file(file))
        try:
            text = file.read_bytes()
        except OSError as exc:
            result.extra.append(Finding(str(file), 1, 1, "error", "not-found", f"Cannot read: {exc}"))
            continue
        report = lint_text(text, str(file), roles)
        result.reports.append(report)
        module = report.module
        if module is not None:
            line, col = module.source.at(("id",)) if module.source else (1, 1)
            if module.id in first_seen:
                other, other_line = first_seen[module.id]
                report.findings.append(
                    Finding(
                        str(file),
                        line,
                        col,
                        "error",
                        "duplicate-module-id",
                        f"The module id '{module.id}' is already used by {other}:{other_line}. "
                        "Module ids must be unique in a library; rename one.",
                    )
                )
            else:
                first_seen[module.id] = (str(file), line)
    if tracks:
        # The service offers the bundled modules beside any folder: a track may name them.
        bundled = set() if bundled_path().resolve() in linted_folders else set(bundled_module_ids())
        result.extra.extend(track_findings(tracks, {*first_seen, *bundled}))
    return result
