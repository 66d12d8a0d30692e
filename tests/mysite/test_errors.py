"""Domain errors carry no HTTP status: one map gives each its status, and every answer has one shape."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.errors import TooManyAttempts
from mysite.cognito import CognitoError, CognitoSignedOut
from mysite.errors import (
    ApplicationError,
    Conflict,
    Forbidden,
    Gone,
    InvalidInput,
    NotAuthenticated,
    NotConfigured,
    NotFound,
    PayloadTooLarge,
    PreconditionRequired,
    ServiceUnavailable,
    Throttled,
    Unprocessable,
    UriTooLong,
    VersionConflict,
    api_exception_handler,
    error_response,
    http_status,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ApplicationError(), 400),
        (InvalidInput(), 400),
        (NotAuthenticated(), 401),
        (Forbidden(), 403),
        (NotFound(), 404),
        (Conflict(), 409),
        (VersionConflict(), 409),
        (Gone(), 410),
        (PayloadTooLarge(), 413),
        (UriTooLong(), 414),
        (Unprocessable(), 422),
        (PreconditionRequired(), 428),
        (Throttled(retry_after=3), 429),
        (NotConfigured(), 501),
        (ServiceUnavailable(), 503),
        (CognitoError("no", reason="X"), 400),
        (CognitoSignedOut("no", reason="X"), 401),
        (TooManyAttempts(retry_after=5), 429),
    ],
)
def test_each_error_takes_the_status_of_its_nearest_mapped_class(error, status):
    assert http_status(error) == status
    assert error.status == status


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _app_error_classes() -> set[type]:
    """Every error class of the apps and the core: each app's modules are imported, so none is missed."""
    import importlib
    import pkgutil

    for app in ("accounts", "blog", "todos", "updates"):
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".management." not in module.name and ".migrations" not in module.name:
                importlib.import_module(module.name)
    return {cls for cls in _subclasses(ApplicationError) if not cls.__module__.startswith("tests.")}


def test_no_error_class_states_its_own_status():
    classes = _app_error_classes() | {ApplicationError}
    assert {"accounts.errors", "blog.errors", "todos.errors", "updates.errors"} <= {c.__module__ for c in classes}
    for cls in classes:
        assert not isinstance(vars(cls).get("status"), int), cls  # only the base's property, which asks the map


def test_an_apps_errors_live_in_its_errors_module():
    misplaced = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _app_error_classes()
        if not cls.__module__.startswith("mysite.") and not cls.__module__.endswith(".errors")
    ]
    assert misplaced == []


def test_an_app_subclass_inherits_its_base_status_and_keeps_its_code():
    class TaskGone(NotFound):
        code, message = "task_gone", "That task is gone."

    error = TaskGone(field="task_id")
    assert http_status(error) == 404
    assert error.as_dict() == {
        "code": "task_gone",
        "message": "That task is gone.",
        "fields": {"task_id": ["That task is gone."]},
    }


def test_the_api_handler_answers_status_body_and_retry_after():
    response = api_exception_handler(TooManyAttempts(retry_after=7), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert response.data == {
        "error": {"code": "throttled", "message": "Too many attempts; wait a little and try again.", "retry_after": 7}
    }
    conflict = api_exception_handler(VersionConflict(extra={"current": {"version": 4}}), {})
    assert (conflict.status_code, conflict.data["error"]["current"]) == (409, {"version": 4})
    assert not conflict.has_header("Retry-After")


def test_error_response_is_json_under_api_and_a_page_elsewhere():
    factory = RequestFactory()
    api = error_response(factory.get("/api/anything"), NotFound())
    assert (api.status_code, api["Content-Type"]) == (404, "application/json")
    assert b'"code": "not_found"' in api.content
    page = error_response(factory.get("/somewhere/"), ServiceUnavailable())
    assert page.status_code == 503
    assert page["Retry-After"] == "1"
    assert page["Content-Type"].startswith("text/html")
