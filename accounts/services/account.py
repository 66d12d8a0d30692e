"""The account life cycle on Cognito: sign-up, confirmation, sign-in and -out, password reset."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from accounts.errors import AccountNotConfirmed, InvalidCode, InvalidCredentials
from accounts.models import Profile
from accounts.services.profiles import checked_display_name, checked_password, profile_ensure_for, tokens_revoke
from accounts.throttling import attempt_check
from mysite import cognito
from mysite.cognito import CognitoError
from mysite.errors import InvalidInput

logger = logging.getLogger(__name__)


def _password_error(error: CognitoError) -> InvalidInput:
    return InvalidInput(error.message, field="password")


def account_sign_up(*, email: str, password: str, display_name: str, client: str = "") -> str | None:
    """Register an unconfirmed account (Cognito emails a code); its sub, or None for a registered email.

    Callers answer both cases alike, so that sign-up does not tell who has an account: the owner of a
    registered email is emailed that someone tried instead.
    """
    attempt_check(action="sign_up", account=email, client=client)
    email = email.strip().lower()
    display_name = checked_display_name(display_name)
    password = checked_password(password)
    try:
        result = cognito.call(
            "sign_up",
            ClientId=settings.COGNITO_CLIENT_ID,
            Username=email,
            Password=password,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": display_name}],
        )
    except CognitoError as error:
        if error.reason == "UsernameExistsException":
            _sign_up_attempt_notify(email=email)
            return None
        if error.reason in {"InvalidPasswordException", "InvalidParameterException"}:
            raise _password_error(error) from error
        raise
    return result["UserSub"]


def _sign_up_attempt_notify(*, email: str) -> None:
    """Tell the owner of `email` that someone tried to sign up with it."""
    context = {"email": email, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"Someone tried to create a {settings.SITE_NAME} account with your email",
        message=render_to_string("accounts/sign_up_attempt_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def account_confirm(*, email: str, code: str, client: str = "") -> Profile:
    """Confirm a sign-up with the emailed code and create the user's profile.

    Every refusal is the same InvalidCode, whether the email is registered, unknown or already
    confirmed, so that the answer does not tell who has an account.
    """
    attempt_check(action="confirm", account=email, client=client)
    email = email.strip().lower()
    try:
        cognito.call("confirm_sign_up", ClientId=settings.COGNITO_CLIENT_ID, Username=email, ConfirmationCode=code)
    except CognitoError as error:
        if error.reason in {
            "CodeMismatchException",
            "ExpiredCodeException",
            "UserNotFoundException",
            "NotAuthorizedException",  # already confirmed
        }:
            raise InvalidCode(field="code") from error
        raise
    return profile_ensure_for(email=email)


def confirmation_code_resend(*, email: str, client: str = "") -> None:
    """Email a new confirmation code to an account waiting for confirmation; others see the same answer."""
    attempt_check(action="resend", account=email, client=client)
    email = email.strip().lower()
    try:
        cognito.call("resend_confirmation_code", ClientId=settings.COGNITO_CLIENT_ID, Username=email)
    except CognitoError as error:
        if settings.COGNITO_ENDPOINT_URL and error.reason == "Unsupported":
            _emulator_confirmation_code_resend(email=email)
        elif error.reason not in {"UserNotFoundException", "InvalidParameterException"}:  # unknown, confirmed
            raise


def _emulator_confirmation_code_resend(*, email: str) -> None:
    """cognito-local has no ResendConfirmationCode; its ForgotPassword stores the new code ConfirmSignUp checks."""
    try:
        user = cognito.call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email)
    except CognitoError as error:
        if error.reason == "UserNotFoundException":
            return
        raise
    if user.get("UserStatus") == "UNCONFIRMED":
        cognito.call("forgot_password", ClientId=settings.COGNITO_CLIENT_ID, Username=email)


def account_sign_in(*, email: str, password: str, client: str = "") -> dict:
    """Tokens for a confirmed user (`USER_PASSWORD_AUTH` from the server)."""
    attempt_check(action="sign_in", account=email, client=client)
    email = email.strip().lower()
    try:
        result = cognito.call(
            "initiate_auth",
            ClientId=settings.COGNITO_CLIENT_ID,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )
    except CognitoError as error:
        # cognito-local answers a wrong password with InvalidPasswordException, AWS with NotAuthorized.
        if error.reason in {"NotAuthorizedException", "UserNotFoundException", "InvalidPasswordException"}:
            raise InvalidCredentials() from error
        if error.reason == "UserNotConfirmedException":
            raise AccountNotConfirmed() from error
        raise
    if "AuthenticationResult" not in result:
        raise InvalidCredentials(f"This account needs the {result.get('ChallengeName')} step, not supported here.")
    return result["AuthenticationResult"]


def account_sign_out(*, refresh_token: str | None) -> None:
    """Revoke the refresh token, so the session cannot be renewed from a stolen copy."""
    if not refresh_token:
        return
    try:
        cognito.call("revoke_token", Token=refresh_token, ClientId=settings.COGNITO_CLIENT_ID)
    except CognitoError as error:
        logger.info("Refresh token not revoked: %s", error.reason)


def password_forgot(*, email: str, client: str = "") -> None:
    """Email a reset code. Unknown emails are not revealed: the caller sees the same answer."""
    attempt_check(action="password_forgot", account=email, client=client)
    try:
        cognito.call("forgot_password", ClientId=settings.COGNITO_CLIENT_ID, Username=email.strip().lower())
    except CognitoError as error:
        if error.reason not in {"UserNotFoundException", "InvalidParameterException"}:
            raise


def password_reset(*, email: str, code: str, new_password: str, client: str = "") -> None:
    """Set a new password with the emailed code, and revoke every token issued before it."""
    attempt_check(action="password_reset", account=email, client=client)
    new_password = checked_password(new_password, field="new_password")
    try:
        cognito.call(
            "confirm_forgot_password",
            ClientId=settings.COGNITO_CLIENT_ID,
            Username=email.strip().lower(),
            ConfirmationCode=code,
            Password=new_password,
        )
    except CognitoError as error:
        if error.reason in {"CodeMismatchException", "ExpiredCodeException", "UserNotFoundException"}:
            raise InvalidCode(field="code") from error
        if error.reason in {"InvalidPasswordException", "InvalidParameterException"}:
            raise _password_error(error) from error
        raise
    tokens_revoke(email=email.strip().lower())
