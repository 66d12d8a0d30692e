"""What every blog API view shares: validated input, paging parameters, the concurrency protocol, deprecated aliases.

Every function here is pure (no state across requests): right with any number of processes and threads.
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from blog.errors import PreconditionRequired
from mysite.apis import validated  # noqa: F401  (the blog APIs import it from here)
from mysite.errors import InvalidInput

# The paging parameters as the server checks them (1-2,000 characters; 1-50, default 10).
CURSOR = OpenApiParameter(
    "cursor",
    {"type": "string", "minLength": 1, "maxLength": 2000},
    description="The `next_cursor` of the previous page.",
)
LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
    description="Page size, 1-50 (default 10).",
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=False, description='The ETag you read, `"v<version>"`.'
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag you hold: 304 if current."
)
# ASCII digits only (\d would read "v٣" as 3), and no more than a version can be.
_ETAG_VERSION = re.compile(r'^(?:W/)?"v([0-9]{1,18})"$')


class PageQuery(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)


# --- Optimistic concurrency (docs/api-conventions.md) ------------------------------------------


def item_etag(version: int | None) -> str:
    """The ETag of a versioned item: `"v<version>"`."""
    return f'"v{version or 0}"'


def expected_version(request, data: dict | None = None, *, required: bool = False) -> int | None:
    """The version a write is based on: `If-Match: "v<N>"` or the body's `version` (popped from `data`).

    Both given and different is a 400; neither given where `required` is a 428.
    """
    header = (request.headers.get("If-Match") or "").strip()
    from_header = None
    if header and header != "*":
        match = _ETAG_VERSION.match(header)
        if not match:
            raise InvalidInput('If-Match must be an ETag from this API, such as "v3".', field="If-Match")
        from_header = int(match.group(1))
    from_body = data.pop("version", None) if data is not None else None
    if from_header is not None and from_body is not None and from_header != from_body:
        raise InvalidInput("If-Match and the body's version disagree.", field="version")
    version = from_header if from_header is not None else from_body
    if version is None and required:
        raise PreconditionRequired()
    return version


def item_response(request, body: dict, *, version: int, status: int = 200, location: str | None = None) -> Response:
    """One versioned item for one author: `ETag: "v<N>"`, 304 to a matching If-None-Match, never shared."""
    etag = item_etag(version)
    if request.method == "GET" and etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = Response(status=304)
    else:
        response = Response(body, status=status)
    response["ETag"] = etag
    if location:
        response["Location"] = location
    patch_cache_control(response, private=True, no_cache=True)
    return response


# --- Authors ---------------------------------------------------------------------------------------


class IsAuthor(BasePermission):
    """Signed in and in the `authors` group; others get 403 (401 without credentials)."""

    message = "Only authors can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_author)


class AuthorApi(APIView):
    permission_classes = [IsAuthor]


class DeprecatedAlias:
    """A route kept for one release after its method changed: it answers as before, pointing at its successor.

    Every answer carries `Deprecation: true` and `Link: <successor>; rel="successor-version"`.
    """

    successor_name = ""  # the URL name of the route that replaces it

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Deprecation"] = "true"
        response["Link"] = f'<{reverse(self.successor_name, kwargs=kwargs)}>; rel="successor-version"'
        return response
