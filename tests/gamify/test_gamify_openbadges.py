"""Open Badges 2.0: the assertion, badge class and issuer documents, and the hashed recipient."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from gamify_helpers import at

from cxtrain.gamify import badge_class, badge_svg, issuer, load_badges, open_badge_assertion
from cxtrain.gamify.badges import Badge, Rule

BASE = "https://cx.example.org/"


@pytest.fixture
def badge() -> Badge:
    return next(b for b in load_badges() if b.id == "first-pass")


def test_assertion_is_hosted_json_ld(badge):
    doc = open_badge_assertion(badge, "Ana@Example.org ", at("2024-05-06 09:30"), BASE, "a1b2", "pepper")
    assert doc["@context"] == "https://w3id.org/openbadges/v2"
    assert doc["type"] == "Assertion"
    assert doc["id"] == "https://cx.example.org/badges/assertions/a1b2.json"
    assert doc["verification"] == {"type": "hosted"}
    assert doc["badge"] == "https://cx.example.org/badges/first-pass.json"
    assert doc["issuedOn"] == "2024-05-06T09:30:00Z"
    expected = "sha256$" + hashlib.sha256(b"ana@example.orgpepper").hexdigest()
    assert doc["recipient"] == {"type": "email", "hashed": True, "salt": "pepper", "identity": expected}
    assert "ana@" not in json.dumps(doc).lower()


def test_issued_on_is_converted_to_utc(badge):
    paris = datetime(2024, 5, 6, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    assert open_badge_assertion(badge, "a@b.c", paris, BASE, "x", "s")["issuedOn"] == "2024-05-06T09:30:00Z"


def test_a_salt_is_required(badge):
    with pytest.raises(ValueError, match="salt"):
        open_badge_assertion(badge, "a@b.c", at("2024-05-06 09:30"), BASE, "x", "")


def test_badge_class_and_issuer(badge):
    cls = badge_class(badge, BASE)
    assert cls["type"] == "BadgeClass" and cls["id"] == "https://cx.example.org/badges/first-pass.json"
    assert cls["name"] == "First pass" and cls["criteria"] == {"narrative": "Pass any module."}
    assert cls["image"] == "https://cx.example.org/badges/first-pass.svg"
    assert cls["issuer"] == "https://cx.example.org/badges/issuer.json"
    assert cls["@language"] == "en"  # the bundled badges.yaml says `language: en`
    assert "@language" not in badge_class(Badge("x", "Untold", "d", "c", Rule(passes=1)), BASE)
    embedded = open_badge_assertion(badge, "a@b.c", at("2024-05-06 09:30"), BASE, "x", "s", embed_badge=True)
    assert embedded["badge"] == cls
    profile = issuer(BASE, "Acme Ltd", email="training@acme.example")
    assert profile == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": "https://cx.example.org/badges/issuer.json",
        "name": "Acme Ltd",
        "url": "https://cx.example.org",
        "email": "training@acme.example",
    }


def test_badge_svg_escapes_the_title():
    svg = badge_svg(Badge("x", "<Fish & Chips>", "d", "c", Rule(passes=1)))
    assert svg.startswith("<svg") and "&lt;Fish &amp; Chips&gt;" in svg and "<Fish" not in svg
