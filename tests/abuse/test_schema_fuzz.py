"""Schemathesis against /api/schema/: every operation, with and without a token; no 5xx, answers match the schema.

A few derandomized examples per operation keep this in `make test` (`make fuzz` runs many more).
Semantic rules the schema cannot state (semantic versions, RRULEs, signed cursors)
make "a schema-valid request was rejected" meaningless here, so those checks are off;
what is checked is that every answer is documented and shaped as documented.
"""

from __future__ import annotations

import os

import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# The only 5xx an API answer may carry: temporary AWS credentials need a Cognito identity pool;
# a stage without one answers the 501 the operation documents.
DOCUMENTED_SERVER_ERRORS = {("GET", "/api/todos/credentials"): 501}
CONFORMANCE = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]

# Generating the schema touches no table, so it loads at collection time.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def power_user_token() -> str:
    """A member of every group, so that the authors' and release managers' operations run their own code."""
    from accounts.services import account_sign_in, user_create
    from tests.conftest import unique_email

    if not hasattr(power_user_token, "token"):
        email = unique_email("fuzz")
        user_create(
            email=email, password="correct-horse-9", display_name="Fuzz", groups=["authors", "release-managers"]
        )
        power_user_token.token = account_sign_in(email=email, password="correct-horse-9")["AccessToken"]
    return power_user_token.token


def assert_no_server_error(case, response) -> None:
    allowed = DOCUMENTED_SERVER_ERRORS.get((case.method.upper(), case.operation.path))
    assert response.status_code < 500 or response.status_code == allowed, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_operation_with_a_token(case, local_stack):
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {power_user_token()}"}, checks=[*CONFORMANCE, checks.ignored_auth]
    )
    assert_no_server_error(case, response)


@schema.parametrize()
@FUZZ_SETTINGS
def test_operation_without_credentials(case, local_stack):
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    case.cookies = {}
    response = case.call_and_validate(checks=CONFORMANCE)
    assert_no_server_error(case, response)
    if requires_auth(case.operation.definition.raw):
        # 404 only where nothing was reached: a path no route matches, or an unknown ?format=.
        assert response.status_code in (401, 404), (case.method, case.formatted_path, response.status_code)
        assert response.json()["error"]["code"] in ("not_authenticated", "not_found")


def requires_auth(operation: dict) -> bool:
    return operation.get("security") not in (None, [{}]) and {} not in operation.get("security", [])


SAMPLE_PATH_VALUES = {"product": "some-app", "version": "1.0.0", "platform": "darwin-arm64", "channel": "stable"}


def test_every_protected_operation_is_401_without_credentials(client, local_stack):
    raw = client.get("/api/schema/?format=json").json()
    protected = [
        (method, path) for path, ops in raw["paths"].items() for method, op in ops.items() if requires_auth(op)
    ]
    assert len(protected) >= 40
    for method, path in protected:
        url = path
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            url = url.replace(f"{{{name}}}", SAMPLE_PATH_VALUES.get(name, "abc123"))
        response = client.generic(method.upper(), url, b"{}", content_type="application/json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"].startswith("Bearer")
