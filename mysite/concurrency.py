"""The one optimistic-concurrency protocol of every API (docs/api-conventions.md).

A versioned item answers `ETag: "v<version>"`; a write states the version it read as
`If-Match: "v<N>"` or as `"version": N` in the body (both must agree); a stale version is a
409 `version_conflict` with the current item: the service raises `VersionConflict(current=item)`
and the API renders the item in its own output shape (mysite.apis.PrivateApi). Pure functions:
right with any processes and threads.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.utils.cache import patch_cache_control
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.response import Response

from mysite.errors import InvalidInput, PreconditionRequired
from mysite.schema import ErrorSerializer

# ASCII digits only (\d would read "v٣" as 3), and no more than a version can be: int() refuses 4,300+ digits.
_ETAG_VERSION = re.compile(r'^(?:W/)?"v([0-9]{1,18})"$')
# What If-Match may hold, for the schema: nothing, `*`, or one such ETag, with optional spaces or tabs around.
IF_MATCH_SCHEMA = {"type": "string", "pattern": r'^[ \t]*(\*|(W/)?"v[0-9]{1,18}")?[ \t]*$'}
# The one If-Match parameter every versioned write declares (a stale version is a 409, a malformed one a 400).
IF_MATCH = OpenApiParameter(
    "If-Match",
    IF_MATCH_SCHEMA,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag you last read, `"v<version>"`; a stale one gets 409 `version_conflict`.',
)
# The 428 of a write that requires the version (`expected_version(..., required=True)`), in the one error shape.
PRECONDITION_REQUIRED = OpenApiResponse(
    ErrorSerializer, description='No version stated (`precondition_required`): send If-Match or `"version"`.'
)


def version_field(*, required: bool = False, min_value: int = 1) -> serializers.IntegerField:
    """The body's `version` of a write: the version the client read; optional where If-Match may carry it."""
    text = "The version you last read." if required else 'The version you last read; or send `If-Match: "v<version>"`.'
    return serializers.IntegerField(required=required, min_value=min_value, help_text=text)


class VersionInput(serializers.Serializer):
    """The body of a versioned write that sends nothing else (a delete, a restore): `version`, or If-Match."""

    version = version_field()


def item_etag(version: int | None) -> str:
    """The ETag of a versioned item: `"v<version>"`."""
    return f'"v{version or 0}"'


def if_match_version(request) -> int | None:
    """The version in `If-Match: "v<N>"`, None without one (or with `*`); 400 for any other ETag."""
    header = (request.headers.get("If-Match") or "").strip(" \t")  # HTTP's optional whitespace only
    if not header or header == "*":
        return None
    match = _ETAG_VERSION.fullmatch(header)
    if not match:
        raise InvalidInput('If-Match must be an ETag from this API, such as "v3".', field="If-Match")
    return int(match.group(1))


def expected_version(request, data: dict | None = None, *, required: bool = False) -> int | None:
    """The version the client based its write on, from If-Match or the body's `version` (popped from `data`).

    Both given and different is a 400; neither given where `required` is a 428.
    """
    header = if_match_version(request)
    body = data.pop("version", None) if data is not None else None
    if header is not None and body is not None and header != body:
        raise InvalidInput("If-Match and the body's version disagree.", field="version")
    version = header if header is not None else body
    if version is None and required:
        raise PreconditionRequired()
    return version


def client_has(request, etag: str) -> bool:
    """Whether the request's If-None-Match names `etag` (weakly compared, as RFC 9110 has for GET) or is `*`."""
    candidates = {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}
    return "*" in candidates or etag.removeprefix("W/") in candidates


def private_response(
    request, body, *, status: int = 200, etag: str | None = None, location: str | None = None
) -> Response:
    """A response for one user: ETag (given or from the body), 304 when the client has it, never shared.

    `location`: the new item's URL, for a 201 (its `Location` header).
    """
    if etag is None and status == 200:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]
        etag = f'"{digest}"'
    if request.method == "GET" and etag and client_has(request, etag):
        response = Response(status=304)
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
        return response
    response = Response(body, status=status)
    if etag:
        response["ETag"] = etag
    if location:
        response["Location"] = location
    patch_cache_control(response, private=True, no_cache=True)
    return response
