"""HTTP caching for public pages: what CloudFront and API Gateway may store, and 304s."""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag


def public_page(view=None, *, max_age: int = 60, s_maxage: int = 300, stale_while_revalidate: int = 60):
    """Mark a view's responses as shared-cacheable: same bytes for everyone, ETag, 304.

    The view runs with `request.public_page = True`, which keeps templates from
    reading the session or the CSRF token, so the response never varies on cookies.
    """

    def decorator(view_func):
        @functools.wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            request.public_page = True
            response = view_func(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
                return response
            return make_cacheable(
                request, response, max_age=max_age, s_maxage=s_maxage, stale_while_revalidate=stale_while_revalidate
            )

        return wrapper

    return decorator(view) if view is not None else decorator


def make_cacheable(
    request: HttpRequest,
    response: HttpResponse,
    *,
    max_age: int,
    s_maxage: int,
    stale_while_revalidate: int = 0,
    last_modified: datetime | None = None,
    immutable: bool = False,
) -> HttpResponse:
    """Add Cache-Control, ETag (from the body unless set) and Last-Modified; answer 304 if unchanged.

    The browsable-API form of a public API is for one person (it carries a CSRF token and shares
    the JSON answer's URL), so it is never handed to a shared cache.
    """
    if getattr(getattr(response, "accepted_renderer", None), "format", None) == "api":
        patch_cache_control(response, private=True, no_cache=True)
        return response
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    if not response.has_header("ETag"):
        # Django's set_response_etag skips empty bodies, but a cacheable 204 ("no update") is a
        # representation too, and clients revalidate it like any other.
        digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["ETag"] = quote_etag(digest)
    directives = {"public": True, "max_age": max_age, "s_maxage": s_maxage}
    if stale_while_revalidate:
        directives["stale_while_revalidate"] = stale_while_revalidate
    if immutable:
        directives["immutable"] = True
    patch_cache_control(response, **directives)
    # A view may set Last-Modified itself (public_page passes no date); honour it for If-Modified-Since.
    modified = int(last_modified.timestamp()) if last_modified else parse_http_date_safe(response.get("Last-Modified"))
    conditional = get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=modified,
        response=response,
    )
    return conditional
