"""Open Badges 2.0 documents, so a learner can carry a badge to other platforms.

Three JSON-LD documents, all hosted by the service under ``{base_url}/badges/``:

- ``issuer.json``                     the Profile of the organisation awarding badges
- ``{badge_id}.json``                 the BadgeClass (what the badge means, how it is earned)
- ``assertions/{assertion_id}.json``  the Assertion (this learner earned it on this day)

Verification is "hosted": a verifier fetches the assertion's ``id`` URL and checks
that it answers with the same document. The learner's email is never published:
the recipient is ``sha256$`` + hex(sha256(normalised email + salt)), with the salt
in the assertion so that whoever already knows the email can check it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from html import escape
from typing import Any

from .badges import Badge
from .records import as_utc

CONTEXT = "https://w3id.org/openbadges/v2"


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def issuer_url(base_url: str) -> str:
    return f"{_base(base_url)}/badges/issuer.json"


def badge_class_url(base_url: str, badge_id: str) -> str:
    return f"{_base(base_url)}/badges/{badge_id}.json"


def badge_image_url(base_url: str, badge_id: str) -> str:
    return f"{_base(base_url)}/badges/{badge_id}.svg"


def assertion_url(base_url: str, assertion_id: str) -> str:
    """The hosted verification URL: ``{base_url}/badges/assertions/{assertion_id}.json``."""
    return f"{_base(base_url)}/badges/assertions/{assertion_id}.json"


def hash_email(email: str, salt: str) -> str:
    """``sha256$<hex>`` of the email, trimmed and lower-cased, followed by the salt.

    Lower-casing matches what common backpacks do before comparing, so a learner who
    types their address with a capital letter can still claim the badge.
    """
    identity = email.strip().lower() + salt
    return "sha256$" + hashlib.sha256(identity.encode("utf-8")).hexdigest()


def issuer(base_url: str, name: str, url: str | None = None, email: str | None = None) -> dict[str, Any]:
    """The Issuer Profile. ``email`` is the organisation's contact address, never a learner's."""
    profile: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(base_url),
        "name": name,
        "url": url or _base(base_url),
    }
    if email:
        profile["email"] = email
    return profile


def badge_class(badge: Badge, base_url: str, criteria_url: str | None = None) -> dict[str, Any]:
    """The BadgeClass; its image is the badge's own ``image`` or ``{base_url}/badges/{id}.svg``."""
    criteria: dict[str, Any] = {"narrative": badge.criteria}
    if criteria_url:
        criteria["id"] = criteria_url
    cls: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(base_url, badge.id),
        "name": badge.title,
        "description": badge.description,
        "image": badge.image or badge_image_url(base_url, badge.id),
        "criteria": criteria,
        "issuer": issuer_url(base_url),
    }
    if badge.language:
        # Open Badges 2.0 names the language of a BadgeClass's texts with JSON-LD's @language.
        cls["@language"] = badge.language
    return cls


def open_badge_assertion(
    badge: Badge,
    recipient_email: str,
    issued_on: datetime,
    base_url: str,
    assertion_id: str,
    salt: str,
    embed_badge: bool = False,
) -> dict[str, Any]:
    """The Assertion for one award, ready to serve as JSON at its own ``id`` URL.

    ``badge`` is the BadgeClass URL unless ``embed_badge`` (then the whole BadgeClass,
    which some backpacks accept in a baked image). ``salt`` should be random per
    assertion and stored with it, so the hash cannot be matched across badges.
    """
    if not salt:
        raise ValueError("A salt is required: an unsalted email hash can be reversed by guessing addresses.")
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(base_url, assertion_id),
        "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": hash_email(recipient_email, salt)},
        "badge": badge_class(badge, base_url) if embed_badge else badge_class_url(base_url, badge.id),
        "verification": {"type": "hosted"},
        "issuedOn": as_utc(issued_on).isoformat().replace("+00:00", "Z"),
    }


def badge_svg(badge: Badge, colour: str = "#1f6f8b", title: str | None = None) -> str:
    """A plain, self-contained SVG for a badge without its own image: a disc with the title.

    Served at ``{base_url}/badges/{id}.svg`` so every BadgeClass has an image, as
    Open Badges 2.0 requires, without anyone having to draw one. ``title`` replaces the
    badge's own (a translation, for a page in another language).
    """
    title = escape(badge.title if title is None else title)
    fill = colour if colour.startswith("#") and len(colour) in (4, 7) else "#1f6f8b"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" '
        f'role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<circle cx="128" cy="128" r="120" fill="{escape(fill)}"/>'
        '<circle cx="128" cy="128" r="104" fill="none" stroke="#ffffff" stroke-width="4"/>'
        '<text x="128" y="136" font-family="sans-serif" font-size="22" fill="#ffffff" text-anchor="middle">'
        f"{title}</text></svg>"
    )
