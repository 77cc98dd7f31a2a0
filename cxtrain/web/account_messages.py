"""The account rules' refusals (:mod:`cxtrain.store.accounts`) in the reader's language.

The store knows no Flask and keeps English for the command line and the CSV import; it names each
refusal by a stable code. The pages translate that code here. Each message below is the store's
English, word for word (tests/web/test_account_messages.py checks), so an English page and the
command line say the same thing.
"""

from __future__ import annotations

from flask_babel import gettext

from ..store.accounts import AccountError, Problem
from .i18n import N_

MESSAGES: dict[str, str] = {
    "password-too-short": N_("A password needs at least %(count)s characters."),
    "email-invalid": N_("'%(email)s' is not an email address; it looks like name@example.org."),
    "email-too-long": N_("An email address has at most %(count)s characters."),
    "email-taken": N_("There is already an account for %(email)s."),
    "name-too-long": N_("A name has at most %(count)s characters."),
    "team-too-long": N_("A team name has at most %(count)s characters."),
    "name-is-email": N_("A display name cannot be an email address: colleagues see it on boards and team pages."),
    "name-control": N_("A name cannot contain line breaks, tabs or other control characters."),
    "team-control": N_("A team name cannot contain line breaks, tabs or other control characters."),
    "timezone-unknown": N_("Not a known time zone; use a name such as Europe/Paris or America/New_York."),
    "job-role-unknown": N_("Unknown job role '%(job_role)s'. The job roles are: %(job_roles)s."),
    "job-role-unknown-close": N_(
        "Unknown job role '%(job_role)s'. Did you mean '%(closest)s'? The job roles are: %(job_roles)s."
    ),
    "account-role-unknown": N_("Unknown account role '%(role)s'; use one of %(roles)s."),
    "last-admin": N_("%(email)s is the only admin; make someone else admin first."),
}


def account_message(refusal: Problem | AccountError) -> str:
    """The refusal in the request's language; its English when it carries no code this page knows
    (a code added to the store first, or an AccountError raised with a bare message)."""
    problem = refusal.problem if isinstance(refusal, AccountError) else refusal
    if problem is None or problem.code not in MESSAGES:
        return str(refusal)
    return gettext(MESSAGES[problem.code], **problem.values)
