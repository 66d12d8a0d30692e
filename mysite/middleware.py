"""Request guards that run before any view."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import cc_delim_re

from mysite.dynamo import MAX_SORT_KEY_BYTES
from mysite.errors import InvalidInput, NotFound, PayloadTooLarge, UriTooLong, error_response

MAX_QUERY_STRING_BYTES = 8 * 1024


class RequestSizeLimitMiddleware:
    """Refuse bodies over MAX_REQUEST_BODY_BYTES (413), query strings over 8 KiB (414), overlong names (404),
    more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS in the query or a form body (400), bytes in the query or a
    URL-encoded body that are not UTF-8 (400: Django would keep them as U+FFFD), and NUL characters, which
    no key and no text field takes (a path: 404; a form field: 400, as the API's serializers answer).

    Files never pass through the app (browsers upload straight to S3), so no
    legitimate request needs a large body or a huge URL. Every path segment names
    a DynamoDB key (slug, id, version, label); one longer than a sort key can hold
    names nothing, and sending it to DynamoDB would only earn a ValidationException.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if length > limit:
            return error_response(request, PayloadTooLarge(f"The request body is larger than {limit // 1024} KiB."))
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING_BYTES:
            return error_response(request, UriTooLong())
        if "\x00" in request.path or any(len(s.encode()) > MAX_SORT_KEY_BYTES for s in request.path.split("/")):
            return error_response(request, NotFound("We could not find that page."))
        if refused := _fields_refused(request):
            return error_response(request, refused)
        return self.get_response(request)


NUL_MESSAGE = "Null characters are not allowed."  # the words of Django's ProhibitNullCharactersValidator
NOT_UTF8 = "The query and form fields are UTF-8 text; this request holds other bytes."
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_utf8(encoded: bytes) -> bool:
    """Whether a URL-encoded query or form body decodes as UTF-8 (each of its fields then does too)."""
    try:
        unquote_to_bytes(encoded).decode()
    except UnicodeDecodeError:
        return False
    return True


def _fields_refused(request: HttpRequest):
    """Parse the query (and a form body) here, once, so that Django's own refusals of too many fields are
    answered in the error shape: raised later, inside a middleware or a view, they would be a 500 (and under
    DEBUG a minute of rendering the debug page once per middleware)."""
    try:
        if not _is_utf8(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):  # WSGI's own decoding
            return InvalidInput(NOT_UTF8)
        request.GET  # noqa: B018 (parsed and cached on the request)
        if request.content_type in _FORMS:
            # Read before request.POST, so that the raw body stays readable (@idempotent hashes it). Of any
            # method: the API reads a URL-encoded PATCH or PUT as a form too.
            body = request.body
            if request.content_type == _FORMS[0] and not _is_utf8(body):
                return InvalidInput(NOT_UTF8)
            fields = request.POST.lists() if request.method == "POST" else ()
            if nul := sorted({name for name, values in fields if any("\x00" in v for v in values)}):
                return InvalidInput(fields={name: [NUL_MESSAGE] for name in nul})
    except RequestDataTooBig:
        return PayloadTooLarge(f"The request body is larger than {settings.MAX_REQUEST_BODY_BYTES // 1024} KiB.")
    except SuspiciousOperation:  # TooManyFieldsSent, TooManyFilesSent
        return InvalidInput(f"A request has at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields.")
    except MultiPartParserError:
        return InvalidInput("The form body could not be read.")
    return None


def shared_cacheable(response: HttpResponse) -> bool:
    """Whether CloudFront or API Gateway may keep `response` (public or s-maxage, not private/no-store)."""
    directives = {d.strip().split("=")[0].lower() for d in cc_delim_re.split(response.get("Cache-Control", ""))}
    return bool(directives & {"public", "s-maxage"}) and not directives & {"private", "no-store"}


class SharedCacheSafetyMiddleware:
    """A shared-cacheable answer never sets a cookie nor varies on one, whatever the request carried.

    A malformed `csrftoken` cookie makes CsrfViewMiddleware issue a new one (and add
    `Vary: Cookie`) on any page; on an answer a CDN keeps, that cookie would be handed to
    everyone and the Vary would split the cache per visitor. This middleware sits above the
    session and CSRF middleware, so it sees their cookies and drops them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if shared_cacheable(response):
            response.cookies.clear()
            if response.has_header("Vary"):
                kept = [v.strip() for v in cc_delim_re.split(response["Vary"]) if v.strip().lower() != "cookie"]
                if kept:
                    response["Vary"] = ", ".join(kept)
                else:
                    del response["Vary"]
        return response


class BodilessResponseMiddleware:
    """No Content-Length on 1xx, 204 and 304 answers (RFC 9110 §8.6), which CommonMiddleware adds to all.

    A 204 must not carry one; a 304 may only repeat the 200's, so leaving it out is the safe choice.
    It sits above CommonMiddleware so that it sees the header CommonMiddleware added.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code < 200 or response.status_code in (204, 304)) and response.has_header("Content-Length"):
            del response["Content-Length"]
        return response
