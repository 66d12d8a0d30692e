"""Calls to the Cognito user pool (cognito-local in development), with errors made domain errors."""

from __future__ import annotations

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.errors import ApplicationError, NotAuthenticated

# The user pool's password policy: provisioning creates the pool with it, and the app checks it before
# calling Cognito, so that a password cognito-local would take (it applies no policy) is refused as AWS would.
PASSWORD_POLICY = {
    "MinimumLength": 10,
    "RequireUppercase": False,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}
# Cognito's symbols: https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html
_SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
_LINE_BREAKS = set("\n\r\u0085\u2028\u2029")  # what Java's `.` does not match
_JAVA_SPACES = set(" \t\n\x0b\f\r")  # Java's `\s`


def password_problem(password: str, *, length: bool = True) -> str | None:
    """What the password lacks under PASSWORD_POLICY, in words; None when it conforms.

    Without `length`, only the kinds of character (for a field that states its minimum length itself).
    """
    missing = [
        what
        for rule, what, present in (
            ("RequireLowercase", "a lowercase letter", lambda c: "a" <= c <= "z"),
            ("RequireUppercase", "an uppercase letter", lambda c: "A" <= c <= "Z"),
            ("RequireNumbers", "a number", lambda c: "0" <= c <= "9"),
            ("RequireSymbols", "a symbol", lambda c: c in _SYMBOLS),
        )
        if PASSWORD_POLICY[rule] and not any(present(c) for c in password)
    ]
    if length and len(password) < PASSWORD_POLICY["MinimumLength"]:
        missing.insert(0, f"at least {PASSWORD_POLICY['MinimumLength']} characters")
    if missing:
        return f"A password needs {' and '.join(missing)}."
    # Cognito's own shape of a password (its API's pattern `^[\S]+.*[\S]+$`, `.` as in Java's regexes).
    if password and (password[0] in _JAVA_SPACES or password[-1] in _JAVA_SPACES):
        return "A password cannot begin or end with a space."
    if any(c in _LINE_BREAKS for c in password):
        return "A password cannot contain a line break."
    return None


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
