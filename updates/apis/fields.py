"""Serializer fields and path parameters whose OpenAPI schema states what the server checks."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers

from updates.constants import MAX_ARTIFACT_BYTES, PLATFORMS, SLUG_PATTERN
from updates.versions import MAX_LENGTH, SEMVER_SCHEMA

# The `<product>` of a publishing path: a product's slug (any other name is no product, a 404).
PRODUCT_SLUG = OpenApiParameter(
    "product",
    {"type": "string", "maxLength": 50, "pattern": SLUG_PATTERN.pattern},
    OpenApiParameter.PATH,
    description="The product's slug, e.g. my-app",
)
# The `<version>` of a release's path: a semantic version too (anything else is a 400 `invalid_version`).
RELEASE_VERSION = OpenApiParameter(
    "version", SEMVER_SCHEMA, OpenApiParameter.PATH, description="The release's version, e.g. 1.4.2"
)
# The `<platform>` of an artifact's path: one of the catalog's platforms (any other has no artifact, a 404).
ARTIFACT_PLATFORM = OpenApiParameter(
    "platform", {"type": "string", "enum": list(PLATFORMS)}, OpenApiParameter.PATH, description="e.g. darwin-arm64"
)
# A product's path, a release's, an artifact's.
PRODUCT_PATH = [PRODUCT_SLUG]
RELEASE_PATH = [PRODUCT_SLUG, RELEASE_VERSION]
ARTIFACT_PATH = [*RELEASE_PATH, ARTIFACT_PLATFORM]

# What SemVer.parse accepts, or nothing: an optional version that a blank clears.
_OPTIONAL_SEMVER_SCHEMA = {**SEMVER_SCHEMA, "pattern": f"^(?:{SEMVER_SCHEMA['pattern'][1:-1]})?$"}


@extend_schema_field(SEMVER_SCHEMA)
class SemVerField(serializers.CharField):
    """A semantic version (1.4.2, 2.0.0-beta.1), parsed by the service; the schema carries its grammar.

    It is taken as sent (a space around it is no semantic version, as the schema says).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


@extend_schema_field(_OPTIONAL_SEMVER_SCHEMA)
class OptionalSemVerField(SemVerField):
    """A semantic version, or a blank for none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


def pattern_field(pattern: str, **kwargs) -> serializers.RegexField:
    """A text that matches `pattern` (`^...$`) as sent, whole: nothing is trimmed, and `$` is the end (`\\Z`, not
    before a final newline), so the schema's pattern (the same, `$` as ECMA-262 reads it) is the server's rule."""
    kwargs.setdefault("trim_whitespace", False)
    return serializers.RegexField(pattern.removesuffix("$") + r"\Z", **kwargs)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ARTIFACT_BYTES})
class ArtifactSizeField(serializers.IntegerField):
    """An artifact's size in bytes: at least 1; over the maximum it is the service's 413 `too_large`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class DistinctListField(serializers.ListField):
    """A list that names each item once (the schema says `uniqueItems`, mysite.schema)."""

    unique_items = True

    def to_internal_value(self, data):
        items = super().to_internal_value(data)
        if len(set(items)) != len(items):
            raise serializers.ValidationError("Name each one once.")
        return items
