"""Account API: sign-up, confirmation, tokens, sign-out, password reset, and `me`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts import services
from accounts.selectors import profile_get
from accounts.validators import DisplayNameValidator, password_field
from mysite import cognito
from mysite.apis import PrivateApi, PublicApi, StrictSerializer, TimeZoneField, validated
from mysite.auth import client_ip
from mysite.concurrency import (
    IF_MATCH,
    PRECONDITION_REQUIRED,
    expected_version,
    if_match_version,
    item_etag,
    private_response,
    version_field,
)
from mysite.parsers import SafeJSONParser
from mysite.schema import ErrorSerializer

THROTTLED = OpenApiResponse(ErrorSerializer, description="Too many attempts; retry after Retry-After seconds")
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="A stale version: `version_conflict`, the profile under `current`"
)


class TokenOutput(serializers.Serializer):
    access_token = serializers.CharField()
    id_token = serializers.CharField()
    refresh_token = serializers.CharField(required=False)
    expires_in = serializers.IntegerField()
    token_type = serializers.CharField()


def _tokens(result: dict) -> dict:
    """The body of Cognito's AuthenticationResult (a renewal has no new refresh token)."""
    tokens = {
        "access_token": result["AccessToken"],
        "id_token": result["IdToken"],
        "expires_in": result.get("ExpiresIn", 3600),
        "token_type": "Bearer",
    }
    if result.get("RefreshToken"):
        tokens["refresh_token"] = result["RefreshToken"]
    return TokenOutput(tokens).data


class ProfileOutput(serializers.Serializer):
    sub = serializers.CharField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    joined_at = serializers.DateTimeField()


class SignUpApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = password_field()
        display_name = serializers.CharField(max_length=80, validators=[DisplayNameValidator()])

    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        confirmed = serializers.BooleanField()

    @extend_schema(
        request=InputSerializer, responses={202: OutputSerializer, 429: THROTTLED}, operation_id="accounts_sign_up"
    )
    def post(self, request):
        """The same answer whether the email is new or registered (its owner is emailed instead)."""
        data = validated(self.InputSerializer, request.data)
        services.account_sign_up(**data, client=client_ip(request))
        body = self.OutputSerializer({"email": data["email"].strip().lower(), "confirmed": False}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ConfirmApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        code = serializers.CharField(max_length=12)

    @extend_schema(
        request=InputSerializer, responses={200: ProfileOutput, 429: THROTTLED}, operation_id="accounts_confirm"
    )
    def post(self, request):
        profile = services.account_confirm(**validated(self.InputSerializer, request.data), client=client_ip(request))
        return Response(ProfileOutput(profile).data)


class ConfirmResendApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        request=InputSerializer, responses={202: None, 429: THROTTLED}, operation_id="accounts_confirm_resend"
    )
    def post(self, request):
        """A new confirmation code; the same answer for unknown and already confirmed emails."""
        services.confirmation_code_resend(**validated(self.InputSerializer, request.data), client=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class TokenApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=256, write_only=True)

    @extend_schema(request=InputSerializer, responses={200: TokenOutput, 429: THROTTLED}, operation_id="accounts_token")
    def post(self, request):
        return Response(
            _tokens(
                services.account_sign_in(**validated(self.InputSerializer, request.data), client=client_ip(request))
            )
        )


class TokenRefreshApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        refresh_token = serializers.CharField(max_length=8192, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={200: TokenOutput}, operation_id="accounts_token_refresh")
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        try:
            result = cognito.refresh_tokens(refresh_token=data["refresh_token"])
        except cognito.CognitoError as error:
            raise services.InvalidCredentials("This refresh token is invalid or revoked.") from error
        return Response(_tokens(result))


class SignOutApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        # Untrimmed: the length checked is the length sent (the schema's maxLength), not what is left after trimming.
        refresh_token = serializers.CharField(max_length=8192, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={204: None}, operation_id="accounts_sign_out")
    def post(self, request):
        services.account_sign_out(**validated(self.InputSerializer, request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordForgotApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        request=InputSerializer, responses={202: None, 429: THROTTLED}, operation_id="accounts_password_forgot"
    )
    def post(self, request):
        services.password_forgot(**validated(self.InputSerializer, request.data), client=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetApi(PublicApi):
    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        code = serializers.CharField(max_length=12)
        new_password = password_field()

    @extend_schema(
        request=InputSerializer, responses={204: None, 429: THROTTLED}, operation_id="accounts_password_reset"
    )
    def post(self, request):
        services.password_reset(**validated(self.InputSerializer, request.data), client=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereApi(PrivateApi):
    @extend_schema(request=None, responses={204: None}, operation_id="accounts_sign_out_everywhere")
    def post(self, request):
        """Revoke every token of the caller: refresh tokens at Cognito, access tokens by the profile stamp."""
        profile = profile_get(sub=request.user.sub)
        services.tokens_revoke(email=profile.email if profile else request.user.email)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(PrivateApi):
    """The caller's profile: ETag `"v<version>"`; a rename states the version it read (If-Match or body)."""

    # JSON only: a form cannot tell "left out" from "sent empty", and an unreadable multipart body would
    # parse as an empty form, a rename that names nothing (200, unchanged) instead of a 400.
    parser_classes = [SafeJSONParser]

    class OutputSerializer(ProfileOutput):
        groups = serializers.ListField(child=serializers.CharField())
        version = serializers.IntegerField(help_text='The profile\'s version; its ETag is `"v<version>"`.')
        time_zone = serializers.CharField(
            allow_null=True, help_text="IANA zone that dates typed in words are read in; null: UTC."
        )

    class InputSerializer(StrictSerializer):
        display_name = serializers.CharField(max_length=80, validators=[DisplayNameValidator()], required=False)
        time_zone = TimeZoneField(
            required=False, allow_blank=True, help_text='An IANA zone name such as "Europe/Paris"; "" clears it (UTC).'
        )
        version = version_field(min_value=0)

        def validate_display_name(self, value: str) -> str:
            if not value.strip():
                raise serializers.ValidationError("The name cannot be blank.")
            return value.strip()

    def _body(self, profile) -> dict:
        user = self.request.user
        return {
            "sub": user.sub,
            "email": profile.email if profile else user.email,
            "display_name": profile.display_name if profile else user.display_name,
            "joined_at": profile.joined_at if profile else None,
            "groups": sorted(user.groups),
            "version": int(profile.version or 0) if profile else 0,
            "time_zone": getattr(profile, "time_zone", None),
        }

    def current_body(self, current):
        return None if current is None else self.OutputSerializer(self._body(current)).data

    def _response(self, profile):
        body = self.OutputSerializer(self._body(profile)).data
        return private_response(self.request, body, etag=item_etag(body["version"]))

    @extend_schema(responses={200: OutputSerializer, 304: None}, operation_id="accounts_me")
    def get(self, request):
        return self._response(profile_get(sub=request.user.sub))

    @extend_schema(
        request=InputSerializer,
        parameters=[IF_MATCH],
        responses={200: OutputSerializer, 409: CONFLICT, 428: PRECONDITION_REQUIRED},
        operation_id="accounts_me_update",
    )
    def patch(self, request):
        # A PATCH changes the fields it names; one that names none changes nothing.
        data = validated(self.InputSerializer, request.data)
        if "display_name" not in data and "time_zone" not in data:
            if_match_version(request)  # a malformed If-Match is a 400 even where nothing changes
            return self._response(profile_get(sub=request.user.sub))
        profile = services.profile_update(
            sub=request.user.sub,
            display_name=data.get("display_name"),
            time_zone=data.get("time_zone"),
            version=expected_version(request, data, required=True),
        )
        return self._response(profile)
