"""API routes: each reads a request through a schema, calls the service, dumps through a schema."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify, request
from flask_login import current_user
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from ...scenario import engine
from ...store import accounts, play_step
from ...store.models import User
from .. import service
from ..database import db
from ..extensions import csrf, limiter, login_limit
from ..security import bearer_token
from . import bp
from .errors import ApiError, api_error, error_response
from .schemas import (
    AttemptRequestSchema,
    AttemptSchema,
    ChoiceRequestSchema,
    ModuleSummarySchema,
    TokenInfoSchema,
    TokenRequestSchema,
    TokenSchema,
)

PUBLIC = {"api.create_token", "api.openapi"}
_attempt_schema = AttemptSchema()
_choice_request_schema = ChoiceRequestSchema()  # built once: the play step is the hot path

csrf.exempt(bp)  # checked below, only for cookie-authenticated writes
bp.register_error_handler(ApiError, api_error)


@limiter.request_filter
def _play_step_has_no_limit() -> bool:
    # No rate limit applies to the play step (a step needs the next node of an attempt, and a raced
    # one is refused by the database), yet the limiter's per-request search for limits costs a
    # tenth of the step; skip it there.
    return request.endpoint == "api.choose"


@bp.before_request
def _before() -> Response | None:
    if request.endpoint in PUBLIC:
        return None
    if request.endpoint == "api.choose" and bearer_token(request) is not None:
        return None  # the view authenticates in the query that reads the attempt (see choose)
    return _authenticate()


def _authenticate() -> Response | None:
    if not current_user.is_authenticated:
        return error_response(401, "unauthorized", "Log in, or send 'Authorization: Bearer TOKEN'.")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("auth_via_token"):
        # A browser sends the session cookie on its own; the X-CSRFToken header proves the page is ours.
        csrf.protect()
    return None


def _load(schema: Schema) -> dict[str, Any]:
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid-json", "The request body must be a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ApiError(400, "invalid-fields", "Some fields are missing or invalid.", exc.messages) from exc


def attempt_json(payload: dict[str, Any]) -> dict[str, Any]:
    """The attempt in its AttemptSchema JSON form.

    A step in the middle of an attempt is the service's hot path, and playview builds its
    payload already in the schema's JSON form, so it skips the dump (a copy costing about a
    tenth of the step); under test every such payload is checked against the dump instead.
    An ending carries rewards (rows, datetimes) and is always dumped.
    """
    if payload["finished"]:
        return _attempt_schema.dump(payload)
    if current_app.testing:
        dumped = _attempt_schema.dump(payload)
        if dumped != payload:
            raise AssertionError(f"attempt payload is not in AttemptSchema form: {payload!r} != {dumped!r}")
    return payload


def _attempt(payload: dict[str, Any], status: int = 200) -> Response:
    response = jsonify(attempt_json(payload))
    response.status_code = status
    return response


@bp.post("/tokens")
@limiter.limit(login_limit)
def create_token() -> tuple[Response, int]:
    data = _load(TokenRequestSchema())
    session = db()
    user = accounts.authenticate(session, data["email"], data["password"])
    if user is None:
        raise ApiError(401, "bad-credentials", "Wrong email or password.")
    if not user.active:
        raise ApiError(403, "account-closed", "This account has been closed.")
    row, token = accounts.create_token(session, user, data.get("name", ""))
    accounts.record_login(user)
    session.commit()
    return jsonify(TokenSchema().dump({"id": row.id, "token": token})), 201


@bp.get("/tokens")
def list_tokens() -> Response:
    return jsonify(TokenInfoSchema(many=True).dump(accounts.list_tokens(db(), current_user)))


@bp.delete("/tokens/<id:token_id>")
def revoke_token(token_id: int) -> tuple[str, int]:
    session = db()
    if not accounts.revoke_token(session, current_user, token_id):
        raise ApiError(404, "unknown-token", f"There is no token {token_id}.")
    session.commit()
    return "", 204


@bp.get("/modules")
def modules() -> Response:
    entries = service.catalog().current(db()).values()
    mods = sorted((e.module for e in entries), key=lambda m: (m.role, m.title))
    return jsonify(ModuleSummarySchema(many=True).dump(mods))


@bp.post("/attempts")
def start_attempt() -> Response:
    data = _load(AttemptRequestSchema())
    session = db()
    try:
        attempt, module = service.start(session, current_user, data["module"])
    except service.NotFound as exc:
        raise ApiError(404, exc.code, exc.message) from exc
    return _attempt(service.view(session, current_user, attempt, module), 201)


@bp.get("/attempts/<id:attempt_id>")
def get_attempt(attempt_id: int) -> Response:
    session = db()
    try:
        attempt, module = service.load(session, current_user, attempt_id)
    except service.NotFound as exc:
        raise ApiError(404, exc.code, exc.message) from exc
    return _attempt(service.view(session, current_user, attempt, module))


@bp.post("/attempts/<id:attempt_id>/choices")
def choose(attempt_id: int) -> Response:
    """The play step, the service's hot path: a request with a bearer token is authenticated by the
    same query that reads the attempt, without loading the user (Flask-Login and the ORM add about
    a fifth to the step). Anything that query doesn't match (a bad token, a closed account,
    someone else's attempt) takes the ordinary way, which says which it was; so does a page's
    request, which has the session cookie and no token."""
    session = db()
    token = bearer_token(request)
    found = None
    if token is not None:
        conn = play_step.connection(session)
        found = play_step.read_for_token(conn, attempt_id, accounts.token_hash(token))
    if found is None and token is not None:
        refused = _authenticate()  # skipped before the request for a token-only one; see _before
        if refused is not None:
            return refused
    data = _load(_choice_request_schema)
    try:
        if found is None:
            payload = service.choose(session, current_user, attempt_id, data["node"], data["choice"])
        else:
            row, user_id = found
            payload = service.choose_on(
                session, conn, lambda: _user(session, user_id), row, data["node"], data["choice"]
            )
    except service.NotFound as exc:
        raise ApiError(404, exc.code, exc.message) from exc
    except service.Conflict as exc:
        raise ApiError(409, exc.code, exc.message, attempt=attempt_json(exc.view)) from exc
    except engine.PlayError as exc:
        raise ApiError(400, exc.code, exc.message, {"choice": [exc.message]}) from exc
    return _attempt(payload)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:  # erased between the two statements
        raise ApiError(404, "unknown-attempt", "There is no such attempt.")
    return user


@bp.get("/openapi.json")
def openapi() -> Response:
    from .openapi import spec_dict

    return jsonify(spec_dict(current_app.config.get("SERVER_NAME")))
