"""OpenAPI generation (drf-spectacular) tuned to this project's style."""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, help_text="Messages per input field")


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (mysite.errors)."""

    error = ErrorDetailSerializer()


# Every operation can answer with these (mysite.errors maps domain and framework errors to them);
# documenting them keeps the schema true to what clients receive.
ERROR_RESPONSES = {
    "400": "Malformed or invalid input",
    "401": "Missing or invalid credentials",
    "403": "Not allowed",
    "404": "No such object (or not yours)",
    "405": "Method not allowed",
    "409": "Conflict: a stale version or a taken name",
    "413": "Body too large",
    "414": "Query string too long",
    "415": "Unsupported content type",
    "422": "Well-formed but not processable",
    "503": "A backing service is unavailable; retry after Retry-After seconds",
}


# What a CharField takes, as a pattern: never a NUL (DRF refuses it); where a blank is refused after the
# surrounding whitespace is trimmed, at least one character that is neither.
_NO_NUL = r"^[^\x00]*$"
_NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _char_field_pattern(field) -> str | None:
    """The pattern a plain CharField holds its input to, None where it states its own (a RegexField, a format)."""
    if not isinstance(field, serializers.CharField) or type(field) not in (serializers.CharField,):
        return None
    if not any(isinstance(validator, ProhibitNullCharactersValidator) for validator in field.validators):
        return None
    return _NOT_BLANK if field.trim_whitespace and not field.allow_blank else _NO_NUL


def _list_bounds(field: serializers.ListSerializer, prop: dict) -> None:
    """A nested `many=True` list's bounds, which drf-spectacular leaves out: `minItems`, `maxItems`."""
    least = field.min_length if field.min_length is not None else (0 if field.allow_empty else 1)
    if least:
        prop["minItems"] = least
    if field.max_length is not None:
        prop["maxItems"] = field.max_length


def _not_null(prop: dict) -> dict:
    """`prop` without null: no `nullable`, and no None among the choices of an `enum`."""
    prop = {key: value for key, value in prop.items() if key != "nullable"}
    if "enum" in prop:
        prop["enum"] = [choice for choice in prop["enum"] if choice is not None]
    return prop


class AutoSchema(SpectacularAutoSchema):
    """Names nested serializers after their view: `SignUpApi.InputSerializer` -> `SignUpApiInput`.

    Every APIView here declares its own `InputSerializer`/`OutputSerializer`; without
    this, they would all compete for the component names "Input" and "Output".
    """

    def get_serializer_name(self, serializer, direction: str) -> str:
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer and "<locals>" not in outer:
            return f"{outer.replace('.', '')}{inner}"
        return super().get_serializer_name(serializer, direction)

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """A StrictSerializer refuses unknown fields, so its request schema says `additionalProperties: false`."""
        from mysite.apis import StrictSerializer

        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        strict = isinstance(force_instance(serializer), StrictSerializer)
        if direction == "request" and strict and schema.get("type") == "object":
            schema["additionalProperties"] = False
        return schema

    def _map_basic_serializer(self, serializer, direction):
        """A plain CharField's input (a list's items too): no NUL, not blank once trimmed where a blank is refused.

        A nested list states how many items it takes; a list field with `unique_items` that they are distinct.
        """
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        for name, field in serializer.fields.items():
            prop = schema.get("properties", {}).get(name)
            if isinstance(field, serializers.ListSerializer) and prop is not None:
                _list_bounds(field, prop)
            if isinstance(field, serializers.ListField) and prop is not None:
                if getattr(field, "unique_items", False):  # a list field that refuses an item twice
                    prop["uniqueItems"] = True
                field, prop = field.child, prop.get("items")
            pattern = _char_field_pattern(field)
            plain = prop is not None and prop.get("type") == "string" and not {"pattern", "enum", "format"} & set(prop)
            if pattern and plain:
                prop["pattern"] = pattern
        return schema

    def _get_request_body(self, direction="request"):
        """A form cannot carry null: its media types name a variant of the body's component without `nullable`."""
        body = super()._get_request_body(direction)
        for media_type, media in (body or {}).get("content", {}).items():
            ref = media.get("schema", {}).get("$ref", "")
            if media_type in FORM_MEDIA_TYPES and ref.startswith("#/components/schemas/"):
                media["schema"] = self._form_component(ref.rpartition("/")[2])
        return body

    def _form_component(self, name: str) -> dict:
        source = self.registry[(name, ResolvedComponent.SCHEMA)]
        properties = {key: _not_null(prop) for key, prop in source.schema.get("properties", {}).items()}
        if properties == source.schema.get("properties", {}):
            return source.ref
        form = ResolvedComponent(
            name=f"{name}Form",
            type=ResolvedComponent.SCHEMA,
            object=source.object,
            schema={**source.schema, "properties": properties},
        )
        self.registry.register_on_missing(form)
        return form.ref

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            for code, description in ERROR_RESPONSES.items():
                if code not in responses:
                    responses[code] = {
                        **self._get_response_for_code(ErrorSerializer, code, direction=direction),
                        "description": description,
                    }
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "mysite.auth.BearerTokenAuthentication"
    name = "cognitoAccessToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Cognito access token from POST /api/accounts/token.",
        }


class SessionCookieScheme(OpenApiAuthenticationExtension):
    target_class = "mysite.auth.SessionAuthentication"
    name = "browserSession"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
