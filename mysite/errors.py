"""Domain errors and the one place that maps them to HTTP: a JSON body for the API, a page for HTML.

Every API error has the same shape::

    {"error": {"code": "not_found", "message": "...", "fields": {...}}}
"""

from __future__ import annotations

import json
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import select_template
from pynamodb.exceptions import PynamoDBConnectionError, TransactWriteError
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    """Base of every error a service raises on purpose: a code and a message, no HTTP status.

    The status of each class is in `HTTP_STATUS`, read by `http_status()`: the one place that
    maps the domain to HTTP.
    """

    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: dict | None = None,
        field: str | None = None,
        extra: dict | None = None,
    ):
        self.message = message or self.message
        self.fields = fields or ({field: [self.message]} if field else {})
        self.extra = extra or {}
        super().__init__(self.message)

    @property
    def status(self) -> int:
        """The HTTP status `http_status()` gives this error (for views that render their own pages)."""
        return http_status(self)

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class InvalidInput(ApplicationError):
    code, message = "invalid", "The request is not valid."


class InvalidCursor(InvalidInput):
    """A `cursor` (or sync token) this server did not make for this query: tampered, or another list's."""

    code, message = "invalid_cursor", "This cursor is invalid, or belongs to another list."

    def __init__(self, message: str | None = None, *, field: str = "cursor", **kwargs):
        super().__init__(message, field=field, **kwargs)


class Unprocessable(ApplicationError):
    code, message = "unprocessable", "The request is well-formed but cannot be applied."


class NotAuthenticated(ApplicationError):
    code, message = "not_authenticated", "Sign in to continue."


class Forbidden(ApplicationError):
    code, message = "forbidden", "You are not allowed to do this."


class NotFound(ApplicationError):
    code, message = "not_found", "Not found."


class Gone(ApplicationError):
    """The thing existed and was removed on purpose (a deleted post, a withdrawn release's file)."""

    code, message = "gone", "This is no longer available."


NO_CURRENT = object()  # a conflict that carries no item (not even "deleted")


class Conflict(ApplicationError):
    """A write that lost to the state of the item; `current` is the item as it is now (None once deleted).

    The service raises it with the domain object; the API answering renders that object in its own
    output shape as `current` (mysite.apis.PrivateApi.current_body), so a 409 shows the item exactly
    as a GET would. Without an API (an HTML view, a command) `current` stays an attribute.
    """

    code, message = "conflict", "The item changed since you read it."

    def __init__(self, message: str | None = None, *, current=NO_CURRENT, **kwargs):
        super().__init__(message, **kwargs)
        self.current = current

    @property
    def has_current(self) -> bool:
        return self.current is not NO_CURRENT


class VersionConflict(Conflict):
    """A write based on a stale version; `current` carries the item as it is now."""

    code, message = "version_conflict", "The item changed since you read it; reload and try again."


class PreconditionRequired(ApplicationError):
    code, message = "precondition_required", 'State the version you read: If-Match: "v<N>" or "version" in the body.'


class PayloadTooLarge(ApplicationError):
    code, message = "too_large", "The request is too large."


class UriTooLong(ApplicationError):
    code, message = "uri_too_long", "The query string is longer than 8 KiB."


class Throttled(ApplicationError):
    """Too many attempts; `retry_after` seconds go into the body and the Retry-After header."""

    code, message = "throttled", "Too many attempts; wait a little and try again."

    def __init__(self, message: str | None = None, *, retry_after: int = 1):
        super().__init__(message, extra={"retry_after": retry_after})
        self.retry_after = retry_after


class NotConfigured(ApplicationError):
    code, message = "not_configured", "This feature is not configured here."


class ServiceUnavailable(ApplicationError):
    code, message = "unavailable", "A backing service is unavailable; try again shortly."


class ServerError(ApplicationError):
    code, message = "server_error", "Something went wrong on our side. Please try again."


# The one map from domain errors to HTTP; a subclass takes the status of its nearest listed base.
HTTP_STATUS: dict[type[ApplicationError], int] = {
    ApplicationError: 400,
    InvalidInput: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Gone: 410,
    PayloadTooLarge: 413,
    UriTooLong: 414,
    Unprocessable: 422,
    PreconditionRequired: 428,
    Throttled: 429,
    ServerError: 500,
    NotConfigured: 501,
    ServiceUnavailable: 503,
}


def http_status(error: ApplicationError) -> int:
    """The HTTP status of a domain error: its nearest class in `HTTP_STATUS`."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 400


def retry_after(error: ApplicationError) -> int | None:
    """Seconds for the Retry-After header: set for throttling and unavailable backends."""
    if isinstance(error, Throttled):
        return error.retry_after
    if isinstance(error, ServiceUnavailable):
        return 1
    return None


def json_error_response(error: ApplicationError) -> HttpResponse:
    """The one JSON error answer outside DRF (middleware, Django's 404/500 handlers, plain views)."""
    response = HttpResponse(
        json.dumps({"error": error.as_dict()}), status=http_status(error), content_type="application/json"
    )
    if retry_after(error) is not None:
        response["Retry-After"] = str(retry_after(error))
    return response


_THROTTLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "ServiceUnavailable",
}


def _error_code(error: BaseException | None) -> str | None:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code")
    return None


