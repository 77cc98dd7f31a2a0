"""Managers' team view (page and CSV) and trainers' insight per module.

Who may see what (checked on every request, from the user's current row):
- trainers and admins: every team (``?team=``) and every module's insight;
- a learner whose job role is team-manager, department-head, executive or ceo: their own
  team only, with members named but never their emails;
- anyone else: 403.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from ..store import insight as queries
from . import service
from .database import db
from .graph_traffic import edges
from .i18n import role_title
from .insight_module import module_insight
from .insight_svg import histogram_bars, render, share_bar
from .insight_team import Forbidden, TeamReport, is_manager, member_name, percent, team_for, team_report

bp = Blueprint("insight", __name__)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEAMS_PER_PAGE = 100


def cell_marks() -> dict[str, Markup]:
    """Member × module cells, built once per page: a team page has hundreds of them (the column
    header names the module)."""
    return {
        "passed": Markup('<span aria-hidden="true">✓</span><span class="visually-hidden">%s</span>')
        % escape(gettext("passed")),
        "tried": Markup('<span aria-hidden="true">·</span><span class="visually-hidden">%s</span>')
        % escape(gettext("finished, not passed")),
        "none": Markup(""),
    }


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(rows: Iterable[Sequence[object]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(filename)
    return response


def attachment(filename: str) -> str:
    """A Content-Disposition for ``filename``: HTTP headers are Latin-1, so a name in another script
    (a team called 北区) goes in RFC 6266's ``filename*`` beside an ASCII fallback."""
    plain = "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-_") else "-" for ch in filename)
    if plain == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _team_or_abort() -> str | None:
    try:
        return team_for(current_user, request.args.get("team") or None)
    except Forbidden:
        abort(403)


@bp.get("/team")
@login_required
def team() -> str | tuple[str, int] | BaseResponse:
    chosen = _team_or_abort()
    if chosen is None:  # a trainer or admin without a team of their own: pick one
        return _team_picker()
    report = team_report(db(), service.catalog(), chosen, show_email=current_user.is_trainer)
    if not report.members:
        if not current_user.is_trainer:
            abort(404)
        return _team_picker(missing=chosen), 404  # a mistyped or emptied team: say so, offer the list
    # The page names members by their role in the page's language; the CSV keeps roles.yaml's titles.
    titles = {role_id: role_title(role) for role_id, role in service.catalog().roles.items()}
    languages = {mid: entry.module.language for mid, entry in service.catalog().current(db()).items()}
    return render_template(
        "insight/team.html",
        report=report,
        module_languages=languages,
        percent=percent,
        marks=cell_marks(),
        member_name=lambda row: member_name(row, titles),
    )


def _team_picker(missing: str | None = None) -> str:
    """The list of teams to pick from, a page at a time, filtered by the ``q`` prefix."""
    prefix, after = request.args.get("q", "").strip(), request.args.get("after", "")
    page = queries.teams(db(), prefix, after, TEAMS_PER_PAGE + 1)
    more = page[TEAMS_PER_PAGE - 1][0] if len(page) > TEAMS_PER_PAGE else None
    return render_template("insight/teams.html", teams=page[:TEAMS_PER_PAGE], q=prefix, more=more, missing=missing)


@bp.get("/team.csv")
@login_required
def team_csv() -> Response:
    chosen = _team_or_abort()
    if chosen is None:
        abort(404)
    report = team_report(db(), service.catalog(), chosen, show_email=current_user.is_trainer)
    slug = "".join(ch if ch.isalnum() else "-" for ch in chosen) or "team"
    if request.args.get("view") == "roles":
        return csv_response(role_rows(report), f"team-{slug}-roles.csv")
    return csv_response(member_rows(report, current_user.is_trainer), f"team-{slug}-members.csv")


