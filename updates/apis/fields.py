"""Serializer fields whose OpenAPI schema states what the server checks."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from updates.versions import MAX_LENGTH, SEMVER_SCHEMA

# The `<version>` of a release's path: a semantic version too (anything else is a 400 `invalid_version`).
RELEASE_VERSION = OpenApiParameter(
    "version", SEMVER_SCHEMA, OpenApiParameter.PATH, description="The release's version, e.g. 1.4.2"
)


@extend_schema_field(SEMVER_SCHEMA)
class SemVerField(serializers.CharField):
    """A semantic version (1.4.2, 2.0.0-beta.1), parsed by the service; the schema carries its grammar."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(**kwargs)
