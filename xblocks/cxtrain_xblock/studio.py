"""Studio: the editor (``studio_view`` + ``studio_submit``) and the author's preview (``author_view``).

Saving lints first and refuses a module with errors, so a broken scenario never
reaches learners; the findings come back with their line and column for the
editor to show next to the YAML.
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock

from cxtrain.playview import attempt_payload, lang_attributes
from cxtrain.scenario import Module, start

from . import content, rendering, scoring, stats
from .play import PlayError4xx

MAX_YAML_BYTES = 512 * 1024
"""Far above any real module; keeps a paste accident out of the course's content store."""


class StudioMixin:
    """Studio views and the save handler for ScenarioBlock."""

    module: str
    yaml: str
    display_name: str
    weight: float
    max_attempts: int
    grading_policy: str
    stats: dict[str, Any]
    fields: dict[str, Any]
    runtime: Any

    def _(self, text: str) -> str:  # pragma: no cover - overridden by the block
        return text

    def current_module(self) -> Module | None:  # pragma: no cover - provided by PlayMixin
        raise NotImplementedError

    def studio_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Pick a library module or paste YAML; findings of the stored YAML are shown at once."""
        report = content.lint_yaml(self.yaml) if self.yaml.strip() else None
        html = rendering.render(
            "studio.html",
            self._,
            block=self,
            library=content.library_choices(),
            source="yaml" if self.yaml.strip() else "library",
            findings=content.findings_payload(report) if report else [],
            severities=self.severity_names(),
            policies=[(scoring.BEST, self._("Best attempt")), (scoring.LAST, self._("Last attempt"))],
        )
        frag = Fragment(html)
        frag.add_css(rendering.own_asset("cxscenario.css"))
        frag.add_javascript(rendering.own_asset("studio.js"))
        frag.initialize_js(
            "CxScenarioStudio",
            {
                "messages": {
                    "saving": self._("Saving…"),
                    "checking": self._("Checking…"),
                    "clean": self._("No problems found."),
                    "refused": self._("Not saved: fix the errors below first."),
                    "failed": self._("Saving failed. Check your connection and try again."),
                    # The same messages as studio.html's findings, placeholders and all (the script
                    # fills them), so findings after a Check read like those rendered here.
                    "line": self._("Line %(line)s, column %(column)s"),
                    "finding": self._("%(severity)s: %(message)s"),
                    "severities": self.severity_names(),
                }
            },
        )
        return frag

    def severity_names(self) -> dict[str, str]:
        """The lint severities as findings show them, in the viewer's language."""
        return {"error": self._("error"), "warning": self._("warning")}

    def _validated(self, data: Any) -> dict[str, Any]:
        """The fields a Studio submission would set, or a 400 with the findings that stop it."""
        if not isinstance(data, dict):
            raise PlayError4xx(400, "bad-request", self._("Send a JSON object."), findings=[])
        updates: dict[str, Any] = {}
        findings: list[dict[str, Any]] = []
        yaml_text = data.get("yaml")
        module_id = data.get("module")
        if isinstance(yaml_text, str) and yaml_text.strip():
            self._within_size(yaml_text)
            report = content.lint_yaml(yaml_text)
            findings = content.findings_payload(report)
            if report.module is None or any(f["severity"] == "error" for f in findings):
                raise PlayError4xx(400, "invalid-module", self._("The module has errors."), findings=findings)
            updates["yaml"] = content.normalize_yaml(yaml_text).text
            updates["module"] = ""
        elif isinstance(module_id, str) and module_id:
            if module_id not in content.library().modules:
                message = self._("There is no module with this id in the installed library.")
                raise PlayError4xx(400, "unknown-module", message, findings=[])
            updates["module"] = module_id
            updates["yaml"] = ""
        elif "yaml" in data or "module" in data:
            message = self._("Pick a library module or paste a module's YAML.")
            raise PlayError4xx(400, "no-module", message, findings=[])
        if "display_name" in data:
            name = data["display_name"]
            if not isinstance(name, str) or not name.strip():
                raise PlayError4xx(400, "bad-display-name", self._("The display name cannot be empty."), findings=[])
            updates["display_name"] = name.strip()
        if "weight" in data:
            updates["weight"] = self._number(data["weight"], "weight", float)
        if "max_attempts" in data:
            updates["max_attempts"] = int(self._number(data["max_attempts"], "max_attempts", int))
        if "grading_policy" in data:
            if data["grading_policy"] not in scoring.POLICIES:
                message = self._("The grading policy must be 'best' or 'last'.")
                raise PlayError4xx(400, "bad-grading-policy", message, findings=[])
            updates["grading_policy"] = data["grading_policy"]
        updates["_findings"] = findings
        return updates

    def _within_size(self, text: str) -> None:
        """Check and Save refuse the same texts, and say where the limit is."""
        if len(text.encode("utf-8")) > MAX_YAML_BYTES:
            message = self._(
                "The YAML is larger than %(limit)s KiB, far more than any module needs. "
                "Check that only the module was pasted."
            ) % {"limit": MAX_YAML_BYTES // 1024}
            raise PlayError4xx(400, "too-large", message, findings=[])

    def _number(self, value: Any, name: str, kind: type) -> float:
        """A setting's number, or a 400 that names the setting and what it takes."""
        number: float = -1
        if not isinstance(value, bool):
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                number = -1
        # 2.5 attempts is no number of attempts; NaN and infinity are no weight.
        if number < 0 or number != number or number == float("inf") or (kind is int and not number.is_integer()):
            messages = {
                "weight": self._("The weight must be a number of 0 or more, such as 1 or 2.5."),
                "max_attempts": self._(
                    "The maximum number of attempts must be a whole number: 0 for no limit, or 1 or more."
                ),
            }
            raise PlayError4xx(400, f"bad-{name.replace('_', '-')}", messages[name], findings=[], field=name)
        return kind(number)

    def may_author(self) -> bool:
        """Whether the current user may use the editor's handlers.

        A handler URL works for anyone who can see the block, so a learner could call these
        from the LMS: the platform's field data would refuse the write, but the check would still
        lint whatever YAML it is sent, at the server's expense. Studio says who may edit the
        course (``studio_user_permissions``); the LMS says who is course staff. A runtime that
        says neither (the workbench, a test runtime) has no learners to keep out."""
        permissions = self.runtime.service(self, "studio_user_permissions")
        if permissions is not None:
            return bool(permissions.can_write(getattr(self.scope_ids.usage_id, "context_key", None)))
        users = self.runtime.service(self, "user")
        attrs = getattr(users.get_current_user(), "opt_attrs", {}) if users is not None else {}
        return bool(attrs.get("edx-platform.user_is_staff", True))

    def _authors_only(self) -> None:
        if not self.may_author():
            raise PlayError4xx(403, "forbidden", self._("Only the course team can edit this block."), findings=[])

    @XBlock.json_handler
    def studio_submit(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Save ``{"yaml" or "module", "display_name", "weight", ...}``; 400 with ``findings`` on errors."""
        self._authors_only()
        updates = self._validated(data)
        findings = updates.pop("_findings")
        for name, value in updates.items():
            setattr(self, name, value)
        return {"result": "success", "findings": findings}

    @XBlock.json_handler
    def lint(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Check ``{"yaml"}`` without saving (the editor's Check button)."""
        self._authors_only()
        text = data.get("yaml") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise PlayError4xx(400, "bad-request", self._('Send {"yaml": TEXT}.'), findings=[])
        self._within_size(text)
        report = content.lint_yaml(text)
        summary = content.graph_summary(report.module) if report.module is not None else None
        return {"findings": content.findings_payload(report), "summary": summary}

    def author_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """Preview of the first node, the module's graph summary, and learners' choices so far."""
        module = self.current_module()
        report = content.lint_yaml(self.yaml) if self.yaml.strip() else None
        context_vars: dict[str, Any] = {
            "block": self,
            "module": module,
            "findings": content.findings_payload(report) if report else [],
            "severities": self.severity_names(),
            "preview": None,
            "summary": None,
            "stats_rows": [],
            "stats": {},
        }
        if module is not None:
            preview = attempt_payload(module, start(module))
            preview["title"] = module.title
            context_vars["lang_attrs"] = lang_attributes(module.language, self.page_language())  # type: ignore[attr-defined]
            context_vars.update(
                preview=preview,
                summary=content.graph_summary(module),
                stats_rows=stats.table(self.stats, module),
                stats=stats.current(self.stats, module.version),
            )
        frag = Fragment(rendering.render("author.html", self._, **context_vars))
        shared_css = rendering.shared_css()
        if shared_css:
            frag.add_css(shared_css)
        frag.add_css(rendering.own_asset("cxscenario.css"))
        return frag
