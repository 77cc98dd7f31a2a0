"""Pages: login, CSRF, security headers, play by plain forms, history, trainer upload and preview."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select
from webhelpers import (
    MODULE,
    PASSWORD,
    add_user,
    change_password,
    csrf_from,
    login,
    race_starts,
    save_hidden_choice_module,
)

from cxtrain.store.models import Attempt, ChoiceEvent


def test_login_required(client):
    response = client.get("/modules")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_wrong_password(client, learner):
    response = login(client, learner, "not the password")
    assert response.status_code == 200 and "Wrong email or password" in response.get_data(as_text=True)


def test_forms_need_csrf(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": learner, "password": PASSWORD})
    assert response.status_code == 400


def test_a_csrf_token_from_before_login_does_not_carry_over(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    before = csrf_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"csrf_token": before, "email": learner, "password": PASSWORD}).status_code == 302
    form = {"new_password": "a new passphrase", "confirm_password": "a new passphrase", "current_password": PASSWORD}
    assert client.post("/password", data={**form, "csrf_token": before}).status_code == 400
    after = csrf_from(client.get("/password").get_data(as_text=True))
    assert after != before and client.post("/password", data={**form, "csrf_token": after}).status_code == 302


def test_password_change_is_rate_limited(client, learner):
    login(client, learner)
    wrong = [change_password(client, "a new passphrase", current="a guess").status_code for _ in range(11)]
    assert wrong[:10] == [200] * 10 and wrong[10] == 429


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "<script>" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"  # pages are never kept (see test_browser)
    assert "no-store" not in client.get("/static/cxtrain.css").headers.get("Cache-Control", "")


def test_private_answers_that_are_not_pages_are_not_kept_either(client, trainer, auth):
    for path in ("/api/me", "/api/practice", "/api/tokens"):
        assert client.get(path, headers=auth).headers["Cache-Control"] == "no-store", path
    login(client, trainer)
    page = client.get(f"/trainer/modules/{MODULE}").get_data(as_text=True)
    version = re.search(rf"/trainer/modules/{MODULE}/versions/(\w+)\.yaml", page).group(1)
    yaml = client.get(f"/trainer/modules/{MODULE}/versions/{version}.yaml")
    assert yaml.status_code == 200 and yaml.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/cxtrain.css").headers.get("Cache-Control", "")


def test_a_login_over_plain_http_with_secure_cookies_says_why_it_expired(app, client, learner):
    app.config.update(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    form = {"csrf_token": token, "email": learner, "password": PASSWORD}
    refused = app.test_client().post("/login", data=form)  # a browser keeps no Secure cookie from http://
    assert refused.status_code == 400
    assert "it is sent over HTTPS only" in unescape(refused.get_data(as_text=True))
    secure = app.test_client()  # over HTTPS the cookie comes back and the login works
    page = secure.get("/login", base_url="https://localhost").get_data(as_text=True)
    done = secure.post(
        "/login",
        base_url="https://localhost",
        data={**form, "csrf_token": csrf_from(page)},
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
    )
    assert done.status_code == 302


def test_cookie_flags(client, learner):
    response = login(client, learner)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _play_by_forms(client) -> str:
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    response = client.post(f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    attempt_url = response.headers["Location"]
    for node, choice in (("counter", "shrug"), ("follow-up", "call")):
        page = client.get(attempt_url).get_data(as_text=True)
        assert f'value="{choice}"' in page and "<button" in page
        action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
        response = client.post(action, data={"csrf_token": csrf_from(page), "node": node, "choice": choice})
        assert response.status_code == 302
    return client.get(attempt_url).get_data(as_text=True)


def test_play_with_plain_forms(client, learner):
    login(client, learner)
    page = _play_by_forms(client)
    assert "She is delighted." in page  # feedback of the last choice
    assert "Ending: A customer who comes back" in page
    # The ending node has no title of its own: the ending's heads it, once, over "Your result".
    tagged = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, re.S)
    headings = [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in tagged]
    assert headings.count("Ending: A customer who comes back") == 1 and "A customer who comes back" not in headings
    assert "Your result" in headings
    assert "not passed" in page
    assert "Listen and write down the details" in page  # the better choice at the missed step
    assert "<progress" in page and 'for="cx-meter-customer"' in page
    assert 'aria-live="polite"' in page


def test_module_list_own_role_first_and_history(client, learner):
    login(client, learner)
    _play_by_forms(client)
    modules = client.get("/modules").get_data(as_text=True)
    assert modules.index("your role") < modules.index("Chief executive") if "Chief executive" in modules else True
    assert "best" in modules
    history = client.get("/history").get_data(as_text=True)
    assert "not passed" in history


def test_resume_after_logout(app, client, learner):
    login(client, learner)
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    attempt_url = client.post(f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)}).headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    client.post(action, data={"csrf_token": csrf_from(page), "node": "counter", "choice": "listen"})
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    other_device = app.test_client()
    login(other_device, learner)
    module_page = other_device.get(f"/modules/{MODULE}").get_data(as_text=True)
    assert "Resume your attempt" in module_page
    assert "The next morning" in other_device.get(attempt_url).get_data(as_text=True)


def _announced(html: str) -> str:
    """What play.js puts in the live region after this view is swapped in, as text."""
    said = re.search(r"<template data-cx-announce>(.*?)</template>", html, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", said)).split())


def _attempt_ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    with app.extensions["cxtrain.sessionmaker"]() as db:
        return list(db.scalars(select(Attempt.id).order_by(Attempt.id)))


def test_start_from_an_out_of_date_module_page_goes_to_the_attempt_begun_since(app, client, learner):
    login(client, learner)
    stale = client.get(f"/modules/{MODULE}").get_data(as_text=True)  # offers no attempt to resume
    form = {"csrf_token": csrf_from(stale), "resume": ""}
    first = client.post(f"/modules/{MODULE}/attempts", data=form).headers["Location"]
    # A double click, or Start on the page the Back button brings back: the same attempt, said so.
    again = client.post(f"/modules/{MODULE}/attempts", data=form, follow_redirects=True)
    assert again.request.path == first and "already had an attempt in progress" in again.get_data(as_text=True)
    assert len(_attempt_ids(app)) == 1

    # The current page offers it for resuming; its "Start a new attempt" starts one, once.
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    assert f'name="resume" value="{first.rsplit("/", 1)[1]}"' in page
    form = {"csrf_token": csrf_from(page), "resume": first.rsplit("/", 1)[1]}
    second = client.post(f"/modules/{MODULE}/attempts", data=form).headers["Location"]
    assert second != first and len(_attempt_ids(app)) == 2
    assert client.post(f"/modules/{MODULE}/attempts", data=form).headers["Location"] == second
    assert len(_attempt_ids(app)) == 2
    for forged in ("²", "9" * 5000, "-1", "x"):  # read as "no attempt offered", never a 500
        response = client.post(f"/modules/{MODULE}/attempts", data={**form, "resume": forged})
        assert response.headers["Location"] == second


def test_starts_racing_from_one_page_make_one_attempt(app, learner):
    assert len(set(race_starts(app, learner, racers=4))) == 1 and len(_attempt_ids(app)) == 1


def test_double_submit_of_a_form_is_harmless(app, client, learner):
    login(client, learner)
    page = client.get(f"/modules/{MODULE}").get_data(as_text=True)
    attempt_url = client.post(f"/modules/{MODULE}/attempts", data={"csrf_token": csrf_from(page)}).headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    data = {"csrf_token": csrf_from(page), "node": "counter", "choice": "listen"}
    assert client.post(action, data=data).status_code == 302
    second = client.post(action, data=data)
    assert second.status_code == 409 and "already taken" in second.get_data(as_text=True)
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.count()).select_from(ChoiceEvent)) == 1


def test_someone_elses_attempt_page_is_404(app, client, learner):
    login(client, learner)
    _play_by_forms(client)
    add_user(app, "other@example.org")
    other = app.test_client()
    login(other, "other@example.org")
    with app.extensions["cxtrain.sessionmaker"]() as db:
        attempt_id = db.scalar(select(Attempt.id))
    assert other.get(f"/attempts/{attempt_id}").status_code == 404


def test_cookie_api_write_needs_csrf_header(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, learner)
    response = client.post("/api/attempts", json={"module": MODULE})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf-failed"
    token = csrf_from(client.get(f"/modules/{MODULE}").get_data(as_text=True))
    response = client.post("/api/attempts", json={"module": MODULE}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_password_change(client, learner):
    login(client, learner)
    assert change_password(client, "a new passphrase").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/modules").get_data(as_text=True))})
    assert login(client, learner, "a new passphrase").status_code == 302


def test_learners_cannot_see_trainer_pages(client, learner):
    login(client, learner)
    assert client.get("/trainer/modules").status_code == 403


BROKEN = """id: broken-one
title: Broken
role: frontline-associate
start: a
nodes:
  a:
    text: Hi
    choices:
      - {id: go, text: Go, next: nowhere}
