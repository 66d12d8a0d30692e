"""OpenAPI generation (drf-spectacular) tuned to this project's style."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


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
