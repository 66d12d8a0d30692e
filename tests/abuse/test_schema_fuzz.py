"""Schemathesis against /api/schema/: every operation with and without a token, and linked create → use chains.

All of schemathesis' checks run (`call_and_validate()` with no `checks=` runs every built-in one:
no server error, status code / content type / headers / body conformance, positive data
acceptance, negative data rejection, missing required header, unsupported method, ignored auth,
use after free, resource availability), with Hypothesis' health checks on. `make test` runs a
few derandomized examples per operation (examples and fuzzing phases); `make fuzz` runs
`FUZZ_EXAMPLES` (50) per operation and schemathesis' coverage phase too.

Where a check cannot hold as schemathesis states it, the exception is narrow and said here:

- positive data acceptance is off for `accounts_confirm` and `accounts_password_reset` only
  (CONFIG): a schema-valid code is still wrong unless it is the code that was mailed, which no
  schema can state; the answer is the documented 400 `invalid_code`.
- a versioned write states the version read in `If-Match` or in the body's `version`, one of them,
  which OpenAPI cannot say of a header and a body field together: positive cases carry at most one
  (`positive_cases_state_one_version`), and the writes that require one (a profile rename, the PATCH
  and DELETE of a post, a list or a task, a revision restore, a release's PATCH: `VERSION_REQUIRED`)
  also accept their documented 428 `precondition_required` as the answer to positive data that states
  neither.
- temporary AWS credentials (`todos_credentials`) need the caller's own Cognito ID token in
  `X-Id-Token`, which no schema can state (a made-up one is a 400): positive cases carry the fuzzing
  user's real one (`with_the_real_id_token`, at call time: the user exists once the stack runs).
- a task write relates its fields in ways JSON Schema cannot state (a due date or a due date-time,
  not both; a time zone only with a date-time; a repeat rule in RFC 5545's grammar, and only with a
  due date; a position of 0 or at least 1E-130 in magnitude, a list's too): positive ones keep those
  rules (`task_rules`, `position_rules`). The writes that name other items (`list_id`,
  `parent_id`: `REFERENCES`) also accept their documented 422 `unprocessable` (no such list or
  parent task, an archived list, a subtask's subtask), since a made-up id names nothing. A positive
  reorder names each task once (`reorder_rules`); a made-up task is its 422.
- a post write relates its fields in ways no schema states (a slug in the blog's slug alphabet, tags
  that each spell an address of their own, a text alternative with a feature image): positive ones
  keep those rules (`post_rules`), and the writes that name a feature
  image also accept its documented 422 (no such image, or one not processed yet).
- positive cases carry no `cursor` and no sync `since` (`positive_cases_carry_no_signed_token`): both
  are signed by the server, so a made-up one is negative data (400), fuzzed as such.
- a positive ramp (`updates_ramp_start`) has its steps in increasing order ending at 100
  (`positive_ramps_increase_to_100`): the schema states each step's bounds (1-100) and how many
  (1-10), but JSON Schema cannot say that a list increases.
- a product's slug is not one of the reserved words, a 400 (`product_rules`: the schema's pattern
  states the slug's alphabet and length, not the few words it leaves out), and a release's minimum
  version is lower than its own version, the body's or the path's (`release_rules`). A release
  names one of its product's channels, so a release create also accepts its documented 422
  (`REFERENCES`).
- a positive create sends an `Idempotency-Key` of its own (`own_idempotency_key`, derived from the
  operation, the body and the case's number, not drawn): a generated key may repeat an earlier
  case's with another body, which is the documented 422 `idempotency_key_reused`.
- negative data rejection also accepts 413 (a size over a documented maximum) and 414 (a query
  string over 8 KiB, refused before any view): this API's own rejections. A 5xx never counts.

`DOCUMENTED_SERVER_ERRORS` lists the one 5xx an operation documents: temporary AWS credentials
need a Cognito identity pool, and a stage without one answers the documented 501.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os

import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import settings

from blog.services.content import slug_checked, tag_slug
from mysite.errors import InvalidInput
from updates.constants import RESERVED_SLUGS
from updates.versions import SemVer

EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "3"))
# The coverage phase adds hundreds of boundary cases per operation: in `make fuzz` (FUZZ_COVERAGE=0 leaves it out).
THOROUGH = EXAMPLES_PER_OPERATION >= 50 and os.environ.get("FUZZ_COVERAGE", "1") != "0"
DOCUMENTED_SERVER_ERRORS = {("GET", "/api/todos/credentials"): 501}
SCHEMA_PATH = "/api/schema/?format=json"

# The writes that answer 428 `precondition_required` without a version (`expected_version(..., required=True)`).
VERSION_REQUIRED = [
    "accounts_me_update",
    "blog_admin_posts_partial_update",
    "blog_admin_posts_destroy",
    "blog_admin_revisions_restore",
    "todos_lists_update",
    "todos_lists_destroy",
    "todos_tasks_update",
    "todos_tasks_destroy",
    "updates_releases_update",
]
# The writes that name other items (a list, a parent task, the tasks to reorder, a feature image, a
# product's channel): a made-up one is the documented 422.
REFERENCES = [
    "todos_tasks_create",
    "todos_tasks_update",  # versioned too: VERSIONED_REFERENCES
    "todos_tasks_move",
    "todos_tasks_reorder",
    "blog_admin_posts_create",
    "updates_releases_create",
]
# Versioned writes that name other items (a post's feature image, a task's parent): 422 and 428 both.
VERSIONED_REFERENCES = ["blog_admin_posts_partial_update", "todos_tasks_update"]
POSITIVE_ANSWERS = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' own default
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429"]
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": THOROUGH}, "stateful": {"enabled": True}},
        "continue-on-failure": True,
        "checks": {
            # Two more ways this API refuses bad input: 413 for a size over a documented maximum, 414 for a
            # query string over 8 KiB (mysite.middleware, before any view reads it). A 5xx never counts.
            "negative_data_rejection": {"expected-statuses": REJECTIONS},
        },
        "operations": [
            {
                "include-operation-id": ["accounts_confirm", "accounts_password_reset"],
                "checks": {"positive_data_acceptance": {"enabled": False}},
            },
            {
                "include-operation-id": VERSIONED_REFERENCES,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_ANSWERS, "422", "428"]}},
            },
            {
                "include-operation-id": [op for op in VERSION_REQUIRED if op not in VERSIONED_REFERENCES],
                "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_ANSWERS, "428"]}},
            },
            {
                "include-operation-id": [op for op in REFERENCES if op not in VERSIONED_REFERENCES],
                "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_ANSWERS, "422"]}},
            },
        ],
    }
)

_VERSION = "$response.body#/version"
_ETAG = "$response.header.ETag"
# Stateful chains: what each create (or change) answers feeds the operations on the same object.
LINKS: dict[str, dict[str, dict]] = {
    "todos_lists_create": {
        "201": {
            "GetList": {"operationId": "todos_lists_retrieve", "parameters": {"list_id": "$response.body#/id"}},
            "UpdateList": {
                "operationId": "todos_lists_update",
                "parameters": {"list_id": "$response.body#/id", "header.If-Match": _ETAG},
            },
            "DeleteList": {
                "operationId": "todos_lists_destroy",
                "parameters": {"list_id": "$response.body#/id", "header.If-Match": _ETAG},
            },
            "AddTaskToList": {"operationId": "todos_tasks_create", "requestBody": {"list_id": "$response.body#/id"}},
            "ListTasksOfList": {"operationId": "todos_tasks_list", "parameters": {"list_id": "$response.body#/id"}},
        }
    },
    "todos_lists_update": {
        "200": {
            "GetList": {"operationId": "todos_lists_retrieve", "parameters": {"list_id": "$response.body#/id"}},
            "DeleteList": {
                "operationId": "todos_lists_destroy",
                "parameters": {"list_id": "$response.body#/id", "header.If-Match": _ETAG},
            },
        }
    },
    "todos_tasks_create": {
        "201": {
            "GetTask": {"operationId": "todos_tasks_retrieve", "parameters": {"task_id": "$response.body#/id"}},
            **{
                name: {
                    "operationId": operation,
                    "parameters": {"task_id": "$response.body#/id", "header.If-Match": _ETAG},
                }
                for name, operation in (
                    ("UpdateTask", "todos_tasks_update"),
                    ("DeleteTask", "todos_tasks_destroy"),
                    ("CompleteTask", "todos_tasks_complete"),
                    ("ReopenTask", "todos_tasks_reopen"),
                    ("MoveTask", "todos_tasks_move"),
                )
            },
            "AddSubtask": {"operationId": "todos_tasks_create", "requestBody": {"parent_id": "$response.body#/id"}},
            "AttachFile": {"operationId": "todos_attachments_create", "parameters": {"task_id": "$response.body#/id"}},
            "ListAttachments": {
                "operationId": "todos_attachments_list",
                "parameters": {"task_id": "$response.body#/id"},
            },
        }
    },
    "todos_tasks_update": {
        "200": {
            "GetTask": {"operationId": "todos_tasks_retrieve", "parameters": {"task_id": "$response.body#/id"}},
            "DeleteTask": {
                "operationId": "todos_tasks_destroy",
                "parameters": {"task_id": "$response.body#/id", "header.If-Match": _ETAG},
            },
        }
    },
    "blog_admin_posts_create": {
        "201": {
            "GetPost": {"operationId": "blog_admin_posts_retrieve", "parameters": {"post_id": "$response.body#/id"}},
            **{
                name: {
                    "operationId": operation,
                    "parameters": {"post_id": "$response.body#/id", "header.If-Match": _ETAG},
                }
                for name, operation in (
                    ("UpdatePost", "blog_admin_posts_partial_update"),
                    ("DeletePost", "blog_admin_posts_destroy"),
                )
            },
            "SchedulePost": {
                "operationId": "blog_admin_posts_schedule",
                "parameters": {"post_id": "$response.body#/id"},
                "requestBody": {"version": _VERSION},
            },
            **{
                name: {"operationId": operation, "parameters": {"post_id": "$response.body#/id"}}
                for name, operation in (
                    ("PublishPost", "blog_admin_posts_publish"),
                    ("UnpublishPost", "blog_admin_posts_unpublish"),
                )
            },
        }
    },
    "blog_admin_posts_partial_update": {
        "200": {
            "GetPost": {"operationId": "blog_admin_posts_retrieve", "parameters": {"post_id": "$response.body#/id"}},
            "DeletePost": {
                "operationId": "blog_admin_posts_destroy",
                "parameters": {"post_id": "$response.body#/id", "header.If-Match": _ETAG},
            },
        }
    },
    "blog_admin_posts_publish": {
        "200": {
            "ReadPublishedPost": {"operationId": "blog_posts_retrieve", "parameters": {"slug": "$response.body#/slug"}},
            "UnpublishPost": {
                "operationId": "blog_admin_posts_unpublish",
                "parameters": {"post_id": "$response.body#/id"},
            },
        }
    },
    "updates_products_create": {
        "201": {
            "CreateRelease": {
                "operationId": "updates_releases_create",
                "parameters": {"product": "$response.body#/slug"},
            },
            "ListReleases": {"operationId": "updates_releases_list", "parameters": {"product": "$response.body#/slug"}},
        }
    },
    "updates_releases_create": {
        "201": {
            **{
                name: {
                    "operationId": operation,
                    "parameters": {"product": "$request.path.product", "version": "$response.body#/version_name"},
                }
                for name, operation in (
                    ("GetRelease", "updates_releases_detail"),
                    ("StartArtifactUpload", "updates_artifacts_upload_start"),
                    ("PublishRelease", "updates_releases_publish"),
                    ("PauseRelease", "updates_releases_pause"),
                    ("ResumeRelease", "updates_releases_resume"),
                    ("YankRelease", "updates_releases_yank"),
                )
            },
            "UpdateRelease": {
                "operationId": "updates_releases_update",
                "parameters": {
                    "product": "$request.path.product",
                    "version": "$response.body#/version_name",
                    "header.If-Match": _ETAG,
                },
            },
        }
    },
}


def with_links(raw: dict) -> dict:
    """The served schema with LINKS added to the named operations' responses (every name must exist)."""
    operations = {op["operationId"]: op for ops in raw["paths"].values() for op in ops.values()}
    for source, responses in LINKS.items():
        for status, links in responses.items():
            operations[source]["responses"][status]["links"] = links
            for link in links.values():
                assert link["operationId"] in operations, link
    return raw


