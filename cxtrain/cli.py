"""The `cxtrain` command line.

Commands that need the web service (serve, db, users, ...) are loaded only when
called, so that `cxtrain lint` in an editor's save hook starts fast and does not
need a database.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from pathlib import Path

import click

from . import __version__
from .scenario import engine
from .scenario.findings import Finding, ScenarioError
from .scenario.library import find_roles_file, ladder_files, load_roles
from .scenario.lint import lint_paths, lint_text

# name -> "module:attribute" of commands registered lazily by the other layers.
LAZY_COMMANDS: dict[str, str] = {
    "serve": "cxtrain.web.commands_service:serve",
    "preview": "cxtrain.web.commands_preview:preview",
    "db": "cxtrain.web.commands_service:db",
    "users": "cxtrain.web.commands_users:users",
    "tokens": "cxtrain.web.commands_tokens:tokens",
    "insight": "cxtrain.web.commands_insight:insight",
    "reminders": "cxtrain.web.commands_reminders:reminders",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module_name, attr = LAZY_COMMANDS[cmd_name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                # Keep `cxtrain --help` and the core commands working when an optional
                # layer cannot be imported; say why only when the command is used.
                reason = str(exc)

                def unavailable() -> None:
                    raise click.ClickException(f"'{cmd_name}' is not available: {reason}")

                return click.Command(cmd_name, callback=unavailable, help=f"(unavailable: {reason})")
            return getattr(module, attr)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            refusal = _database_refusal(exc)
            if refusal is None:
                raise
            raise click.ClickException(refusal) from exc


def _database_refusal(exc: Exception) -> str | None:
    """One sentence for a database the commands cannot reach (a server that is down, a database
    that does not exist, a wrong password, a folder SQLite cannot write in), instead of a
    traceback of a hundred lines; None for any other error."""
    import sys

    if "sqlalchemy" not in sys.modules:  # no command reached the database
        return None
    from sqlalchemy.exc import InterfaceError, OperationalError

    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    reason = str(exc.orig or exc).strip().splitlines()[0]
    return (
        f"The database cannot be used: {reason}. Check DATABASE_URL (or, for SQLite, that the "
        "instance folder is writable) and that the database server is running and the database exists."
    )


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxtrain")
def main() -> None:
    """cxtrain: customer-centricity training scenarios for every role."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Output format: text lines or JSON with module summaries.",
)
@click.option(
    "--roles",
    "roles_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="roles.yaml to check roles against (default: nearest one, else the bundled one).",
)
def lint(paths: tuple[Path, ...], strict: bool, fmt: str, roles_file: Path | None) -> None:
    """Check module files and folders; exit 1 on any error."""
    result = lint_paths(list(paths), roles_file)
    result.extra.extend(_badge_findings(paths, roles_file))
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(strict), indent=2))
    else:
        for finding in result.findings:
            line = finding.format()
            if strict and finding.severity == "warning":
                line = line.replace(": warning: ", ": error: ", 1)
            click.echo(line)
        modules = len(result.reports)
        errors = sum(1 for f in result.findings if f.severity == "error" or strict)
        warnings = 0 if strict else sum(1 for f in result.findings if f.severity == "warning")
        click.echo(f"{modules} module(s) checked: {errors} error(s), {warnings} warning(s).", err=True)
    sys.exit(1 if result.failed(strict) else 0)