"""


def test_upload_with_errors_is_refused_with_inline_findings(client, trainer):
    login(client, trainer)
    page = client.get("/trainer/upload").get_data(as_text=True)
    response = client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": BROKEN})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Not published" in html and "nowhere" in html and 'class="finding error"' in html
    assert "broken-one" not in client.get("/trainer/modules").get_data(as_text=True)
    # Above the listing, each finding again, linked to its line.
    summary = re.search(r'<ul class="lint-summary">(.*?)</ul>', html, re.S).group(1)
    link = re.search(r'<a href="#line-(\d+)">error \(line (\d+), column \d+\):</a> [^<]*nowhere', summary)
    assert link is not None and link.group(1) == link.group(2) == "9"
    assert '<li class="has-finding" value="9" id="line-9">' in html


def test_a_long_module_is_listed_around_its_findings_only(client, trainer):
    login(client, trainer)
    filler = "".join(f"# note {n}: a long module's comment line\n" for n in range(5000))
    long_text = BROKEN + filler  # the finding on line 9, then 5,000 lines without one
    page = client.get("/trainer/upload").get_data(as_text=True)
    response = client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": long_text})
    html = response.get_data(as_text=True)
    listing = re.search(r'<ol class="source">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r'id="line-(\d+)"', listing) == ["7", "8", "9", "10", "11"]  # the finding and two each side
    assert "Lines 1 to 6: no findings" in listing and f"Lines 12 to {long_text.count(chr(10))}: no findings" in listing
    assert len(listing) < 3_000  # the 5,000 lines are in the form's textarea only
    assert html.count("a long module&#39;s comment line") == 5000 + 2  # the textarea, and lines 10-11


def _upload_file(client, data: bytes):  # type: ignore[no-untyped-def]
    import io

    page = client.get("/trainer/upload").get_data(as_text=True)
    return client.post(
        "/trainer/upload",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(data), "typo.yaml")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    "data, line, code",
    [
        # Was a 400 with "The file is not UTF-8 text." and no line.
        (BROKEN.replace("text: Hi", "text: Café").encode("latin-1"), 7, "yaml-encoding"),
        # Were 500s: a RecursionError, and Python's limit on reading huge integers.
        (b"id: deep\nnodes: " + b"[" * 5000 + b"]" * 5000 + b"\n", 2, "yaml-depth"),
        (BROKEN.replace("start: a", "minutes: " + "9" * 5000 + "\nstart: a").encode(), 4, "out-of-range"),
    ],
    ids=["latin-1", "deep", "huge-number"],
)
def test_upload_of_a_broken_file_shows_the_finding_at_its_line(client, trainer, data, line, code):
    login(client, trainer)
    response = _upload_file(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"(line {line}, column" in html and f"[{code}]" in html


def test_upload_too_large_for_the_server_says_so_on_the_upload_page(app, client, trainer):
    login(client, trainer)
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload_file(client, b"# padding\n" * 200)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than this server accepts" in html and 'name="file"' in html


def test_upload_replace_list_and_preview(app, client, trainer):
    from webhelpers import FIXTURES

    login(client, trainer)
    text = (FIXTURES / "web-fixture.yaml").read_text().replace("The parcel at the counter", "The parcel, revised")
    page = client.get("/trainer/upload").get_data(as_text=True)
    response = client.post("/trainer/upload", data={"csrf_token": csrf_from(page), "text": text})
    assert response.status_code == 302
    listing = client.get("/trainer/modules").get_data(as_text=True)
    assert "The parcel, revised" in listing and "upload by trainer@example.org" in listing
    page = client.get(f"/trainer/preview/{MODULE}?restart=1").get_data(as_text=True)
    assert "Preview" in page
    for node, choice in (("counter", "listen"), ("follow-up", "call")):
        response = client.post(
            f"/trainer/preview/{MODULE}", data={"csrf_token": csrf_from(page), "node": node, "choice": choice}
        )
        assert response.status_code == 302
        page = client.get(f"/trainer/preview/{MODULE}").get_data(as_text=True)
    assert "Ending: A customer who comes back" in page
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.count()).select_from(Attempt)) == 0
        assert db.scalar(select(func.count()).select_from(ChoiceEvent)) == 0


def test_markdown_is_sanitised(app, client, auth):
    from cxtrain.scenario import content_version
    from cxtrain.store import modules as stored

    text = (
        "id: xss\ntitle: X\nrole: frontline-associate\nstart: a\nnodes:\n  a:\n"
        "    text: '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>'\n"
        "    customer_link: x\n    choices:\n      - {id: go, text: Go, next: b}\n"
        "  b:\n    ending: {title: E}\n    text: done\n"
    )
    with app.extensions["cxtrain.sessionmaker"]() as db:
        stored.save_version(db, "xss", content_version(text), text)
    html = client.post("/api/attempts", json={"module": "xss"}, headers=auth).get_json()["node"]["html"]
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html


# --- the play page's fragment answers (what play.js swaps in)

FRAGMENT = {"X-Cx-Fragment": "1"}


def _attempt_page(client, module: str = MODULE) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """Start an attempt; return (its page URL, the form's action, the page's CSRF token)."""
    page = client.get(f"/modules/{module}").get_data(as_text=True)
    attempt_url = client.post(f"/modules/{module}/attempts", data={"csrf_token": csrf_from(page)}).headers["Location"]
    page = client.get(attempt_url).get_data(as_text=True)
    return attempt_url, re.search(r'action="([^"]+/choose)"', page).group(1), csrf_from(page)


def _only_the_partial(html: str) -> str:
    body = html.strip()
    assert body.startswith('<div class="cx-attempt"') and body.endswith("</div>"), body[:200]
    assert "<html" not in body and "site-header" not in body
    return body


def test_fragment_answer_to_a_choice(client, learner):
    login(client, learner)
    attempt_url, action, token = _attempt_page(client)
    assert "data-cx-fragment" in client.get(attempt_url).get_data(as_text=True)
    response = client.post(action, data={"csrf_token": token, "node": "counter", "choice": "listen"}, headers=FRAGMENT)
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = _only_the_partial(response.get_data(as_text=True))
    assert 'data-node="follow-up"' in html and "The next morning" in html
    assert 'value="call"' in html and f'action="{action}"' in html and 'name="csrf_token"' in html
    assert "data-cx-fragment" in html  # the swapped-in view opts in again
    announced = _announced(html)
    assert "She calms down a little." in announced and "The next morning" in announced

    response = client.post(action, data={"csrf_token": token, "node": "follow-up", "choice": "call"}, headers=FRAGMENT)
    html = _only_the_partial(response.get_data(as_text=True))
    assert response.status_code == 200 and "Ending: A customer who comes back" in html
    assert "+20 XP" in html and 'data-badge="first-pass"' in html
    announced = _announced(html)
    for said in ("She is delighted.", "Ending: A customer who comes back.", "Score 100% — passed.", "+20 XP."):
        assert said in announced
    assert "New badge: First pass." in announced
    # The header is not in the fragment, so the level bar with the new total travels inside it.
    bar = re.search(r"<template data-cx-level-bar>(.*?)</template>", html, re.S).group(1)
    assert 'class="cx-level"' in bar and 'data-cx-xp="20"' in bar
    # The plain page agrees with what the fragment showed.
    assert "+20 XP" in client.get(attempt_url).get_data(as_text=True)


def test_fragment_answer_to_a_stale_or_unknown_choice(app, client, learner):
    login(client, learner)
    _, action, token = _attempt_page(client)
    data = {"csrf_token": token, "node": "counter", "choice": "listen"}
    assert client.post(action, data=data, headers=FRAGMENT).status_code == 200
    stale = client.post(action, data=data, headers=FRAGMENT)
    html = _only_the_partial(stale.get_data(as_text=True))
    assert stale.status_code == 409 and "already taken" in html and 'data-node="follow-up"' in html
    assert "already taken" in _announced(html)
    unknown = client.post(action, data={**data, "node": "follow-up", "choice": "nowhere"}, headers=FRAGMENT)
    html = _only_the_partial(unknown.get_data(as_text=True))
    assert unknown.status_code == 400 and "The choice “nowhere” is not available" in html
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.count()).select_from(ChoiceEvent)) == 1


def test_fragment_answer_to_a_hidden_choice(app, client, learner):
    module_id = save_hidden_choice_module(app)
    login(client, learner)
    attempt_url, action, token = _attempt_page(client, module_id)
    assert 'value="secret"' not in client.get(attempt_url).get_data(as_text=True)
    response = client.post(action, data={"csrf_token": token, "node": "a", "choice": "secret"}, headers=FRAGMENT)
    html = _only_the_partial(response.get_data(as_text=True))
    assert response.status_code == 400 and "The choice “secret” is not available" in html and 'data-node="a"' in html


def test_fragment_of_someone_elses_attempt_is_404(app, client, learner):
    login(client, learner)
    _, action, _ = _attempt_page(client)
    add_user(app, "other@example.org")
    other = app.test_client()
    login(other, "other@example.org")
    other_token = csrf_from(other.get(f"/modules/{MODULE}").get_data(as_text=True))
    data = {"csrf_token": other_token, "node": "counter", "choice": "listen"}
    refused = other.post(action, data=data, headers=FRAGMENT)
    assert refused.status_code == 404 and refused.mimetype == "text/plain"
    assert refused.get_data(as_text=True).startswith("This attempt is not available any more.")


def test_fragment_from_a_logged_out_page_is_a_401_sentence_not_the_login_form(app, client, learner):
    login(client, learner)
    _, action, token = _attempt_page(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    data = {"csrf_token": token, "node": "counter", "choice": "listen"}
    refused = client.post(action, data=data, headers=FRAGMENT)
    assert refused.status_code == 401 and refused.mimetype == "text/plain"
    assert "logged out" in refused.get_data(as_text=True)
    # A plain form post still goes to the login form, and comes back here after it.
    plain = client.post(action, data=data)
    assert plain.status_code == 302 and "/login?next=" in plain.headers["Location"]


def test_fragment_needs_csrf(app, client, learner):
    app.config["WTF_CSRF_ENABLED"] = True
    login(client, learner)
    _, action, token = _attempt_page(client)
    data = {"node": "counter", "choice": "listen"}
    refused = client.post(action, data=data, headers=FRAGMENT)
    assert refused.status_code == 400 and refused.mimetype == "text/plain"
    assert refused.get_data(as_text=True).startswith("This page has expired. Reload it")
    with app.extensions["cxtrain.sessionmaker"]() as db:
        assert db.scalar(select(func.count()).select_from(ChoiceEvent)) == 0
    # The token may come as the form field (what play.js sends) or as the X-CSRFToken header.
    accepted = client.post(action, data=data, headers={**FRAGMENT, "X-CSRFToken": token})
    assert accepted.status_code == 200 and 'data-node="follow-up"' in accepted.get_data(as_text=True)


def test_the_menu_marks_the_page_and_its_section(client, trainer):
    login(client, trainer)

    def current(path: str) -> dict[str, str]:
        html = client.get(path).get_data(as_text=True)
        nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
        return dict((label, value) for value, label in re.findall(r'aria-current="(\w+)"[^>]*>([^<]+)</a>', nav))

    assert current("/modules") == {"Modules": "page"}
    assert current(f"/modules/{MODULE}") == {"Modules": "true"}
    assert current("/trainer/modules") == {"Trainer": "page"}
    assert current("/trainer/upload") == {"Trainer": "true"}
    assert current(f"/trainer/modules/{MODULE}") == {"Trainer": "true"}
    assert current(f"/trainer/preview/{MODULE}") == {"Trainer": "true"}
    assert current("/trainer/insight") == {"Insight": "page"}
    assert current(f"/trainer/insight/{MODULE}") == {"Insight": "true"}
    assert current("/history") == {"History": "page"}