def load_schema():
    """The API's own schema, served by the app (generating it touches no table, so this runs at collection)."""
    app = get_wsgi_application()
    raw = with_links(json.loads(Client().get(SCHEMA_PATH).content))
    loaded = schemathesis.openapi.from_dict(raw, config=CONFIG)
    loaded.app, loaded.location = app, SCHEMA_PATH
    return loaded


schema = load_schema()


# Tokens the server signs: a page's `next_cursor`, a sync's `sync_token` (sent back as `since`).
SIGNED_TOKENS = ("cursor", "since")


@schema.hook("map_case")
def positive_cases_carry_no_signed_token(context, case):
    """Only a token the server answered is valid, so a made-up one belongs to the negative cases (a
    tampered token is a 400); positive cases read the first page, or sync everything."""
    if case.meta is not None and case.meta.generation.mode.is_positive and set(SIGNED_TOKENS) & set(case.query or {}):
        case.query = {name: value for name, value in case.query.items() if name not in SIGNED_TOKENS}
    return case


@schema.hook("map_case")
def positive_ramps_increase_to_100(context, case):
    """A ramp's steps increase and end at 100 (updates.ramp): a positive ramp puts its steps in that order."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    ramp = case.operation.definition.raw.get("operationId") in ("updates_ramp_start", "updates_ramp_start_deprecated")
    if positive and ramp and isinstance(case.body, dict) and isinstance(case.body.get("steps"), list):
        steps = sorted({step for step in case.body["steps"] if step != 100})[:9]
        case.body = {**case.body, "steps": [*steps, 100]}
    return case


@schema.hook("map_case")
def positive_cases_state_one_version(context, case):
    """If-Match and a body `version` that disagree are a 400: a positive write states the version once."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    headers = {name.lower() for name in (case.headers or {})}
    if positive and "if-match" in headers and isinstance(case.body, dict) and "version" in case.body:
        case.body = {name: value for name, value in case.body.items() if name != "version"}
    return case


