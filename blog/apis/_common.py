"""What every blog API view shares: paging parameters, versioned item answers, deprecated aliases.

Every function here is pure (no state across requests): right with any number of processes and threads.
"""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from blog import permissions
from mysite.apis import PrivateApi, validated  # noqa: F401  (the blog APIs import validated from here)
from mysite.concurrency import (  # noqa: F401  (the one protocol; re-exported)
    IF_MATCH,
    PRECONDITION_REQUIRED,
    expected_version,
    item_etag,
    private_response,
)
from mysite.deprecation import DeprecatedAlias  # noqa: F401  (the core's; the blog APIs import it from here)

# The paging parameters as the server checks them (an empty cursor is the first page; 1-50, default 10).
CURSOR = OpenApiParameter(
    "cursor",
    {"type": "string", "maxLength": 2000},
    description="The `next_cursor` of the previous page.",
)
LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
    description="Page size, 1-50 (default 10).",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag you hold: 304 if current."
)


_INTEGER = re.compile(r"-?[0-9]{1,9}")


class PageQuery(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=2000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    def to_internal_value(self, data):
        # One `limit`, in digits: DRF would read a blank one as absent, take the last of several, and read
        # "8.0" as 8, none of which the schema's integer allows. (A blank cursor is the first page.)
        limits = data.getlist("limit") if hasattr(data, "getlist") else []
        if len(limits) > 1 or any(not _INTEGER.fullmatch(value) for value in limits):
            raise serializers.ValidationError({"limit": ["Give one limit, a whole number."]})
        return super().to_internal_value(data)


# --- Optimistic concurrency: mysite.concurrency reads the version; answers carry its ETag -------


def item_response(request, body: dict, *, version: int, status: int = 200, location: str | None = None) -> Response:
    """One versioned item for one author: `ETag: "v<N>"`, 304 to a matching If-None-Match, never shared."""
    return private_response(request, body, status=status, etag=item_etag(version), location=location)


# --- Authors ---------------------------------------------------------------------------------------


class IsAuthor(BasePermission):
    """Signed in with a blog staff role (any of blog.permissions.ROLES); others get 403 (401 without credentials).

    What each role may do with a post is decided by blog.permissions, in the services and selectors.
    """

    message = "Only the blog's staff can do this."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and permissions.is_staff(request.user))


class RoleRequired(IsAuthor):
    """Staff whose role passes the view's `role_check` (a blog.permissions function of the user)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and view.role_check(request.user)


class AuthorApi(PrivateApi):
    permission_classes = [IsAuthor]
