"""The account rules' refusals: one code each in cxtrain.store.accounts, English on the command line,
the reader's language on the admin and password pages.

The real app over its test client and Flask's CLI runner, on a fresh SQLite file.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from webhelpers import PASSWORD, add_user, csrf_from, login

from cxtrain.cli import main
from cxtrain.store import accounts
from cxtrain.store.models import User
from cxtrain.web import account_messages

ADMIN = "admin@example.org"
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def test_every_code_of_the_store_has_a_page_message_with_the_same_english():
    # The same words: an English page says exactly what the command line says.
    assert account_messages.MESSAGES == accounts.MESSAGES


def test_a_problem_reads_as_its_english_and_keeps_its_code_and_values():
    problem = accounts.job_role_problem("frontline-asociate", ["frontline-associate", "ceo"])
    assert problem is not None and problem.code == "job-role-unknown-close"
    assert str(problem) == (
        "Unknown job role 'frontline-asociate'. Did you mean 'frontline-associate'? "
        "The job roles are: ceo, frontline-associate."
    )
    with pytest.raises(accounts.AccountError) as refused:
        accounts.hash_password("short")
    assert refused.value.problem == accounts.Problem("password-too-short", {"count": 8})
    assert str(refused.value) == "A password needs at least 8 characters."
    assert accounts.AccountError("a bare message").problem is None


@pytest.fixture
def french_admin(app, client):  # type: ignore[no-untyped-def]
    """An admin whose saved language is French, logged in."""
    add_user(app, ADMIN, "admin", None)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        db.scalar(select(User).where(User.email == ADMIN)).language = "fr"
        db.commit()
    login(client, ADMIN)
    return client


def _form(client, url: str, **fields: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get(url).get_data(as_text=True)
    base = {"email": "", "name": "", "job_role": "", "team": "", "role": "learner"}
    return {**base, "csrf_token": csrf_from(page), **fields}


def _id(app, email: str) -> int:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return int(db.scalar(select(User.id).where(User.email == email)))


@pytest.mark.parametrize(
    ("fields", "french"),
    [
        ({"email": "not-an-email"}, "« not-an-email » n’est pas une adresse e-mail"),
        ({"email": "x" * 320 + "@example.org"}, "Une adresse e-mail compte au plus 320 caractères."),
        ({"email": "new@example.org", "name": "N" * 201}, "Un nom compte au plus 200 caractères."),
        ({"email": "new@example.org", "team": "T" * 101}, "Un nom d’équipe compte au plus 100 caractères."),
        (
            {"email": "new@example.org", "job_role": "frontline-asociate"},
            "Métier « frontline-asociate » inconnu. Vouliez-vous dire « frontline-associate » ?",
        ),
        ({"email": "new@example.org", "job_role": "zzzz"}, "Métier « zzzz » inconnu. Les métiers sont :"),
        ({"email": "learner@example.org"}, "Il existe déjà un compte pour learner@example.org."),
    ],
)
def test_the_french_admin_page_refuses_a_new_account_in_french(app, french_admin, learner, fields, french):
    response = french_admin.post("/admin/users/new", data=_form(french_admin, "/admin/users/new", **fields))
    html = response.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")
    assert response.status_code == 422
    assert french in html, html
    assert "is not an email address" not in html and "has at most" not in html and "Unknown job role" not in html


def test_the_last_admin_is_refused_in_french_on_the_page_and_in_english_on_the_command_line(app, french_admin, runner):
    admin_id = _id(app, ADMIN)
    url = f"/admin/users/{admin_id}"
    response = french_admin.post(url, data=_form(french_admin, url, role="learner"))
    assert response.status_code == 422
    assert "admin@example.org est le seul administrateur" in response.get_data(as_text=True)

    # The same rule, the same account (whose language is French), on the command line: English.
    result = runner.invoke(main, ["users", "set-role", ADMIN, "learner"])
    assert result.exit_code == 1
    assert "admin@example.org is the only admin; make someone else admin first." in result.output


def test_the_command_line_keeps_english_whatever_the_default_language(app, runner, learner):
    app.config["DEFAULT_LANGUAGE"] = "fr"
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    bad = runner.invoke(main, ["users", "add", "not-an-email"], input=PASSWORD + "\n")
    assert (
        bad.exit_code == 1 and "'not-an-email' is not an email address; it looks like name@example.org." in bad.output
    )
    taken = runner.invoke(main, ["users", "add", learner], input=PASSWORD + "\n")
    assert taken.exit_code == 1 and f"There is already an account for {learner}." in taken.output
    short = runner.invoke(main, ["users", "set-password", learner], input="short\n")
    assert short.exit_code == 1 and "A password needs at least 8 characters." in short.output
    typo = runner.invoke(main, ["users", "edit", learner, "--job-role", "frontline-asociate"])
    assert typo.exit_code == 2 and "Did you mean 'frontline-associate'?" in typo.output


def test_a_learners_short_password_is_refused_in_their_language(app, client, learner):
    login(client, learner)
    for headers, message in (
        (FRENCH, "Un mot de passe doit compter au moins 8 caractères."),
        ({"Accept-Language": "en"}, "A password needs at least 8 characters."),
    ):
        page = client.get("/password", headers=headers).get_data(as_text=True)
        form = {"csrf_token": csrf_from(page), "current_password": PASSWORD}
        form |= {"new_password": "short", "confirm_password": "short"}
        assert message in client.post("/password", data=form, headers=headers).get_data(as_text=True)
