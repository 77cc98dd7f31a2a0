"""Fixtures: XBlock's own toy runtime with recorded events, and blocks parsed from OLX."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from xblock.test.toy_runtime import TOYRUNTIME_KVS
from xblock_support import RecordingRuntime, olx


@pytest.fixture
def runtime() -> Iterator[RecordingRuntime]:
    TOYRUNTIME_KVS.clear()
    yield RecordingRuntime()
    TOYRUNTIME_KVS.clear()


@pytest.fixture
def make_block(runtime: RecordingRuntime) -> Callable[..., Any]:
    """Parse OLX and return the block as the runtime's learner sees it."""

    def make(xml: str | None = None, **attrs: Any) -> Any:
        usage_id = runtime.parse_xml_string(xml if xml is not None else olx(**attrs))
        return runtime.get_block(usage_id)

    return make


@pytest.fixture(scope="session")
def django_translation() -> Any:
    """Django's translation module, set up as in the LMS: the active language is the learner's.

    Django is configured in this process only for its translation machinery (no apps, no
    database); nothing else in the tests reads Django's settings.
    """
    import django
    from django.conf import settings
    from django.utils import translation

    if not settings.configured:
        settings.configure(USE_I18N=True, LANGUAGE_CODE="en-us", INSTALLED_APPS=[])
        django.setup()
    return translation
