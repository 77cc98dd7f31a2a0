"""`cxtrain reminders send` end to end: the real app and CLI, a real SQLite file and a real SMTP server.

Who gets a reminder and why, in which time zone, once a day; what happens when the mail
server refuses one address, or cannot be used at all; and what the email looks like.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from mailhelpers import BUSY, GOODBYE, REFUSED, add_learner, give_due_practice, practised_at, reminded_on

from cxtrain.cli import main

MONDAY_9_UTC = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # 09:00 in London (UTC in winter), a Monday
PUBLIC = "https://cx.example.org/training"


def send(runner, *options: str, now: datetime = MONDAY_9_UTC):  # type: ignore[no-untyped-def]
    return runner.invoke(main, ["reminders", "send", "--now", now.isoformat(), *options])


def test_due_practice_brings_one_email_that_says_how_many(mail_app, runner, smtp):
    uid = add_learner(mail_app, "due@example.org", reminders=True)
    give_due_practice(mail_app, uid, 3, MONDAY_9_UTC - timedelta(hours=9))
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert smtp.sink.to() == ["due@example.org"]
    [message] = smtp.sink.messages
    assert message["Subject"] == "3 practice questions are waiting for you today"
    text = message.get_body(("plain",)).get_content()
    assert "3 practice questions are waiting for you today" in text
    assert f"{PUBLIC}/practice" in text
    assert "sent: due@example.org (UTC): 3 practice questions due" in result.output
    assert "Sent 1, skipped 0, failed 0." in result.output
    assert reminded_on(mail_app, uid) == date(2025, 3, 3)


def test_more_due_than_a_day_offers_counts_only_the_days_share(mail_app, runner, smtp):
    uid = add_learner(mail_app, "many@example.org", reminders=True)
    give_due_practice(mail_app, uid, 9, MONDAY_9_UTC - timedelta(days=3))
    assert send(runner).exit_code == 0
    assert smtp.sink.messages[0]["Subject"] == "5 practice questions are waiting for you today"


def test_questions_whose_module_changed_are_not_counted_so_email_and_page_agree(mail_app, client, runner, smtp):
    import json

    from cxtrain.store.models import PracticeItemRow

    uid = add_learner(mail_app, "edited@example.org", reminders=True)
    give_due_practice(mail_app, uid, 3, MONDAY_9_UTC - timedelta(hours=9))
    with mail_app.extensions["cxtrain.sessionmaker"]() as db:
        for gone in ("a-node-since-deleted", "another-one"):  # the trainer removed these decisions
            options = json.dumps(["listen", "argue"])
            db.add(
                PracticeItemRow(
                    user_id=uid, module_id="web-fixture", node_id=gone, best="listen", chosen="argue",
                    options_json=options, due_at=MONDAY_9_UTC - timedelta(days=2),
                )
            )  # fmt: skip
        db.commit()
    assert send(runner).exit_code == 0
    assert smtp.sink.messages[0]["Subject"] == "3 practice questions are waiting for you today"
    token = client.post("/api/tokens", json={"email": "edited@example.org", "password": "correct horse battery"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert len(client.get("/api/practice", headers=headers).get_json()["items"]) == 3


def test_planning_reads_learners_in_batches_not_one_by_one(mail_app):
    from sqlalchemy import event

    from cxtrain.web.reminders import plan

    def statements_for(count: int, first: int) -> int:
        for n in range(first, first + count):
            give_due_practice(mail_app, add_learner(mail_app, f"batch{n}@example.org", reminders=True), 1, MONDAY_9_UTC)
        seen: list[str] = []
        engine = mail_app.extensions["cxtrain.engine"]

        def note(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        with mail_app.app_context(), mail_app.extensions["cxtrain.sessionmaker"]() as db:
            planned, _ = plan(db, MONDAY_9_UTC, default=False)
        event.remove(engine, "before_cursor_execute", note)
        assert len(planned) == first + count
        return len(seen)

    assert statements_for(2, 0) == statements_for(40, 2)


def test_a_streak_ending_tonight_brings_one_and_a_live_or_short_one_does_not(mail_app, runner, smtp):
    at_risk = add_learner(mail_app, "at-risk@example.org", reminders=True)
    practised_at(mail_app, at_risk, MONDAY_9_UTC - timedelta(days=2), MONDAY_9_UTC - timedelta(days=1))
    done_today = add_learner(mail_app, "done-today@example.org", reminders=True)
    practised_at(mail_app, done_today, MONDAY_9_UTC - timedelta(days=1), MONDAY_9_UTC - timedelta(hours=1))
    one_day = add_learner(mail_app, "one-day@example.org", reminders=True)
    practised_at(mail_app, one_day, MONDAY_9_UTC - timedelta(days=1))
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert smtp.sink.to() == ["at-risk@example.org"]
    [message] = smtp.sink.messages
    assert message["Subject"] == "Keep your 2-day streak going today"
    text = message.get_body(("plain",)).get_content()
    assert "Your streak is 2 days long. It ends tonight" in text
    assert f"{PUBLIC}/modules" in text  # nothing to practise: the link goes to the modules
    assert "Sent 1, skipped 2 (2 nothing due and no streak at risk), failed 0." in result.output
    assert reminded_on(mail_app, done_today) is None


def test_both_reasons_make_one_email(mail_app, runner, smtp):
    uid = add_learner(mail_app, "both@example.org", reminders=True)
    give_due_practice(mail_app, uid, 1, MONDAY_9_UTC - timedelta(hours=9))
    practised_at(mail_app, uid, *(MONDAY_9_UTC - timedelta(days=d) for d in (1, 2, 3, 4)))
    assert send(runner).exit_code == 0
    [message] = smtp.sink.messages
    assert message["Subject"] == "Practice is waiting, and your 4-day streak ends tonight"
    text = message.get_body(("plain",)).get_content()
    assert "One practice question is waiting for you today" in text and "Your streak is 4 days long" in text


def test_no_reason_no_email(mail_app, runner, smtp):
    uid = add_learner(mail_app, "idle@example.org", reminders=True)
    give_due_practice(mail_app, uid, 2, MONDAY_9_UTC + timedelta(days=1))  # due tomorrow, not today
    result = send(runner)
    assert result.exit_code == 0
    assert smtp.sink.messages == [] and smtp.sink.sessions == 0  # not even a connection
    assert "Sent 0, skipped 1 (1 nothing due and no streak at risk), failed 0." in result.output
    assert reminded_on(mail_app, uid) is None


def test_tokyo_and_new_york_each_get_theirs_in_their_own_morning(mail_app, runner, smtp):
    tokyo = add_learner(mail_app, "tokyo@example.org", "Asia/Tokyo", reminders=True)
    new_york = add_learner(mail_app, "new-york@example.org", "America/New_York", reminders=True)
    for uid in (tokyo, new_york):
        give_due_practice(mail_app, uid, 2, datetime(2025, 3, 1, tzinfo=UTC))
    # 23:30 UTC on Monday: 08:30 on Tuesday in Tokyo, 18:30 on Monday in New York.
    evening = send(runner, now=datetime(2025, 3, 3, 23, 30, tzinfo=UTC))
    assert smtp.sink.to() == ["tokyo@example.org"]
    assert "1 outside their morning (08:00-12:00 local time)" in evening.output
    assert reminded_on(mail_app, tokyo) == date(2025, 3, 4)  # Tokyo's date, not UTC's
    # 13:30 UTC on Tuesday: 08:30 in New York (EST), 22:30 in Tokyo.
    send(runner, now=datetime(2025, 3, 4, 13, 30, tzinfo=UTC))
    assert smtp.sink.to() == ["tokyo@example.org", "new-york@example.org"]
    assert reminded_on(mail_app, new_york) == date(2025, 3, 4)
    # In Tokyo on Wednesday, 07:59 is too early and 12:00 too late (New York is in its evening, then night).
    assert "2 outside" in send(runner, now=datetime(2025, 3, 4, 22, 59, tzinfo=UTC)).output
    assert "2 outside" in send(runner, now=datetime(2025, 3, 5, 3, 0, tzinfo=UTC)).output
    assert len(smtp.sink.messages) == 2


def test_once_a_day_however_often_cron_runs(mail_app, runner, smtp):
    uid = add_learner(mail_app, "daily@example.org", reminders=True)
    give_due_practice(mail_app, uid, 2, MONDAY_9_UTC - timedelta(hours=9))
    for minutes in range(0, 60, 10):
        assert send(runner, now=MONDAY_9_UTC + timedelta(minutes=minutes)).exit_code == 0
    assert len(smtp.sink.messages) == 1
    assert "1 already reminded today" in send(runner, now=MONDAY_9_UTC + timedelta(hours=2)).output
    assert send(runner, now=MONDAY_9_UTC + timedelta(days=1)).exit_code == 0  # the questions are still due
    assert len(smtp.sink.messages) == 2


def test_closed_accounts_and_those_who_said_no_get_nothing(mail_app, runner, smtp):
    closed = add_learner(mail_app, "closed@example.org", reminders=True, active=False)
    said_no = add_learner(mail_app, "no@example.org", reminders=False)
    never_chose = add_learner(mail_app, "never@example.org")
    for uid in (closed, said_no, never_chose):
        give_due_practice(mail_app, uid, 2, MONDAY_9_UTC - timedelta(hours=9))
    result = send(runner)
    assert smtp.sink.messages == []
    assert "skipped 3 (2 reminders off, 1 account closed)" in result.output  # the default is off

    mail_app.config["REMINDERS_DEFAULT"] = True
    send(runner)
    assert smtp.sink.to() == ["never@example.org"]  # the default reaches those who never chose, only them


def test_dry_run_sends_nothing_and_marks_nothing(mail_app, runner, smtp):
    uid = add_learner(mail_app, "dry@example.org", "Europe/Paris", reminders=True)
    give_due_practice(mail_app, uid, 2, MONDAY_9_UTC - timedelta(hours=9))
    result = send(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would send: dry@example.org (Europe/Paris): 2 practice questions due" in result.output
    assert "Dry run, nothing sent. Would send 1, skipped 0, failed 0." in result.output
    assert smtp.sink.messages == [] and smtp.sink.sessions == 0
    assert reminded_on(mail_app, uid) is None
    assert send(runner).exit_code == 0 and len(smtp.sink.messages) == 1  # the real run still sends


def test_a_refused_address_is_reported_and_the_batch_goes_on(mail_app, runner, smtp):
    ids = {
        address: add_learner(mail_app, address, reminders=True)
        for address in ("first@example.org", REFUSED, BUSY, "last@example.org")
    }
    for uid in ids.values():
        give_due_practice(mail_app, uid, 1, MONDAY_9_UTC - timedelta(hours=9))
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert smtp.sink.to() == ["first@example.org", "last@example.org"]
    assert smtp.sink.sessions == 1  # one connection for the whole batch
    assert f"failed: {REFUSED}: refused (550 5.1.1 No such mailbox)" in result.output
    assert "Sent 2, skipped 0, failed 2." in result.output
    # A permanent refusal keeps the day (no retry today); a temporary one gives it back.
    assert reminded_on(mail_app, ids[REFUSED]) == date(2025, 3, 3)
    assert reminded_on(mail_app, ids[BUSY]) is None
    smtp.sink.tried.clear()
    send(runner, now=MONDAY_9_UTC + timedelta(hours=1))
    assert smtp.sink.tried == [BUSY]


def test_a_unicode_address_the_server_cannot_take_is_skipped_too(mail_app, runner, smtp):
    for address in ("zoë@example.org", "plain@example.org"):  # the test server offers no SMTPUTF8
        give_due_practice(mail_app, add_learner(mail_app, address, reminders=True), 1, MONDAY_9_UTC)
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert smtp.sink.to() == ["plain@example.org"]
    assert "failed: zoë@example.org: refused (553 the server cannot take this address" in result.output


def test_server_down_stops_with_a_clear_message_and_marks_nobody(mail_app, runner, smtp):
    from liveserver import free_port

    uid = add_learner(mail_app, "waiting@example.org", reminders=True)
    give_due_practice(mail_app, uid, 1, MONDAY_9_UTC - timedelta(hours=9))
    mail_app.config["SMTP_URL"] = f"smtp+insecure://127.0.0.1:{free_port()}"  # nobody listens there
    result = send(runner)
    assert result.exit_code == 1
    assert "stopped: cannot use the mail server smtp+insecure://127.0.0.1:" in result.output
    assert "Sent 0" in result.output
    assert reminded_on(mail_app, uid) is None


def test_a_server_lost_mid_batch_stops_the_run_and_the_rest_are_sent_later(mail_app, runner, smtp):
    ids = [
        add_learner(mail_app, address, reminders=True)
        for address in ("first@example.org", GOODBYE, "third@example.org")
    ]
    for uid in ids:
        give_due_practice(mail_app, uid, 1, MONDAY_9_UTC - timedelta(hours=9))
    result = send(runner)
    assert result.exit_code == 1, result.output
    assert "stopped: lost the mail server" in result.output
    assert smtp.sink.to() == ["first@example.org"]
    assert [reminded_on(mail_app, uid) for uid in ids] == [date(2025, 3, 3), None, None]


def test_smtp_url_insists_on_starttls(mail_app, runner, smtp):
    uid = add_learner(mail_app, "tls@example.org", reminders=True)
    give_due_practice(mail_app, uid, 1, MONDAY_9_UTC - timedelta(hours=9))
    mail_app.config["SMTP_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    result = send(runner)
    assert result.exit_code == 1
    assert "does not offer STARTTLS" in result.output
    assert smtp.sink.messages == [] and reminded_on(mail_app, uid) is None


def test_no_public_url_no_sending(mail_app, runner, smtp):
    uid = add_learner(mail_app, "links@example.org", reminders=True)
    give_due_practice(mail_app, uid, 1, MONDAY_9_UTC - timedelta(hours=9))
    del mail_app.config["PUBLIC_URL"]
    result = send(runner)
    assert result.exit_code == 1 and "CXTRAIN_PUBLIC_URL" in result.output
    assert "CXTRAIN_PUBLIC_URL is not set" in send(runner, "--dry-run").output
    assert smtp.sink.messages == [] and reminded_on(mail_app, uid) is None


def test_a_run_without_mail_settings_is_refused_even_with_nobody_to_remind(app, runner):
    result = runner.invoke(main, ["reminders", "send"])
    assert result.exit_code == 1
    assert "cannot send without CXTRAIN_SMTP_URL, CXTRAIN_MAIL_FROM, CXTRAIN_PUBLIC_URL" in result.output
    assert runner.invoke(main, ["reminders", "send", "--dry-run"]).exit_code == 0


def test_now_must_be_an_iso_moment(mail_app, runner):
    result = runner.invoke(main, ["reminders", "send", "--now", "tomorrow morning"])
    assert result.exit_code == 2 and "is not an ISO date and time" in result.output


def test_the_email_has_both_parts_and_the_headers_mail_clients_need(mail_app, runner, smtp):
    uid = add_learner(mail_app, "parts@example.org", reminders=True, name="Zoë <Ops> O'Neil")
    give_due_practice(mail_app, uid, 2, MONDAY_9_UTC - timedelta(hours=9))
    assert send(runner).exit_code == 0
    [message] = smtp.sink.messages
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["To"].addresses[0].display_name == "Zoë <Ops> O'Neil"
    assert message["From"] == "cxtrain <cxtrain@example.org>"
    assert message["Date"].datetime is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.org>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{PUBLIC}/reminders/unsubscribe/") and unsubscribe.endswith(">")
    # On the wire as a plain URL on one line: mail clients do not decode RFC 2047 words in it.
    assert f"\r\nList-Unsubscribe: {unsubscribe}\r\n".encode() in smtp.sink.raw[0]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Zoë <Ops> O'Neil," in text
    assert "Hello Zoë &lt;Ops&gt; O&#39;Neil," in html  # escaped in HTML, verbatim in text
    assert unsubscribe[1:-1] in text and f'href="{unsubscribe[1:-1]}"' in html
    assert f'href="{PUBLIC}/practice"' in html and f"{PUBLIC}/profile" in text
