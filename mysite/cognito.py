"""Calls to the Cognito user pool (cognito-local in development), with errors made domain errors."""

from __future__ import annotations

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.errors import ApplicationError, NotAuthenticated


class CognitoError(ApplicationError):
    """Cognito refused a request; `reason` is its error code (NotAuthorizedException ...)."""

    code = "cognito_error"

    def __init__(self, message: str, *, reason: str, field: str | None = None):
        super().__init__(message, field=field)
        self.reason = reason


class CognitoSignedOut(CognitoError, NotAuthenticated):
    """There is no refresh token to renew the session with: the user must sign in again."""


def idp():
    return aws.client("cognito-idp")


def call(operation: str, **params) -> dict:
    """Call a Cognito operation; ClientError becomes CognitoError with its code and message."""
    try:
        return getattr(idp(), operation)(**params)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise CognitoError(details.get("Message") or str(error), reason=details.get("Code", "Unknown")) from error


def refresh_tokens(*, refresh_token: str) -> dict:
    """A new access and id token for a refresh token."""
    if not refresh_token:
        raise CognitoSignedOut("No refresh token.", reason="NotAuthorizedException")
    result = call(
        "initiate_auth",
        ClientId=settings.COGNITO_CLIENT_ID,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return result["AuthenticationResult"]
