"""The emails that carry a password link: a reset asked for on the "Forgot your password?" page, and
an invitation an admin sends to someone new (``cxtrain users add|import --invite``, ``users invite``,
the account page).

Built like the reminder email (templates/mail/, a plain part and the same in simple HTML, in the
person's language, links on CXTRAIN_PUBLIC_URL), without List-Unsubscribe: each one answers a
request, there is nothing to subscribe to.

Admins' sends go out at once over one connection, and they are told what the server said. The
"Forgot" form's go through :class:`Outbox`, see there why.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from flask import Flask, current_app, render_template, url_for
from flask_babel import force_locale

from ..store import accounts
from ..store.models import User
from . import mailer
from .i18n import mail_language
from .password_links import RESET, Kind, link_for
from .reminder_mail import POLICY, _domain, _recipient, public_context

log = logging.getLogger("cxtrain.mail")


def compose(user: User, kind: Kind, sender: str, lang: str | None = None) -> EmailMessage:
    """The email with ``user``'s link of ``kind``, in ``lang`` (default: their saved language, else
    the configured one); call inside :func:`public_context`."""
    lang = lang or mail_language(user)
    with force_locale(lang):
        return _compose(user, kind, sender, lang)


def _compose(user: User, kind: Kind, sender: str, lang: str) -> EmailMessage:
    hours = int(kind.valid_for.total_seconds() // 3600)
    context: dict[str, Any] = {
        "name": user.name,
        "email": user.email,
        "lang": lang,
        "link": link_for(user, kind),
        "login_url": url_for("auth.login", _external=True),
        "forgot_url": url_for("auth.forgot_password", _external=True),
        "hours": hours,
        "days": hours // 24,
    }
    subject = " ".join(render_template(f"mail/{kind.name}_subject.txt", **context).split())
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = _recipient(user)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(kind.name, domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies
    message.set_content(render_template(f"mail/{kind.name}.txt", **context))
    message.add_alternative(render_template(f"mail/{kind.name}.html", subject=subject, **context), subtype="html")
    message["Content-Language"] = lang  # after the parts: set_content() drops Content-* headers set before
    return message


@dataclass
class Outcome:
    """What became of a batch of links: addresses sent to, refused (with the server's answer), and
    those not tried because the server could not be used (``stopped`` says why)."""

    sent: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    not_tried: list[str] = field(default_factory=list)
    stopped: str | None = None

    @property
    def unsent(self) -> list[str]:
        return [*self.refused, *self.not_tried]


def send_links(app: Flask, users: Sequence[User], kind: Kind) -> Outcome:
    """Email each of ``users`` their link of ``kind`` over one connection. A refused address is noted
    and the rest go on; a server that cannot be used stops the batch. Email must be set up
    (:func:`mailer.missing_settings` empty)."""
    outcome = Outcome()
    done = 0  # users tried, sent or refused
    try:
        with mailer.Mailer(mailer.parse_smtp_url(app.config["SMTP_URL"])) as smtp, public_context(app):
            for user in users:
                try:
                    smtp.send(compose(user, kind, app.config["MAIL_FROM"]))
                except mailer.Refused as exc:
                    outcome.refused[user.email] = str(exc)
                else:
                    outcome.sent.append(user.email)
                    log.info("%s link emailed to account %s", kind.name, user.id)  # ids: addresses stay out of logs
                done += 1
    except mailer.ServerError as exc:
        outcome.stopped = str(exc)
        outcome.not_tried = [user.email for user in users[done:]]
    return outcome


class Outbox:
    """Emails sent by a thread of this process, for answers that must not wait for them.

    The "Forgot your password?" form says the same whether or not the address has an open account.
    Were the email sent before answering, the answer would take an SMTP exchange longer exactly when
    there is an account, and its time would say what its words do not. So the form only queues the
    address, and this thread looks the account up and sends. It also keeps a slow or unreachable
    mail server (30 s per try) from holding one of the few workers.

    At most ``size`` jobs wait; beyond that new ones are dropped with a warning (the form's rate
    limits keep honest use far below). The thread ends after a minute without work and starts again
    with the next job. Jobs still waiting when the process stops get 5 seconds.
    """

    IDLE_SECONDS = 60.0

    def __init__(self, app: Flask, size: int = 100) -> None:
        self._app = app
        self._jobs: queue.Queue[Callable[[Flask], None]] = queue.Queue(maxsize=size)
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # the thread's start and end, and the queueing in between
        atexit.register(self.wait, 5.0)

    def put(self, job: Callable[[Flask], None]) -> bool:
        """Queue ``job`` (called with the app, in an app context); False when the queue is full."""
        with self._lock:
            with self._idle:
                self._pending += 1  # before the job is queued: the thread may finish it at once
            try:
                self._jobs.put_nowait(job)
            except queue.Full:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
                log.warning("outbox full: an email asked for was dropped")
                return False
            if self._thread is None:
                # Started on first use, in the worker process: a thread does not survive a fork.
                self._thread = threading.Thread(target=self._run, name="cxtrain-outbox", daemon=True)
                self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every queued job is done (True), or ``timeout`` seconds (False)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                with self._lock:  # put() queues under this lock: nothing can slip in unseen
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            try:
                with self._app.app_context():
                    job(self._app)
            except Exception:
                log.exception("an email job failed")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()


def outbox(app: Flask) -> Outbox:
    box = app.extensions.get("cxtrain.outbox")
    if box is None:
        box = app.extensions.setdefault("cxtrain.outbox", Outbox(app))
    return box  # type: ignore[no-any-return]


def queue_reset(app: Flask, email: str, page_language: str) -> None:
    """Email a reset link to the open account of ``email``, if there is one, from the outbox thread.

    ``page_language`` is the language of the page the person asked from: their email is in it when
    the account has no language of its own."""

    def job(app: Flask) -> None:
        _send_reset(app, email, page_language)

    outbox(app).put(job)


def _send_reset(app: Flask, email: str, page_language: str) -> None:
    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = accounts.find_user(db, email)
        if user is None or not user.active:
            log.info("password reset asked for an address without an open account: nothing sent")
            return
        try:
            with mailer.Mailer(mailer.parse_smtp_url(app.config["SMTP_URL"])) as smtp, public_context(app):
                smtp.send(compose(user, RESET, app.config["MAIL_FROM"], mail_language(user, page_language)))
        except (mailer.ServerError, mailer.Refused) as exc:
            log.warning("password reset link for account %s not sent: %s", user.id, exc)
            return
        log.info("password reset link emailed to account %s", user.id)


def mail_ready() -> bool:
    """Whether this service can email links (server, sender and public address all set)."""
    return not mailer.missing_settings(current_app.config)
