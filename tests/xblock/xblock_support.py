"""Helpers for the XBlock tests: a small module of our own, OLX for it, a recording runtime, handler calls."""

from __future__ import annotations

import contextlib
import gettext
import json
from importlib.resources import as_file, files
from typing import Any

from webob import Request
from xblock.runtime import Mixologist
from xblock.test.toy_runtime import ToyRuntime

MODULE_YAML = """\
id: test-lost-parcel
title: The lost parcel
role: frontline-associate
summary: A parcel went missing.
minutes: 4
start: counter
nodes:
  counter:
    title: At the counter
    text: A customer says their parcel never arrived.
    customer_link: You are the customer's only contact today.
    choices:
      - id: search
        text: Search the back room with them waiting
        effects: {customer: 20, employee: -5}
        set: [searched]
        feedback: You find it under a shelf.
        next: phone
      - id: form
        text: Hand them a claim form
        effects: {customer: -20}
        feedback: They leave unhappy.
        next: phone
  phone:
    title: The phone rings
    text: The customer calls back.
    customer_link: Every call is a second chance.
    choices:
      - id: tell
        text: Tell them you found it
        when: searched
        effects: {customer: 10}
        feedback: They come to collect it.
        next: happy
      - id: sorry
        text: Say sorry and hang up
        effects: {customer: -10}
        feedback: They complain online.
        next: sad
  happy:
    ending: {title: Parcel returned}
    text: All good.
  sad:
    ending: {title: A lost customer}
    text: Not good.
"""

BEST_PATH = [("counter", "search"), ("phone", "tell")]
WORST_PATH = [("counter", "form"), ("phone", "sorry")]


def olx(yaml_text: str = MODULE_YAML, **attrs: Any) -> str:
    attributes = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return f"<cxscenario {attributes}><![CDATA[\n{yaml_text}]]></cxscenario>"


class LmsLocationMixin:
    """The ``location`` edx-platform mixes into every block (XModuleMixin); ScorableXBlockMixin.rescore reads it."""

    scope_ids: Any

    @property
    def location(self) -> Any:
        return self.scope_ids.usage_id


class RecordingRuntime(ToyRuntime):
    """ToyRuntime that keeps what blocks publish, so tests can count grade events."""

    def __init__(self, user_id: str | None = "learner-1", mixins: tuple[type, ...] = ()) -> None:
        super().__init__(user_id)
        # ToyRuntime takes no mixins; a platform's runtime does, so tests can add what it adds.
        self.mixologist = Mixologist(mixins)
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, block: Any, event_type: str, event_data: dict[str, Any]) -> None:
        self.events.append((event_type, event_data))

    def of(self, event_type: str) -> list[dict[str, Any]]:
        return [data for kind, data in self.events if kind == event_type]


class PlatformI18nService:
    """The ``i18n`` service the LMS and Studio give a block that ships its own catalogues.

    openedx-platform's XBlockI18nService (xmodule/modulestore/django.py) cannot be installed
    here, so this is its lookup for bundled translations, step for step: the ``text`` catalogue in
    ``translations/`` of the block's top-level package, for Django's active language as a locale
    (``to_locale``: "fr-ca" is "fr_CA", which gettext also looks up as "fr"), and Django's own
    translations when that catalogue is missing. The platform builds one for each block each time
    the block asks for the service, so the language is the current request's. (The platform first
    looks for translations pulled with atlas under its ``conf/plugins-locale``; a site has none
    for this block unless it adds some.)
    """

    def __init__(self, block: Any = None, package: str | None = None) -> None:
        from django.conf import settings
        from django.utils import translation

        self.translator: Any = translation
        if package is None:
            package = getattr(block, "unmixed_class", type(block)).__module__.split(".")[0]
        language = translation.get_language() or settings.LANGUAGE_CODE
        # No catalogue for the language (OSError): the platform falls back to Django's translations.
        with as_file(files(package) / "translations") as folder, contextlib.suppress(OSError):
            self.translator = gettext.translation("text", str(folder), [translation.to_locale(language)])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.translator, "gettext" if name == "ugettext" else name)


class PlatformI18nRuntime(RecordingRuntime):
    """RecordingRuntime whose ``i18n`` service is made for the asking block, as the LMS's runtime does."""

    def service(self, block: Any, service_name: str) -> Any:
        service = super().service(block, service_name)  # the block must have declared it
        return PlatformI18nService(block) if service_name == "i18n" else service


class WorkbenchPlatformI18n:
    """``PlatformI18nService`` for the xblock-sdk workbench, named in its ``WORKBENCH["services"]``.

    The workbench makes one service per runtime, without a block, where the platform makes one per
    block: this one does the platform's lookup for this block's package at each call, so the
    language is the request's (Django's LocaleMiddleware picks it from the browser's).
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(PlatformI18nService(package="cxtrain_xblock"), name)


def grade(value: float, only_if_higher: bool | None = None) -> dict[str, Any]:
    """A ``grade`` event as ScorableXBlockMixin publishes it (the block's scores are 0..1)."""
    return {"value": value, "max_value": 1.0, "only_if_higher": only_if_higher}


def call(block: Any, handler: str, data: Any) -> tuple[int, dict[str, Any]]:
    """POST JSON to a handler through the runtime, as the browser does."""
    request = Request.blank("/", method="POST", body=json.dumps(data).encode("utf-8"))
    request.content_type = "application/json"
    response = block.runtime.handle(block, handler, request)
    return response.status_code, json.loads(response.body)


def play(block: Any, path: list[tuple[str, str]]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for node, choice in path:
        status, answer = call(block, "choose", {"node": node, "choice": choice})
        assert status == 200, answer
    return answer


class PlatformUser:
    """What openedx-platform's user service returns: an XBlockUser whose opt_attrs say, among
    others, whether the person is course staff (False for everyone in Studio's own runtime)."""

    def __init__(self, staff: bool) -> None:
        self.opt_attrs = {"edx-platform.user_is_staff": staff}


class PlatformUserService:
    """The ``user`` service as the LMS and Studio provide it (the platform cannot be installed here)."""

    def __init__(self, staff: bool) -> None:
        self.staff = staff

    def get_current_user(self) -> PlatformUser:
        return PlatformUser(self.staff)


class StudioPermissions:
    """Studio's ``studio_user_permissions`` service: whether the user may edit a course."""

    def __init__(self, can_write: bool) -> None:
        self.writes = can_write
        self.asked: list[object] = []

    def can_write(self, course_key: object) -> bool:
        self.asked.append(course_key)
        return self.writes
