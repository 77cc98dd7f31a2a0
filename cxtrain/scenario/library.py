"""A library: the roles ladder, modules and tracks found in one or more folders.

Layout of a library folder::

    roles.yaml          the role ladder (id -> title, level, line_of_sight)
    badges.yaml         badge rules (read by cxtrain.gamify)
    tracks/*.yaml       tracks: ordered lists of module ids
    **/*.yaml           every other YAML file is a module
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import languages
from .findings import Finding, ScenarioError
from .loading import load_module, load_plain
from .model import Module
from .schema import RolesFileSchema, TrackSchema
from .source_map import SourceMap
from .suggest import did_you_mean, one_of

ROLES_FILE = "roles.yaml"
BADGES_FILE = "badges.yaml"
TRACKS_DIR = "tracks"
_SPECIAL = {ROLES_FILE, BADGES_FILE}


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    title: str
    level: int
    line_of_sight: str
    language: str | None = None  # roles.yaml's `language:`, a BCP 47 tag like a module's
    titles: tuple[tuple[str, str], ...] = ()  # (tag, title) from the role's `titles:`, tags normalised

    def title_for(self, language: str | None) -> tuple[str, str | None]:
        """The title to show on a page in ``language``, and the language it is in: the translation
        :func:`languages.pick` chooses, else ``title`` in the file's own language."""
        tag = languages.pick((tag for tag, _ in self.titles), language)
        if tag is None:
            return self.title, self.language
        return dict(self.titles)[tag], tag


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    title: str
    summary: str
    modules: tuple[str, ...]
    path: str = ""
    source: SourceMap | None = field(default=None, compare=False, repr=False)
    """Where each part of the track file is, for findings."""


@dataclass(slots=True)
class Library:
    """Everything that loaded, plus findings for what did not."""

    roles: dict[str, Role] = field(default_factory=dict)
    modules: dict[str, Module] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def ladder(self) -> list[Role]:
        """Roles from the most junior to the most senior."""
        return sorted(self.roles.values(), key=lambda r: (r.level, r.id))

    def by_role(self) -> dict[str, list[Module]]:
        grouped: dict[str, list[Module]] = {r.id: [] for r in self.ladder()}
        for module in sorted(self.modules.values(), key=lambda m: (m.title, m.id)):
            grouped.setdefault(module.role, []).append(module)
        return grouped


def bundled_path() -> Path:
    """The library shipped with cxtrain (``scenarios/`` in the source tree)."""
    return Path(str(importlib.resources.files("cxtrain_scenarios")))


def read_roles(path: Path) -> tuple[dict[str, Role], SourceMap]:
    """The role ladder in ``path``, and where each part of the file is (for lint)."""
    data, source = load_plain(RolesFileSchema(), path.read_bytes(), str(path))
    language = languages.normalize(data["language"]) if data.get("language") else None
    roles = {
        role_id: Role(
            role_id,
            v["title"],
            v["level"],
            v["line_of_sight"],
            language,
            tuple((languages.normalize(tag), text) for tag, text in v["titles"].items()),
        )
        for role_id, v in data["roles"].items()
    }
    return roles, source


def load_roles(path: Path) -> dict[str, Role]:
    return read_roles(path)[0]


def load_track(path: Path) -> Track:
    data, source = load_plain(TrackSchema(), path.read_bytes(), str(path))
    return Track(data["id"], data["title"], data["summary"], tuple(data["modules"]), str(path), source)


def ladder_files(roles_files: Sequence[Path]) -> list[Path]:
    """The roles files that make a library's ladder, in order: the bundled one, then ``roles_files``.

    A later file adds roles and replaces those with its ids (as a later folder's module replaces
    an earlier one): a folder's roles.yaml extends the bundled ladder rather than standing for
    it, so the bundled modules, which the service always offers, keep their roles."""
    bundled = bundled_path() / ROLES_FILE
    rest = [p for p in roles_files if p.resolve() != bundled.resolve()]
    return [bundled, *rest]


