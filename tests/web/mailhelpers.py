"""A real SMTP server in the test process (aiosmtpd on a free loopback port), and learners to remind."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from liveserver import free_port

REFUSED = "refused@example.org"  # answered 550 at RCPT: the mailbox does not exist
BUSY = "busy@example.org"  # answered 450 at RCPT: try again later
GOODBYE = "goodbye@example.org"  # answered 421 at RCPT: the server closes the connection


@dataclass
class Sink:
    """What the server received: one parsed message per accepted DATA, and every RCPT address tried."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)
    sessions: int = 0

    def to(self) -> list[str]:
        return [m["To"].addresses[0].addr_spec for m in self.messages]

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        self.tried.append(address)
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        if address == BUSY:
            return "450 4.2.1 Mailbox busy, try later"
        if address == GOODBYE:
            return "421 4.3.2 Shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        self.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        # Without SMTPUTF8, as many servers still are: an address in Unicode is refused before it is sent.
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=False)

    @property
    def url(self) -> str:
        return f"smtp+insecure://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def add_learner(app, email_address: str, tz: str = "UTC", **fields: object) -> int:  # type: ignore[no-untyped-def]
    """An account straight in the database (the tests here are about mail, not sign-up)."""
    from cxtrain.store import accounts

    with app.extensions["cxtrain.sessionmaker"]() as db:
        user = accounts.create_user(db, email_address, "correct horse battery", "learner", "frontline-associate")
        user.timezone = tz
        for name, value in fields.items():
            setattr(user, name, value)
        db.commit()
        return user.id


def give_due_practice(app, user_id: int, count: int, due: datetime) -> None:  # type: ignore[no-untyped-def]
    """``count`` missed decisions in the learner's practice queue, due at ``due``: real decisions of
    the modules served (the fixture's and the bundled library's), so each is a question the
    practice page can show."""
    from cxtrain.store.models import PracticeItemRow

    with app.extensions["cxtrain.sessionmaker"]() as db:
        modules = sorted((e.module for e in app.extensions["cxtrain.catalog"].current(db).values()), key=lambda m: m.id)
        decisions = [
            (module.id, node) for module in modules for node in module.nodes.values() if len(node.choices) >= 2
        ]
        assert len(decisions) >= count, "not enough decisions in the modules served"
        for module_id, node in decisions[:count]:
            ids = [c.id for c in node.choices]
            db.add(
                PracticeItemRow(
                    user_id=user_id,
                    module_id=module_id,
                    node_id=node.id,
                    best=ids[0],
                    chosen=ids[1],
                    options_json=json.dumps(ids),
                    due_at=due,
                )
            )
        db.commit()


def practised_at(app, user_id: int, *moments: datetime) -> None:  # type: ignore[no-untyped-def]
    """Practice answers at ``moments``: each keeps the learner's streak alive on its local day."""
    from cxtrain.store.models import PracticeAnswer

    with app.extensions["cxtrain.sessionmaker"]() as db:
        for moment in moments:
            db.add(PracticeAnswer(user_id=user_id, choice="listen", correct=True, xp=0, created_at=moment))
        db.commit()


def reminded_on(app, user_id: int):  # type: ignore[no-untyped-def]
    from cxtrain.store.models import User

    with app.extensions["cxtrain.sessionmaker"]() as db:
        return db.get(User, user_id).reminded_on


def wait_for_messages(sink: Sink, count: int, timeout: float = 10.0) -> list[EmailMessage]:
    """The messages once ``count`` have arrived (emails a live server sends from its own thread)."""
    import time

    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sink.messages) >= count, f"{len(sink.messages)} of {count} emails arrived in {timeout} s"
    return sink.messages


def password_link(message: EmailMessage, base: str) -> str:
    """The link to choose a password in ``message`` (plain part), checked against its HTML part."""
    import re

    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    links = re.findall(re.escape(base) + r"/password/(?:reset|invitation)/[A-Za-z0-9._-]+", text)
    assert len(links) == 1, text
    assert f'href="{links[0]}"' in html
    return links[0]


def signed_ago(secret: str, salt: str, payload: object, seconds: int) -> str:
    """A token as itsdangerous would have signed it ``seconds`` ago: its own timestamp, moved back."""
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds

    return URLSafeTimedSerializer(secret, salt=salt, signer=Earlier).dumps(payload)