def position_rules(body: dict, path: dict) -> dict:
    """A position of 0 or at least 1E-130 in magnitude (a list's, a task's)."""
    if isinstance(body.get("position"), float) and 0 < abs(body["position"]) < 1e-130:
        body = {**body, "position": 0.0}
    return body


def task_rules(body: dict, path: dict) -> dict:
    """A due date or a due date-time, not both; a time zone only with a date-time; no made-up repeat rule;
    a position of 0 or at least 1E-130 in magnitude."""
    body = {name: value for name, value in body.items() if name != "recurrence" or not value}
    if body.get("due_date") not in (None, "") and body.get("due_datetime") not in (None, ""):
        body.pop("due_datetime")
    if body.get("due_datetime") in (None, ""):
        body.pop("due_timezone", None)
    return position_rules(body, path)


def reminder_rules(body: dict, path: dict) -> dict:
    """A time or minutes before the due time: one of the two (both, or neither, is a 400)."""
    body = {name: value for name, value in body.items() if value is not None}
    if "at" in body:
        body.pop("offset_minutes", None)
    elif "offset_minutes" not in body:
        body["offset_minutes"] = 30
    return body


def reorder_rules(body: dict, path: dict) -> dict:
    """Each task once (a task twice is a 400): the first of each is kept."""
    if not isinstance(body.get("items"), list):
        return body
    named = {}
    for item in body["items"]:
        if isinstance(item, dict):
            named.setdefault(item.get("id"), item)
    return {**body, "items": list(named.values())}