def member_rows(report: TeamReport, with_email: bool) -> list[list[object]]:
    """One row per member: identity, passes, meters, and a column per module (passed / tried / blank)."""
    head: list[object] = [
        "member",
        *(["email"] if with_email else []),
        "job_role",
        "team",
        "modules_passed",
        "own_role_passed",
        "own_role_modules",
        "avg_customer_pct",
        "avg_employee_pct",
    ]
    rows: list[list[object]] = [head + [mid for mid, _title, _role in report.modules]]
    for m in report.members:
        cells: list[object] = [
            m.label,
            *([m.email] if with_email else []),
            m.job_role or "",
            report.team,
            len(m.passed),
            m.own_passed,
            m.own_total,
            percent(m.customer),
            percent(m.employee),
        ]
        for mid, _title, _role in report.modules:
            cells.append("passed" if mid in m.passed else "tried" if mid in m.attempted else "")
        rows.append(cells)
    return rows


def role_rows(report: TeamReport) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            "role",
            "title",
            "members",
            "own_modules",
            "passes_of_own_modules",
            "coverage_pct",
            "attempts",
            "avg_customer_pct",
            "avg_employee_pct",
            "customer_misses_per_attempt",
            "weak_wheel",
        ]
    ]
    for r in report.roles:
        cov, st = r.coverage, r.stats
        rows.append(
            [
                r.role,
                r.title,
                r.members,
                cov.modules if cov else "",
                cov.passed if cov else "",
                percent(cov.share) if cov else "",
                st.attempts if st else 0,
                percent(st.customer) if st else "",
                percent(st.employee) if st else "",
                f"{st.misses_per_attempt:.2f}" if st else "",
                "yes" if report.weak and report.weak.role == r.role else "",
            ]
        )
    return rows


@bp.app_context_processor
def _nav() -> dict[str, object]:
    """base.html asks whether to show the Team link; only pages that render a template pay for it."""

    def show_team_link() -> bool:
        return bool(current_user.is_authenticated and is_manager(current_user))

    return {"show_team_link": show_team_link}


# --- Trainer insight ---------------------------------------------------------------------


def _trainer_only() -> None:
    if not current_user.is_trainer:
        abort(403)


@bp.get("/trainer/insight")
@login_required
def modules() -> str:
    _trainer_only()
    entries = service.catalog().current(db())
    started = queries.module_ids_with_attempts(db(), list(entries))
    rows = sorted(entries.values(), key=lambda e: (e.module.role, e.module.title))
    return render_template("insight/modules.html", rows=rows, started=started)


@bp.get("/trainer/insight/<module_id>")
@login_required
def module(module_id: str) -> str:
    _trainer_only()
    found = service.catalog().get(db(), module_id)
    if found is None:
        abort(404)
    insight = module_insight(db(), service.catalog(), found)
    return render_template(
        "insight/module.html",
        insight=insight,
        graph=render(insight),
        edges=edges(insight),
        histogram=histogram_bars(insight.histogram),
        share_bar=share_bar,
        percent=percent,
    )


@bp.get("/trainer/insight/<module_id>.csv")
@login_required
def module_csv(module_id: str) -> Response:
    _trainer_only()
    found = service.catalog().get(db(), module_id)
    if found is None:
        abort(404)
    insight = module_insight(db(), service.catalog(), found)
    rows: list[list[object]] = [["node", "choice", "next", "count", "share_pct", "wrong_turn", "stopped_here"]]
    for node in insight.nodes:
        for index, c in enumerate(node.choices):
            # Stopped here counts attempts at the situation, not at a choice: on its first row
            # only, so that the column adds up to the attempts that stopped.
            stopped = node.quit if index == 0 else ""
            rows.append([node.id, c.id, c.next, c.count, percent(c.share), "yes" if c.wrong else "", stopped])
    return csv_response(rows, f"insight-{module_id}.csv")


@bp.get("/insight")
@login_required
def home() -> BaseResponse:
    """One link for the nav: trainers land on module insight, managers on their team."""
    if current_user.is_trainer:
        return redirect(url_for("insight.modules"))
    return redirect(url_for("insight.team"))