def _is_throttle(error: BaseException | None) -> bool:
    if isinstance(error, ClientError):
        return _error_code(error) in _THROTTLE_CODES
    return isinstance(error, (BotoCoreError, PynamoDBConnectionError))


def _cancellation_error(error: Exception) -> ApplicationError | None:
    """A cancelled transaction the service did not handle itself, by its items' reasons."""
    reasons = {getattr(r, "code", None) for r in (getattr(error, "cancellation_reasons", None) or [])} - {None, "None"}
    if "ValidationError" in reasons:
        logger.warning("DynamoDB refused a value in a transaction: %s", error)
        return InvalidInput("A value is too large or out of range.")
    if reasons & {"ConditionalCheckFailed", "TransactionConflict"}:
        return Conflict("Another change to the same items happened at the same moment; reload and try again.")
    if reasons & {"ThrottlingError", "ProvisionedThroughputExceeded"}:
        return ServiceUnavailable()
    return None


def as_domain_error(error: Exception) -> ApplicationError | None:
    """Translate infrastructure failures worth a clean answer to an ApplicationError.

    Throttling and timeouts are a 503 to retry; a ValidationException is DynamoDB refusing a value
    (a key over 2 KB, a number out of its range): the request's fault, a 400 that a retry cannot fix.
    """
    if isinstance(error, ApplicationError):
        return error
    cause = getattr(error, "cause", None) or error.__cause__
    if "ValidationException" in (_error_code(error), _error_code(cause)):
        logger.warning("DynamoDB refused a value: %s", error)
        return InvalidInput("A value is too large or out of range.")
    if isinstance(error, TransactWriteError):
        mapped = _cancellation_error(error)
        if mapped is not None:
            return mapped
    if _is_throttle(error) or (cause is not None and _is_throttle(cause)):
        logger.warning("AWS unavailable: %s", error)
        return ServiceUnavailable()
    return None


_DRF_CODES = {
    drf_exceptions.ValidationError: "invalid",
    drf_exceptions.ParseError: "malformed",
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "not_authenticated",
    drf_exceptions.PermissionDenied: "forbidden",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: domain and framework errors in the one API error shape."""
    domain = as_domain_error(exc)
    if domain is not None:
        response = Response({"error": domain.as_dict()}, status=http_status(domain))
        if retry_after(domain) is not None:
            response["Retry-After"] = str(retry_after(domain))
        return response
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, drf_exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": code, "message": "The request is not valid.", "fields": detail}
    else:
        body = {"code": code, "message": str(getattr(exc, "detail", exc))}
    response.data = {"error": body}
    return response


def _json_error(error: ApplicationError) -> HttpResponse:
    response = json_error_response(error)
    response.site_error_page = True
    return response


_HEADINGS = {403: "Not allowed", 404: "Not found", 503: "Temporarily unavailable"}


def render_error_page(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The site's error page for `error`: `<status>.html` where the status has its own, else `error.html`."""
    # Rendered like a public page: without the session, which may be what just failed.
    request.public_page = True
    status = http_status(error)
    # A field's problem that repeats the message (a bad cursor's) is said once.
    details = [p for problems in error.fields.values() for p in problems if str(p) != error.message]
    heading = _HEADINGS.get(status, "Something went wrong" if status >= 500 else "Something is not right")
    template = select_template([f"{status}.html", "error.html"])
    context = {"error": error, "details": details, "heading": heading}
    response = HttpResponse(template.render(context, request), status=status)
    response.site_error_page = True
    if retry_after(error) is not None:
        response["Retry-After"] = str(retry_after(error))
    return response


def error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """The JSON error body under /api/, the friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return _json_error(error)
    return render_error_page(request, error)


def _not_found_page(request: HttpRequest) -> HttpResponse:
    api = request.path.startswith("/api/")
    return error_response(request, NotFound() if api else NotFound("We could not find that page."))


class ApplicationErrorMiddleware:
    """Turns an ApplicationError escaping an HTML view into a friendly page with the right status.

    A 404 is the site's page whatever DEBUG says: an `Http404` a view raises, and (with DEBUG on,
    where Django would answer its technical page) a URL no route matches. Stateless: safe with any
    number of processes and threads.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and not getattr(response, "site_error_page", False)
        ):
            return _not_found_page(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return _not_found_page(request)
        error = as_domain_error(exception)
        return None if error is None else error_response(request, error)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a URL no route matches, or an Http404 outside any middleware's reach."""
    return _not_found_page(request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: PermissionDenied, as the site's page (JSON under /api/)."""
    return error_response(request, Forbidden())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (expired page, blocked cookies) is a 403 page."""
    return error_response(
        request, Forbidden("This form has expired or your browser refused its cookie. Reload the page and try again.")
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a request Django itself refused (a bad Host, too many fields), as the site's page."""
    return error_response(request, InvalidInput("The request could not be understood."))


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the site's page, or a bare one if even that cannot be rendered (templates broken)."""
    if request.path.startswith("/api/"):
        return _json_error(ServerError())
    try:
        return render_error_page(request, ServerError())
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(
            "<!doctype html><title>Server error</title><h1>Something went wrong</h1><p>Please try again.</p>",
            status=500,
        )
