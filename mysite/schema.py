"""OpenAPI generation (drf-spectacular) tuned to this project's style."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import force_instance
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