def _badge_findings(paths: tuple[Path, ...], roles_file: Path | None) -> list[Finding]:
    """badges.yaml in a linted folder is checked against that folder's library.

    Badges belong to cxtrain.gamify, a layer above the scenario core, so the core's
    lint does not know them; the command line ties the two together.
    """
    from .gamify.badgefile import lint_badges, read_badges_text
    from .scenario.library import BADGES_FILE, bundled_path, load_library
    from .scenario.text_cuts import cut_text_findings

    findings: list[Finding] = []
    for target in paths:
        badges_path = target / BADGES_FILE if target.is_dir() else target
        if badges_path.name != BADGES_FILE or not badges_path.is_file():
            continue
        try:
            badges, source = read_badges_text(badges_path.read_bytes(), str(badges_path))
        except ScenarioError as exc:
            findings.extend(exc.findings)
            continue
        findings.extend(cut_text_findings(source))
        # Against the library the service would offer: the bundled one, with this folder over it.
        folders = list(dict.fromkeys([bundled_path().resolve(), badges_path.parent.resolve()]))
        findings.extend(lint_badges(badges, load_library(folders, roles_file)))
    return findings


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the module format (for editor completion)."""
    from .scenario.jsonschema import dumps

    text = dumps() + "\n"
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"Cannot write {output}: {exc.strerror or exc}.") from exc
    else:
        click.echo(text, nl=False)


@main.command("library")
@click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--markdown", is_flag=True, help="Print a Markdown overview (as in docs/library.md).")
def library_command(folders: tuple[Path, ...], markdown: bool) -> None:
    """List the modules and tracks of a library by role (default: the bundled one)."""
    from .scenario import bundled_path, load_library

    lib = load_library(list(folders) or [bundled_path()])
    for finding in lib.findings:
        click.echo(finding.format(), err=True)
    by_role = lib.by_role()
    if markdown:
        click.echo(_library_markdown(lib, by_role))
    else:
        for role in lib.ladder():
            click.secho(f"{role.title} ({role.id})", bold=True)
            for module in by_role.get(role.id, []):
                click.echo(f"  {module.id:<40} {module.minutes:>3} min  {module.title}")
        for track in lib.tracks.values():
            click.secho(f"Track {track.id}: {track.title}", bold=True)
            click.echo("  " + " -> ".join(track.modules))
    if any(f.severity == "error" for f in lib.findings):
        sys.exit(1)  # what could be listed was; a script still learns that modules were left out


def _library_markdown(lib, by_role) -> str:  # type: ignore[no-untyped-def]
    lines = []
    for role in lib.ladder():
        modules = by_role.get(role.id, [])
        lines += [f"### {role.title}", "", f"*{role.line_of_sight}*", ""]
        lines += ["| module | minutes | decisions | endings | what it teaches |", "| --- | --- | --- | --- | --- |"]
        for m in modules:
            summary = " ".join(m.summary.split())
            lines.append(
                f"| **{m.title}** (`{m.id}`) | {m.minutes} | {len(m.decision_nodes)} | "
                f"{len(m.ending_nodes)} | {summary} |"
            )
        lines.append("")
    for track in lib.tracks.values():
        lines += [f"### Track: {track.title} (`{track.id}`)", "", " ".join(track.summary.split()), ""]
        for number, module_id in enumerate(track.modules, start=1):
            module = lib.modules.get(module_id)
            title = module.title if module else module_id
            role = lib.roles[module.role].title if module and module.role in lib.roles else ""
            lines.append(f"{number}. {title} ({role}, `{module_id}`)")
        lines.append("")
    return "\n".join(lines)


def _load_for_play(file: Path):  # type: ignore[no-untyped-def]
    roles: dict = {}
    with contextlib.suppress(ScenarioError):
        for path in ladder_files([find_roles_file(file)]):  # the bundled ladder, the folder's over it
            roles.update(load_roles(path))
    report = lint_text(file.read_bytes(), str(file), roles)
    errors = [f for f in report.findings if f.severity == "error" and f.code != "check-failed"]
    if report.module is None or errors:
        for finding in report.findings:
            click.echo(finding.format(), err=True)
        raise click.ClickException("the module has errors; fix them first (see above).")
    return report.module


def _meters_line(module, state) -> str:  # type: ignore[no-untyped-def]
    return "  ".join(f"{m.label}: {state.meters[m.id]}/{m.max}" for m in module.meters)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--path", "path_", help="Comma-separated choice ids to play without asking.")
@click.option("--json", "as_json", is_flag=True, help="Print the play-through's result as JSON.")
def play(file: Path, path_: str | None, as_json: bool) -> None:
    """Play a module in the terminal, or a scripted path with --path."""
    module = _load_for_play(file)
    state = engine.start(module)
    if path_ is not None:
        _scripted(module, state, [c.strip() for c in path_.split(",") if c.strip()], as_json)
    else:
        _interactive(module, state, as_json)


def _scripted(module, state, choices: list[str], as_json: bool) -> None:  # type: ignore[no-untyped-def]
    # Without --json the trainer reads the play-through as a learner would meet it: each
    # situation, the choice taken, its feedback and the meters after it, then the ending.
    if not as_json:
        _echo_title(module)
    for step, choice_id in enumerate(choices, start=1):
        if not as_json:
            _echo_node(module, state)
        try:
            outcome = engine.choose(module, state, state.node, choice_id)
        except engine.PlayError as exc:
            visible = ", ".join(c.id for c in engine.visible_choices(module, state)) or "none"
            raise click.ClickException(
                f"step {step} ('{choice_id}' at '{state.node}'): {exc.message} Choices available here: {visible}."
            ) from exc
        if not as_json:
            picked = next(c for c in module.nodes[state.node].choices if c.id == choice_id)
            click.echo(f"  > {picked.text}")
            _echo_outcome(module, picked, outcome)
        state = outcome.state
    _report(module, state, as_json)
    if not state.finished:
        sys.exit(2)


def _interactive(module, state, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    _echo_title(module)
    while not state.finished:
        _echo_node(module, state)
        visible = engine.visible_choices(module, state)
        for number, choice in enumerate(visible, start=1):
            click.echo(f"  {number}. {choice.text}")
        answer = click.prompt("Your choice (number, or q to quit)", default="", show_default=False)
        answer = answer.strip()
        if answer.lower() in {"q", "quit"}:
            click.echo("Stopped.")
            return
        picked = None
        if answer.isdigit() and 1 <= int(answer) <= len(visible):
            picked = visible[int(answer) - 1]
        else:
            picked = next((c for c in visible if c.id == answer), None)
        if picked is None:
            click.echo("Please type 1." if len(visible) == 1 else f"Please type a number from 1 to {len(visible)}.")
            continue
        outcome = engine.choose(module, state, state.node, picked.id)
        _echo_outcome(module, picked, outcome)
        state = outcome.state
    _report(module, state, as_json)


def _echo_title(module) -> None:  # type: ignore[no-untyped-def]
    click.secho(module.title, bold=True)
    if module.summary:
        click.echo(module.summary)


def _echo_node(module, state) -> None:  # type: ignore[no-untyped-def]
    node = module.nodes[state.node]
    click.echo()
    if node.title:
        click.secho(node.title, bold=True)
    click.echo(node.text.strip())
    if node.customer_link:
        click.secho(f"Line of sight: {node.customer_link}", dim=True)


def _echo_outcome(module, picked, outcome) -> None:  # type: ignore[no-untyped-def]
    if picked.feedback:
        click.echo()
        click.secho(picked.feedback.strip(), fg="cyan")
    for ripple in outcome.ripples:
        click.secho(f"Ripple: {ripple.text.strip()}", fg="yellow")
    click.secho(_meters_line(module, outcome.state), dim=True)


def _report(module, state, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    data = {
        "module": module.id,
        "path": [s.choice for s in state.path],
        "ending": state.node if state.finished else None,
        "meters": dict(state.meters),
        "total": engine.total(module, state),
        "score": None,
        "passed": None,
    }
    if state.finished:
        res = engine.result(module, state)
        data["score"] = round(res.score, 4)
        data["passed"] = res.passed
    if as_json:
        click.echo(json.dumps(data))
        return
    click.echo()
    if not state.finished:
        click.echo(f"The path stops at '{state.node}', before an ending.")
        return
    ending = module.nodes[state.node]
    click.secho(f"Ending: {ending.ending.title}", bold=True)
    click.echo(ending.text.strip())
    click.echo(_meters_line(module, state))
    verdict = "passed" if data["passed"] else "not passed"
    click.echo(f"Score {data['score']:.0%} ({verdict}; pass mark {module.pass_score:.0%}).")


if __name__ == "__main__":
    main()
