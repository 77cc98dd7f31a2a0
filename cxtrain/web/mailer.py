"""Email over SMTP with the standard library, configured by one URL (CXTRAIN_SMTP_URL).

``smtp://user:password@host:587`` upgrades with STARTTLS and refuses a server that does not
offer it (a silent fall-back to plain text would send the password in the clear);
``smtps://host:465`` speaks TLS from the first byte; ``smtp+insecure://host:25`` is plain
text, for a relay on the same host or network only. User name and password are
percent-decoded, so ``%40`` stands for an ``@`` in them.

One :class:`Mailer` is one connection, reused for a whole batch. Failures come in two kinds:
:class:`Refused`, about one message (a mailbox that does not exist, a message the server
will not take): the batch carries on; and :class:`ServerError`, about the server (unreachable,
a wrong password, the connection lost): the batch must stop.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from urllib.parse import unquote, urlsplit

# scheme -> (how the connection is secured, default port)
SCHEMES = {"smtp": ("starttls", 587), "smtps": ("tls", 465), "smtp+insecure": ("plain", 25)}
TIMEOUT_SECONDS = 30.0

# What any email of the service needs: a server, a sender, and the public address its links are
# built on (config key -> the environment variable an admin sets).
REQUIRED_SETTINGS = {
    "SMTP_URL": "CXTRAIN_SMTP_URL",
    "MAIL_FROM": "CXTRAIN_MAIL_FROM",
    "PUBLIC_URL": "CXTRAIN_PUBLIC_URL",
}


def missing_settings(config: Mapping[str, object]) -> list[str]:
    """The environment variables that sending email needs and ``config`` lacks (empty: email is set up)."""
    return [variable for key, variable in REQUIRED_SETTINGS.items() if not config.get(key)]


@dataclass(frozen=True)
class SmtpSettings:
    security: str
    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def describe(self) -> str:
        """The server as it may appear in output and logs: no password, ever."""
        scheme = next(s for s, (security, _) in SCHEMES.items() if security == self.security)
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpSettings:
    """The settings in ``url``; ValueError with a message that never repeats the password."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("not a URL with a valid port, e.g. smtp://user:password@mail.example.org:587") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        known = ", ".join(f"{s}://" for s in SCHEMES)
        raise ValueError(f"the URL must start with one of {known} (it starts with {scheme or 'nothing'!r})")
    if not parts.hostname:
        raise ValueError("the URL names no server, e.g. smtp://user:password@mail.example.org:587")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("the URL has something after the server and port; only user, password, server and port")
    security, default_port = SCHEMES[scheme]
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and username is None:
        raise ValueError("the URL has a password but no user name")
    return SmtpSettings(security, parts.hostname, port or default_port, username, password)


class ServerError(Exception):
    """The mail server cannot be used at all: stop, and say why."""


class Refused(Exception):
    """The server would not take one message. ``permanent`` for a 5xx answer (the same message
    would be refused again); a 4xx one is worth another try later."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}".strip())
        self.code = code
        self.permanent = code >= 500


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class Mailer:
    """An open SMTP connection: ``with Mailer(settings) as mailer: mailer.send(message)``."""

    def __init__(self, settings: SmtpSettings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.settings
        where = s.describe()
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            self._smtp = smtp
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise ServerError(
                        f"the mail server {where} does not offer STARTTLS; use smtps:// if it speaks TLS "
                        "on connect, or smtp+insecure:// for a relay on this host or network only"
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except ServerError:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise ServerError(f"the mail server {where} refused the user name or password ({exc.smtp_code})") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise ServerError(f"cannot use the mail server {where}: {exc or type(exc).__name__}") from exc
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._smtp is not None:
            # The messages are handed over already; a rude goodbye changes nothing.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` (one recipient) to the server; :class:`Refused` or :class:`ServerError`."""
        if self._smtp is None:
            raise ServerError("the connection to the mail server is closed")
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b"refused"))
            raise Refused(code, _text(text)) from exc
        except smtplib.SMTPDataError as exc:
            raise Refused(exc.smtp_code, _text(exc.smtp_error)) from exc
        except smtplib.SMTPNotSupportedError as exc:  # an address in Unicode, to a server without SMTPUTF8
            raise Refused(553, f"the server cannot take this address ({exc})") from exc
        except smtplib.SMTPSenderRefused as exc:
            raise ServerError(
                f"the mail server refuses the sender address {exc.sender!r} ({exc.smtp_code} "
                f"{_text(exc.smtp_error)}); check CXTRAIN_MAIL_FROM"
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ServerError(f"lost the mail server {self.settings.describe()}: {exc or type(exc).__name__}") from exc
