"""Serializer fields whose OpenAPI schema states what the server checks."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from updates.versions import MAX_LENGTH, SEMVER_SCHEMA


@extend_schema_field(SEMVER_SCHEMA)
class SemVerField(serializers.CharField):
    """A semantic version (1.4.2, 2.0.0-beta.1), parsed by the service; the schema carries its grammar."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(**kwargs)
