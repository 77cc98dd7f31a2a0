"""Every API error is JSON: {"error": CODE, "message": ..., "fields": {...}}."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .schemas import ErrorSchema

_CODES = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
    500: "internal-error",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.fields, self.extra = status, code, message, fields or {}, extra


def error_response(
    status: int, code: str, message: str, fields: dict[str, Any] | None = None, **extra: Any
) -> Response:
    body = ErrorSchema().dump({"error": code, "message": message, "fields_": fields or {}})
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cxtrain"'
    return response


def api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)


def http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = "csrf-failed" if isinstance(exc, CSRFError) else _CODES.get(status, "error")
    message = exc.description or exc.name
    response = error_response(status, code, message)
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    if status == 429:
        response.headers["Retry-After"] = "60"
    return response
