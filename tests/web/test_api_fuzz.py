"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis).

Every operation is called with generated valid and invalid inputs; whatever comes in,
the service must answer with JSON, and never with a 500. This found ids too large for
the database answering 500 and naive timestamps contradicting the document.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from webhelpers import MODULE


def test_no_server_errors_and_json_errors(app, client, auth) -> None:  # type: ignore[no-untyped-def]
    app.config["RATELIMIT_ENABLED"] = False
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    started = client.post("/api/attempts", json={"module": MODULE}, headers=auth).get_json()
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE":
            continue  # revoking the test's own token would only exercise 401s afterwards
        checked.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case) -> None:  # type: ignore[no-untyped-def]
            params = case.path_parameters or {}
            if "attempt_id" in params and params["attempt_id"] % 2:
                params["attempt_id"] = started["id"]  # hit a real attempt some of the time
            response = case.call(headers=auth)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            content_type = response.headers.get("content-type", [""])[0]
            assert response.status_code == 204 or content_type.startswith("application/json"), content_type
            if response.status_code >= 400:
                assert set(response.json()) >= {"error", "message", "fields"}

        call()
    assert "POST /api/attempts/{attempt_id}/choices" in checked
    assert "GET /api/me/export" in checked
