"""The reminder email: its plain-text and HTML parts from templates/mail/, and its headers.

Both parts say the same thing; the plain one is the reference (read by some clients, screen
readers and spam filters). Links are absolute, built on CXTRAIN_PUBLIC_URL: the caller renders
inside a request context whose base URL is the public one (see :func:`public_context`).

Headers beyond the usual: ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058) let
mail clients show their own "Unsubscribe" button, which POSTs to the signed link; and
``Auto-Submitted: auto-generated`` (RFC 3834) keeps out-of-office replies away.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from flask import Flask, render_template, url_for
from flask_babel import force_locale

from ..gamify.reminders import Reason
from ..store.models import User
from .i18n import mail_language
from .unsubscribe import unsubscribe_url


class _Policy(EmailPolicy):
    """The standard policy, except for the headers whose value is a URL in angle brackets.

    A header line longer than 78 characters is folded, and a single word too long to fold is
    turned into RFC 2047 encoded words; mail clients read List-Unsubscribe as a plain URL and
    would not decode those. So these are written as they are, on one line (well under the
    998 characters SMTP allows).
    """

    def fold(self, name: str, value: str) -> str:
        if name.lower() in URL_HEADERS:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() in URL_HEADERS:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


URL_HEADERS = {"list-unsubscribe"}
POLICY = _Policy()


def public_context(app: Flask) -> AbstractContextManager[Any]:
    """A request context whose URLs are those of CXTRAIN_PUBLIC_URL (scheme, host and any path prefix)."""
    return app.test_request_context("/", base_url=app.config["PUBLIC_URL"].rstrip("/") + "/")


def _recipient(user: User) -> Address | str:
    try:
        return Address(display_name=user.name or "", addr_spec=user.email)
    except (ValueError, IndexError):  # an address the email package cannot parse: let the server judge it
        return user.email


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def compose(user: User, reason: Reason, sender: str, lang: str | None = None) -> EmailMessage:
    """The reminder for ``user``, in ``lang`` (default: the language of their pages when no browser
    asks, see i18n.mail_language); call inside :func:`public_context`."""
    lang = lang or mail_language(user)
    with force_locale(lang):
        return _compose(user, reason, sender, lang)


def _compose(user: User, reason: Reason, sender: str, lang: str) -> EmailMessage:
    context: dict[str, Any] = {
        "name": user.name,
        "email": user.email,
        "due": reason.due,
        "streak": reason.streak,
        "lang": lang,
        "action_url": url_for("progress.practice" if reason.due else "play.modules", _external=True),
        "profile_url": url_for("progress.profile", _external=True),
        "unsubscribe_url": unsubscribe_url(user),
    }
    subject = " ".join(render_template("mail/reminder_subject.txt", **context).split())
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = _recipient(user)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid("reminder", domain=_domain(sender))
    message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template("mail/reminder.txt", **context))
    message.add_alternative(render_template("mail/reminder.html", subject=subject, **context), subtype="html")
    # After the parts: set_content() drops every Content-* header set before it.
    message["Content-Language"] = lang
    return message
