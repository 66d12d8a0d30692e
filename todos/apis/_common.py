"""What every todos API view shares: input validation, versions from If-Match, ETags and 304s."""

from __future__ import annotations

import hashlib
import json
import re

from django.utils.cache import patch_cache_control
from rest_framework import serializers
from rest_framework.response import Response

from mysite.errors import InvalidInput
from mysite.validation import validated as strictly_validated

# ASCII digits only (\d would read "v٣" as 3), and no more than a version can be: int() refuses 4,300+ digits.
_ETAG_VERSION = re.compile(r'^(?:W/)?"v([0-9]{1,18})"$')


class StrictSerializer(serializers.Serializer):
    """A serializer that rejects fields it does not know, instead of ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    return strictly_validated(serializer_class, data, partial=partial)


def expected_version(request, data: dict | None = None) -> int | None:
    """The version the client last saw: `If-Match: "v3"` or a `version` field."""
    header = request.headers.get("If-Match")
    if header and header.strip() != "*":
        match = _ETAG_VERSION.match(header.strip())
        if not match:
            raise InvalidInput('If-Match must be an ETag from this API, such as "v3".', field="If-Match")
        return int(match.group(1))
    if data is not None:
        return data.pop("version", None)
    return None


def item_etag(version: int | None) -> str:
    return f'"v{version or 0}"'


def private_response(request, body, *, status: int = 200, etag: str | None = None) -> Response:
    """A response for one user: ETag (given or from the body), 304 when the client has it, never shared."""
    if etag is None and status == 200:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]
        etag = f'"{digest}"'
    if request.method == "GET" and etag:
        candidates = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
        if etag in candidates or f"W/{etag}" in candidates:
            response = Response(status=304)
            response["ETag"] = etag
            patch_cache_control(response, private=True, no_cache=True)
            return response
    response = Response(body, status=status)
    if etag:
        response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response
