"""Trainer pages: module list with lint status, upload/replace with inline findings, preview-play.

Preview never touches the attempts tables: the path so far lives in the signed session
cookie and the state is rebuilt with engine.replay on every step.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_decimal, format_number, gettext, ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from .. import playview
from ..scenario import engine, lint_text
from ..scenario.source_map import source_lines
from ..scenario.yaml_loader import MAX_BYTES
from ..store import modules as stored
from . import service
from .database import db
from .i18n import content_lang
from .play import play_error
from .security import error_page

bp = Blueprint("trainer", __name__, url_prefix="/trainer")
PREVIEW_KEY = "preview"


@bp.before_request
@login_required
def _trainers_only() -> None:
    if not current_user.is_trainer:
        abort(403)


@bp.get("/modules")
def modules() -> str:
    catalog = service.catalog()
    entries = sorted(catalog.current(db()).values(), key=lambda e: (e.module.role, e.module.title))
    findings = catalog.findings(db(), entries)
    rows = []
    for entry in entries:
        errors = sum(1 for f in findings[entry.module.id] if f.severity == "error")
        warnings = len(findings[entry.module.id]) - errors
        rows.append({"entry": entry, "errors": errors, "warnings": warnings})
    return render_template("trainer/modules.html", rows=rows, library_findings=catalog.library.findings)


# Past this many lines the listing shows only the lines around the findings: a 3 MB module made
# a 21 MB page, which a browser could not take in before the worker's time ran out.
WHOLE_LISTING_LINES = 1000
CONTEXT_LINES = 2


def _annotated(text: str, findings: list[Any]) -> list[dict[str, Any]]:
    """The uploaded text line by line, each with the findings that point at it; for a long text,
    only the lines near a finding, with a ``gap`` entry (first and last line left out) between."""
    lines = source_lines(text) or [""]
    by_line: dict[int, list[Any]] = {}
    for finding in findings:
        by_line.setdefault(min(max(finding.line, 1), len(lines)), []).append(finding)
    if len(lines) <= WHOLE_LISTING_LINES:
        shown = range(1, len(lines) + 1)
    else:
        near = {n + d for n in by_line for d in range(-CONTEXT_LINES, CONTEXT_LINES + 1)}
        shown = sorted(n for n in near if 1 <= n <= len(lines))
    out: list[dict[str, Any]] = []
    previous = 0
    for n in shown:
        if n > previous + 1:
            out.append({"gap": (previous + 1, n - 1)})
        out.append({"number": n, "text": lines[n - 1], "findings": by_line.get(n, [])})
        previous = n
    if previous < len(lines):
        out.append({"gap": (previous + 1, len(lines))})
    return out


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        # ?module=ID: edit in the browser, starting from the text new attempts play now.
        text = ""
        module_id = request.args.get("module")
        if module_id:
            module = service.catalog().get(db(), module_id)
            text = service.catalog().text_of(db(), module_id, module.version) if module else None  # type: ignore[assignment]
            if text is None:
                abort(404)
        return render_template("trainer/upload.html", text=text, lines=None, errors=0)
    uploaded = request.files.get("file")
    if uploaded and uploaded.filename:
        raw, name = uploaded.read(), uploaded.filename
    else:
        # Browsers send a textarea's line ends as CRLF whatever was pasted (_publish makes them
        # LF, as a file's); here also before the size limit, which a pasted module must not miss.
        raw, name = request.form.get("text", "").replace("\r\n", "\n").encode("utf-8"), "pasted.yaml"
    return _publish(raw, name, check_only=request.form.get("action") == "check")


def _publish(raw: bytes, name: str, check_only: bool = False) -> Response | tuple[str, int]:
    """Lint a module's text and publish it as the current upload of its id unless it has errors
    (or only show the findings, for "Check only")."""
    # The same module saved by another editor is the same version: a byte-order mark and CRLF
    # line ends (Windows) would otherwise make a new version of unchanged text, and split its
    # insight in two.
    raw = raw.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n")
    # The core reads the bytes so that a file in another encoding gets a finding at the line
    # of its first foreign character; the page shows what it can of the text meanwhile.
    text = raw.decode("utf-8", errors="replace")
    report = lint_text(raw, name, service.catalog().roles)
    errors = [f for f in report.findings if f.severity == "error"]
    if report.module is None or errors or check_only:
        page = render_template(
            "trainer/upload.html",
            text=text,
            lines=_annotated(text, report.findings),
            errors=len(errors),
            checked=check_only,
        )
        return page, 422 if report.module is None or errors else 200
    module = report.module
    stored.save_version(db(), module.id, module.version, text, stored.UPLOAD, current_user.id)
    service.catalog().keep_findings(db(), module.version, report.findings)
    warnings = len(report.findings)
    values = {"title": module.title, "id": module.id, "version": module.version}
    if warnings:
        flash(
            ngettext(
                "Published “%(title)s” (%(id)s), version %(version)s, with %(num)s warning.",
                "Published “%(title)s” (%(id)s), version %(version)s, with %(num)s warnings.",
                warnings,
                **values,
            )
        )
    else:
        flash(gettext("Published “%(title)s” (%(id)s), version %(version)s.", **values))
    return redirect(url_for("trainer.module", module_id=module.id))


@bp.get("/modules/<module_id>")
def module(module_id: str) -> str:
    catalog = service.catalog()
    entry = catalog.current(db()).get(module_id)
    if entry is None:
        abort(404)
    current = entry.module.version
    versions = [
        {
            "version": row.version,
            "published": row.created_at,
            "by": row.author.email if row.author else gettext("unknown"),
            "current": row.version == current and entry.source == stored.UPLOAD,
        }
        for row in stored.history(db(), module_id)
    ]
    library_version = catalog.library_version(module_id)
    if library_version is not None:  # the folder file underneath any uploads
        versions.append(
            {
                "version": library_version,
                "published": None,
                "by": gettext("library file"),
                "current": entry.source == stored.LIBRARY,
            }
        )
    return render_template("trainer/module.html", module=entry.module, entry=entry, versions=versions)


@bp.get("/modules/<module_id>/versions/<version>.yaml")
def source(module_id: str, version: str) -> Response:
    text = service.catalog().text_of(db(), module_id, version)
    if text is None:
        abort(404)
    response = Response(text, mimetype="application/yaml")
    response.headers["Content-Disposition"] = f'attachment; filename="{module_id}-{version}.yaml"'
    return response


@bp.post("/modules/<module_id>/versions/<version>/restore")
def restore(module_id: str, version: str) -> Response | tuple[str, int]:
    """Make an older version current again: its text is published anew, through the same checks
    as an upload (the roles it names may have changed since)."""
    catalog = service.catalog()
    text = catalog.text_of(db(), module_id, version)
    if text is None:
        abort(404)
    if version == catalog.library_version(module_id):
        # Back to the library file itself, not a copy of today's text: a later edit of the file
        # (or a release that updates a bundled module) then reaches learners again.
        stored.withdraw_uploads(db(), module_id, version, current_user.id)
        flash(gettext("%(id)s is back to its library file, version %(version)s.", id=module_id, version=version))
        return redirect(url_for("trainer.module", module_id=module_id))
    return _publish(text.encode("utf-8"), f"{module_id}.yaml")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    # The form is read (for its CSRF token) before the trainers-only check has run.
    if not getattr(current_user, "is_trainer", False):
        return error_page(413)
    flash(
        gettext(
            "The upload is larger than this server accepts: a module may be at most %(mib)s MiB "
            "(%(bytes)s bytes), as a file or as pasted text. Split the module into smaller ones.",
            mib=format_decimal(MAX_BYTES / 1024 / 1024, "0.##"),
            bytes=format_number(MAX_BYTES),
        )
    )
    return render_template("trainer/upload.html", text="", lines=None, errors=0), 413


def _preview_state(module_id: str) -> tuple[Any, engine.AttemptState, list[list[str]]]:
    catalog = service.catalog()
    module = catalog.get(db(), module_id)
    if module is None:
        # Under `cxtrain preview` this is the page an author reloads after a slip in the file:
        # say there, not only in the module list, which files did not load and why.
        page = render_template(
            "trainer/preview_missing.html", module_id=module_id, library_findings=catalog.library.findings
        )
        abort(make_response(page, 404))
    saved = session.get(PREVIEW_KEY) or {}
    # The path is replayed on the module as it is now: after an edit (an author's save under
    # `cxtrain preview`, or an upload) the preview carries on where it was if those choices still
    # exist, and starts again if not.
    path = saved.get("path", []) if saved.get("module") == module.id else []
    try:
        state = engine.replay(module, [tuple(p) for p in path])
    except engine.PlayError:
        path, state = [], engine.start(module)
    return module, state, path


@bp.get("/preview/<module_id>")
def preview(module_id: str) -> str:
    module, state, _ = _preview_state(module_id)
    if request.args.get("restart"):
        state = engine.start(module)
        session[PREVIEW_KEY] = {"module": module.id, "path": []}
    outcome = service.last_outcome(module, state)
    view = playview.attempt_payload(module, state, outcome)
    view.update(
        title=module.title,
        lang_attrs=content_lang(module.language),
        form_action=url_for("trainer.preview_choose", module_id=module_id),
        csrf_token=generate_csrf(),
        steps=service.steps_text(module, state),
        missed=playview.missed_choices(module, state) if state.finished else [],
    )
    # The checker's findings beside the play: a module with errors previews (it loaded), but an
    # author trying it should not have to go to the module list to learn it cannot be published.
    catalog = service.catalog()
    entry = catalog.current(db()).get(module_id)
    findings = catalog.findings(db(), [entry])[module_id] if entry is not None else []
    return render_template("trainer/preview.html", view=view, module=module, findings=findings)


@bp.post("/preview/<module_id>")
def preview_choose(module_id: str) -> Response:
    module, state, path = _preview_state(module_id)
    node, choice = request.form.get("node", ""), request.form.get("choice", "")
    try:
        engine.choose(module, state, node, choice)
    except engine.PlayError as exc:
        flash(play_error(exc, choice))
    else:
        path = [*path, [node, choice]]
    session[PREVIEW_KEY] = {"module": module.id, "path": path}
    return redirect(url_for("trainer.preview", module_id=module_id))
