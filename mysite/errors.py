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


class DomainError(Exception):
    """Base of every error a service raises on purpose; carries its HTTP status."""

    status = 400
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

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class InvalidInput(DomainError):
    status, code, message = 400, "invalid", "The request is not valid."


class Unprocessable(DomainError):
    status, code, message = 422, "unprocessable", "The request is well-formed but cannot be applied."


class NotAuthenticated(DomainError):
    status, code, message = 401, "not_authenticated", "Sign in to continue."


class Forbidden(DomainError):
    status, code, message = 403, "forbidden", "You are not allowed to do this."


class NotFound(DomainError):
    status, code, message = 404, "not_found", "Not found."


class Conflict(DomainError):
    status, code, message = 409, "conflict", "The item changed since you read it."


class PayloadTooLarge(DomainError):
    status, code, message = 413, "too_large", "The request is too large."


class ServiceUnavailable(DomainError):
    status, code, message = 503, "unavailable", "A backing service is unavailable; try again shortly."


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


def _cancellation_error(error: Exception) -> DomainError | None:
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


def as_domain_error(error: Exception) -> DomainError | None:
    """Translate infrastructure failures worth a clean answer to a DomainError.

    Throttling and timeouts are a 503 to retry; a ValidationException is DynamoDB refusing a value
    (a key over 2 KB, a number out of its range): the request's fault, a 400 that a retry cannot fix.
    """
    if isinstance(error, DomainError):
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
        response = Response({"error": domain.as_dict()}, status=domain.status)
        if domain.status == 503:
            response["Retry-After"] = "1"
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


def _json_error(error: DomainError) -> HttpResponse:
    body = json.dumps({"error": error.as_dict()})
    response = HttpResponse(body, status=error.status, content_type="application/json")
    response.site_error_page = True
    return response


_HEADINGS = {403: "Not allowed", 404: "Not found", 503: "Temporarily unavailable"}


def render_error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The site's error page for `error`: `<status>.html` where the status has its own, else `error.html`."""
    # Rendered like a public page: without the session, which may be what just failed.
    request.public_page = True
    # A field's problem that repeats the message (a bad cursor's) is said once.
    details = [p for problems in error.fields.values() for p in problems if str(p) != error.message]
    heading = _HEADINGS.get(error.status, "Something went wrong" if error.status >= 500 else "Something is not right")
    template = select_template([f"{error.status}.html", "error.html"])
    context = {"error": error, "details": details, "heading": heading}
    response = HttpResponse(template.render(context, request), status=error.status)
    response.site_error_page = True
    if error.status == 503:
        response["Retry-After"] = "1"
    return response


def _not_found_page(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _json_error(NotFound())
    return render_error_page(request, NotFound("We could not find that page."))


class DomainErrorMiddleware:
    """Turns a DomainError escaping an HTML view into a friendly page with the right status.

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
        if error is None:
            return None
        if request.path.startswith("/api/"):
            return _json_error(error)
        return render_error_page(request, error)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: a URL no route matches, or an Http404 outside any middleware's reach."""
    return _not_found_page(request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: PermissionDenied, as the site's page (JSON under /api/)."""
    error = Forbidden()
    return _json_error(error) if request.path.startswith("/api/") else render_error_page(request, error)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (expired page, blocked cookies) is a 403 page."""
    error = Forbidden("This form has expired or your browser refused its cookie. Reload the page and try again.")
    return _json_error(error) if request.path.startswith("/api/") else render_error_page(request, error)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: a request Django itself refused (a bad Host, too many fields), as the site's page."""
    error = InvalidInput("The request could not be understood.")
    return _json_error(error) if request.path.startswith("/api/") else render_error_page(request, error)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the site's page, or a bare one if even that cannot be rendered (templates broken)."""
    error = DomainError("Something went wrong on our side. Please try again.")
    error.status, error.code = 500, "server_error"
    if request.path.startswith("/api/"):
        return _json_error(error)
    try:
        return render_error_page(request, error)
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(
            "<!doctype html><title>Server error</title><h1>Something went wrong</h1><p>Please try again.</p>",
            status=500,
        )
