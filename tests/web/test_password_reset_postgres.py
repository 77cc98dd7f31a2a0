"""Emailed password links on PostgreSQL: the whole flow, and one link sent from four tabs at once
(the conditional UPDATE waits on the row lock, then matches nothing). Skipped without
CXTRAIN_TEST_POSTGRES_URL, unless CXTRAIN_REQUIRE_POSTGRES=1 (CI)."""

from __future__ import annotations

import pytest
from mailhelpers import password_link
from test_password_reset import NEW, PUBLIC, ask, choose, path_of
from test_password_reset import test_logging_in_ends_the_links_sent_before as login_ends_links
from test_password_reset import test_two_tabs_sending_one_link_at_once_set_one_password as two_tabs
from webhelpers import PASSWORD, login

pytestmark = [pytest.mark.postgres, pytest.mark.app_on_postgres]


def test_two_tabs_sending_one_link_at_once_on_postgres(mail_app, client, smtp, learner):
    two_tabs(mail_app, client, smtp, learner)


def test_forgot_link_and_new_password_on_postgres(mail_app, client, smtp, learner):
    elsewhere = mail_app.test_client()
    assert login(elsewhere, learner).status_code == 302
    ask(mail_app, client, learner)
    path = path_of(password_link(smtp.sink.messages[0], PUBLIC))
    assert choose(client, path).status_code == 303
    assert client.get("/modules").status_code == 200 and elsewhere.get("/modules").status_code == 302
    assert login(mail_app.test_client(), learner, PASSWORD).status_code == 200
    assert login(mail_app.test_client(), learner, NEW).status_code == 302
    assert client.get(path).status_code == 400


def test_logging_in_ends_the_links_sent_before_on_postgres(mail_app, client, smtp, learner):
    # PostgreSQL hands the login time back aware, SQLite naive: the link's mark must not care.
    login_ends_links(mail_app, client, smtp, learner)