@cache
def bundled_module_ids() -> frozenset[str]:
    """The ids of the bundled modules (files that do not load are left out)."""
    return frozenset(load_library([bundled_path()]).modules)


def find_roles_file(start: Path) -> Path:
    """The nearest roles.yaml in ``start`` or a parent folder, else the bundled one."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.resolve().parents):
        if (candidate / ROLES_FILE).is_file():
            return candidate / ROLES_FILE
    return bundled_path() / ROLES_FILE


def yaml_files(folder: Path) -> Iterator[Path]:
    """The YAML files under ``folder``, whatever the case of their suffix: a file saved as
    "Module.YAML" is a module too, not silently skipped."""
    return (p for p in folder.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file())


def module_files(folder: Path) -> list[Path]:
    """Module files in a library folder, sorted, skipping roles, badges and tracks."""
    found = []
    for path in sorted(yaml_files(folder)):
        relative = path.relative_to(folder)
        if relative.parts[0] == TRACKS_DIR or (len(relative.parts) == 1 and path.name in _SPECIAL):
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        found.append(path)
    return found


def load_library(folders: Sequence[Path | str], roles_file: Path | None = None) -> Library:
    """Load every folder in turn; a later folder's module replaces an earlier one's with the same id.

    That lets an organisation override a bundled module by dropping its own
    version into a folder listed in ``CXTRAIN_SCENARIOS``.
    """
    library = Library()
    folder_paths = [Path(f) for f in folders]
    if roles_file is not None:
        roles_paths = [roles_file]
    else:
        roles_paths = [f / ROLES_FILE for f in folder_paths if (f / ROLES_FILE).is_file()]
    for path in ladder_files(roles_paths):
        try:
            library.roles.update(load_roles(path))
        except ScenarioError as exc:
            library.findings.extend(exc.findings)
    for folder in folder_paths:
        for path in module_files(folder):
            try:
                module = load_module(path.read_bytes(), str(path))
            except ScenarioError as exc:
                library.findings.extend(exc.findings)
                continue
            library.modules[module.id] = module
            library.paths[module.id] = str(path)
        tracks_dir = folder / TRACKS_DIR
        if tracks_dir.is_dir():
            for path in sorted(tracks_dir.glob("*.y*ml")):
                try:
                    track = load_track(path)
                except ScenarioError as exc:
                    library.findings.extend(exc.findings)
                    continue
                library.tracks[track.id] = track
    return library


def role_findings(module: Module, roles: Mapping[str, Role]) -> list[Finding]:
    """An error if the module's role is not on the ladder."""
    return unknown_role_findings(module.role, roles, module.source)


def unknown_role_findings(role: str, roles: Mapping[str, Role], source: SourceMap | None) -> list[Finding]:
    """An error if ``role`` is not on the ladder (also for a module refused for other reasons)."""
    if not roles or role in roles:
        return []
    line, col = source.at(("role",)) if source else (1, 1)
    path = source.path if source else "<text>"
    return [
        Finding(
            path,
            line,
            col,
            "error",
            "unknown-role",
            f"The role '{role}' is not in roles.yaml.{did_you_mean(role, roles)} Roles: {one_of(roles)}.",
        )
    ]


def track_findings(tracks: Iterable[Track], module_ids: Iterable[str]) -> list[Finding]:
    """Errors for tracks naming modules that are not in the library."""
    known = set(module_ids)
    out: list[Finding] = []
    for track in tracks:
        for index, module_id in enumerate(track.modules):
            if module_id not in known:
                line, col = track.source.at(("modules", index)) if track.source else (1, 1)
                out.append(
                    Finding(
                        track.path,
                        line,
                        col,
                        "error",
                        "unknown-module",
                        f"The track names the module '{module_id}', which is not in the library."
                        f"{did_you_mean(module_id, known)}",
                    )
                )
    return out