def post_rules(body: dict, path: dict) -> dict:
    """A slug in the blog's slug alphabet (else none), tags that each spell an address of their own, a
    text alternative with a feature image."""
    body = dict(body)
    if isinstance(body.get("slug"), str) and body["slug"].strip():
        try:
            slug_checked(body["slug"])
        except InvalidInput:
            body["slug"] = ""
    if isinstance(body.get("tags"), list):
        addresses = {}
        for name in body["tags"]:
            if isinstance(name, str) and tag_slug(name):
                addresses.setdefault(tag_slug(name), name)
        body["tags"] = list(addresses.values())
    if body.get("feature_image_id") and not str(body.get("feature_image_alt") or "").strip():
        body["feature_image_alt"] = "A picture"
    return body


def product_rules(body: dict, path: dict) -> dict:
    """A slug that is not one of the reserved words (a path segment a product's would shadow)."""
    if body.get("slug") in RESERVED_SLUGS:
        body = {**body, "slug": f"{body['slug']}-app"}
    return body


def release_rules(body: dict, path: dict) -> dict:
    """A minimum version lower than the release's own (the body's `version_name`, or the path's `version`)."""
    release = body.get("version_name") or path.get("version") or ""
    try:
        lower = SemVer.parse(body.get("minimum_version") or "") < SemVer.parse(release)
    except InvalidInput:
        lower = False
    if body.get("minimum_version") and not lower:
        body = {name: value for name, value in body.items() if name != "minimum_version"}
    return body


