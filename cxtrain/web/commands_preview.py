"""`cxtrain preview`: play modules in the browser while writing them, edits showing on reload.

The real service and its trainer preview, on a throwaway instance: a temporary folder with its own
SQLite database, one trainer account, the bundled library plus the author's folders, watched for
changes. The links it prints log the author in (see preview_login). It listens on 127.0.0.1 only
and keeps nothing.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from ..scenario import Library
from ..store import accounts, migrate
from ..store.db import default_url
from .server import port_in_use, run

ACCOUNT = "trainer@preview.local"


def preview_folders(paths: Sequence[Path]) -> list[Path]:
    """The library folders to serve: each folder given, and the folder of each file given (its
    roles.yaml and tracks come with it), once each, in the order given."""
    folders: list[Path] = []
    for path in paths:
        folder = (path if path.is_dir() else path.parent).resolve()
        if folder not in folders:
            folders.append(folder)
    return folders


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(1, 65535),  # 0 would let the system pick one, which the links could not name
    help="Port to listen on (127.0.0.1 only).",
)
def preview(paths: tuple[Path, ...], port: int) -> None:
    """Play modules in the browser while you write them: save a file, reload the page.

    PATHS are module files or library folders (a file brings its whole folder, with its roles.yaml
    and tracks). They are served with the bundled library by the real service, on
    http://127.0.0.1:PORT only, from a temporary instance that is deleted when you stop it: nothing
    you play is recorded anywhere else."""
    from . import create_app

    _check_port_free(port)
    folders = preview_folders(paths)
    with tempfile.TemporaryDirectory(prefix="cxtrain-preview-") as instance:
        url = default_url(instance)
        token = secrets.token_urlsafe(24)
        app = create_app(
            {
                "INSTANCE": instance,
                "DATABASE_URL": url,
                "SCENARIO_FOLDERS": [str(f) for f in folders],
                "WATCH_LIBRARY": True,
                "PREVIEW_LOGIN_TOKEN": token,
                "PREVIEW_ACCOUNT": ACCOUNT,
                # Plain http on the loopback: cookies marked Secure would never come back.
                "SESSION_COOKIE_SECURE": False,
                "REMEMBER_COOKIE_SECURE": False,
            }
        )
        migrate.upgrade(url)
        with app.extensions["cxtrain.sessionmaker"]() as db:
            # Nobody types this password: the printed links log in.
            accounts.create_user(db, ACCOUNT, secrets.token_urlsafe(24), role="trainer", name="Preview")
            db.commit()
        login = f"http://127.0.0.1:{port}/preview/login/{token}?next="
        click.echo(_instructions(app.extensions["cxtrain.catalog"].library, folders, login))
        app.extensions["cxtrain.engine"].dispose()  # no connection may cross gunicorn's fork
        # One process, so that every request sees the same files; threads for the page's assets.
        # No freeze (see server.freeze_loaded_objects): this app replaces its library at every save,
        # and a frozen one would never be freed.
        run(lambda: app, "127.0.0.1", port, workers=1, threads=4, preload_app=True, post_worker_init=None)


def _check_port_free(port: int) -> None:
    """Refuse at once, in a sentence, when the port is taken, typically by a preview still running
    in another terminal."""
    problem = port_in_use("127.0.0.1", port)
    if problem:
        hint = "is another preview running? Stop it, or choose another port with --port."
        raise click.ClickException(f"{problem}; {hint}")


def _instructions(library: Library, folders: Sequence[Path], login: str) -> str:
    """The links to open (each logs in on the way), the modules of the author's folders and what
    failed to load."""
    mine = sorted(
        (module_id for module_id, path in library.paths.items() if any(Path(path).is_relative_to(f) for f in folders))
    )
    lines = [f"Previewing {', '.join(str(f) for f in folders)}; save a file and reload the page to see it."]
    lines += [f"  {login}/trainer/preview/{module_id}" for module_id in mine]
    if not mine:
        lines.append("  (no module there loads yet; the list shows why)")
    lines.append(f"  every module and lint status: {login}/trainer/modules")
    problems = [f for f in library.findings if any(Path(f.path).resolve().is_relative_to(d) for d in folders)]
    lines += [f.format() for f in problems]
    lines.append("Stop with Ctrl-C; the preview keeps nothing.")
    return "\n".join(lines)