# The rules between a write's fields (or its fields and its path) that no schema states, per operation
# (see the docstring).
FIELD_RULES = {
    "todos_lists_create": position_rules,
    "todos_lists_update": position_rules,
    "todos_tasks_create": task_rules,
    "todos_tasks_update": task_rules,
    "todos_tasks_reorder": reorder_rules,
    "todos_reminders_create": reminder_rules,
    "blog_admin_posts_create": post_rules,
    "blog_admin_posts_partial_update": post_rules,
    "updates_products_create": product_rules,
    "updates_releases_create": release_rules,
    "updates_releases_update": release_rules,
}
# A positive create's Idempotency-Key is its own: the operation, the body and the case's place in the run.
_CASE_NUMBERS = itertools.count()


def own_idempotency_key(case) -> str:
    """A key no earlier case sent: a made-up one may repeat an earlier case's with another body (a 422
    `idempotency_key_reused`). Derived, not drawn: a value drawn here would be part of the generated example."""
    body = json.dumps(case.body, sort_keys=True, default=str)
    text = f"{case.operation.label} {case.media_type} {body} {next(_CASE_NUMBERS)}"
    return hashlib.sha256(text.encode()).hexdigest()


@schema.hook("map_case")
def positive_writes_keep_the_rules_between_fields(context, case):
    """A positive write keeps the rules between its fields that no schema states (FIELD_RULES), and sends
    an Idempotency-Key of its own."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return case
    rules = FIELD_RULES.get(case.operation.definition.raw.get("operationId"))
    if rules and isinstance(case.body, dict):
        case.body = rules(case.body, case.path_parameters or {})
    if any(name.lower() == "idempotency-key" for name in case.headers or {}):
        headers = {name: value for name, value in case.headers.items() if name.lower() != "idempotency-key"}
        case.headers = {**headers, "Idempotency-Key": own_idempotency_key(case)}
    return case


def with_the_real_id_token(case) -> None:
    """Credentials are issued for the caller's own Cognito ID token: a positive case sends the real one."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.operation.definition.raw.get("operationId") == "todos_credentials":
        headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "x-id-token"}
        case.headers = {**headers, "X-Id-Token": power_user_tokens()["IdToken"]}


FUZZ_SETTINGS = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None)


def power_user_tokens() -> dict:
    """A blog administrator and release manager, so that every staff operation runs its own code."""
    from accounts.services import account_sign_in, user_create
    from tests.conftest import unique_email

    if not hasattr(power_user_tokens, "tokens"):
        email = unique_email("fuzz")
        user_create(
            email=email, password="correct-horse-9", display_name="Fuzz", groups=["administrators", "release-managers"]
        )
        power_user_tokens.tokens = account_sign_in(email=email, password="correct-horse-9")
    return power_user_tokens.tokens


def power_user_token() -> str:
    return power_user_tokens()["AccessToken"]


def assert_no_server_error(case, response) -> None:
    allowed = DOCUMENTED_SERVER_ERRORS.get((case.method.upper(), case.operation.path))
    assert response.status_code < 500 or response.status_code == allowed, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_operation_with_a_token(case, local_stack):
    with_the_real_id_token(case)
    response = case.call_and_validate(headers={"Authorization": f"Bearer {power_user_token()}"})
    assert_no_server_error(case, response)


@schema.parametrize()
@FUZZ_SETTINGS
def test_operation_without_credentials(case, local_stack):
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    case.cookies = {}
    response = case.call_and_validate()
    assert_no_server_error(case, response)
    if requires_auth(case.operation.definition.raw):
        # 404 only where nothing was reached (a path no route matches); 413 and 414 for a body or query
        # string over the limits, refused before authentication.
        assert response.status_code in (401, 404, 413, 414), (case.method, case.formatted_path, response.status_code)
        assert response.json()["error"]["code"] in ("not_authenticated", "not_found", "too_large", "uri_too_long")


class LinkedOperations(schema.as_state_machine()):
    """Create a list, task, post, product or release, then read, change and delete it through LINKS."""

    def get_call_kwargs(self, case):
        with_the_real_id_token(case)
        return {"headers": {"Authorization": f"Bearer {power_user_token()}"}}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        # The token is passed as the run's own headers (as `call_and_validate(headers=...)` does), so the
        # ignored-auth check knows it for a real credential and probes without it and with a wrong one.
        case.validate_response(
            response,
            additional_checks=additional_checks,
            headers=kwargs.get("headers"),
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )
        assert_no_server_error(case, response)


def test_linked_operations_with_a_token(local_stack):
    LinkedOperations.run(
        settings=settings(
            max_examples=EXAMPLES_PER_OPERATION, stateful_step_count=6, deadline=None, derandomize=True, database=None
        )
    )


def test_every_declared_link_joins_operations_and_parameters_that_exist():
    from schemathesis.specs.openapi.stateful import collect_transitions

    operations = [result.ok() for result in schema.get_all_operations()]
    transitions = collect_transitions(operations)  # raises on a link to a missing operation or parameter
    label_of = {operation.definition.raw["operationId"]: operation.label for operation in operations}
    for source, responses in LINKS.items():
        outgoing = {link.name for link in transitions.operations[label_of[source]].outgoing}
        for links in responses.values():
            assert set(links) <= outgoing, (source, set(links) - outgoing)


def requires_auth(operation: dict) -> bool:
    return operation.get("security") not in (None, [{}]) and {} not in operation.get("security", [])


SAMPLE_PATH_VALUES = {
    "number": "1",
    "product": "some-app",
    "version": "1.0.0",
    "platform": "darwin-arm64",
    "channel": "stable",
}


def test_every_protected_operation_is_401_without_credentials(client, local_stack):
    raw = client.get(SCHEMA_PATH).json()
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
