"""Account life cycle on Cognito, profiles in DynamoDB, and the welcome email."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from pynamodb.exceptions import TransactWriteError, UpdateError

from accounts.models import Profile, ReaderCount, utcnow
from accounts.selectors import profile_cache_key, profile_get
from accounts.throttling import attempt_check
from accounts.validators import DISPLAY_NAME_MESSAGE, header_safe, validate_display_name
from mysite import cognito
from mysite.cognito import CognitoError
from mysite.dynamo import LabelledTransactWrite
from mysite.errors import Conflict, InvalidInput, NotAuthenticated, NotFound

logger = logging.getLogger(__name__)

# How long a claim on the welcome email holds before another delivery may send. It must outlast one
# invocation of the handler (Lambda stops it at the function's timeout_seconds, 120 s at most here),
# so that a claim is only ever taken over from a delivery that is gone. Settings may shorten it.
WELCOME_EMAIL_LEASE_SECONDS = 300
PROFILE_CREATE_ATTEMPTS = 3


class AccountNotConfirmed(Conflict):
    code, message = "not_confirmed", "This account is not confirmed yet; enter the code we emailed you."


class InvalidCredentials(NotAuthenticated):
    code, message = "invalid_credentials", "Incorrect email or password."


class InvalidCode(InvalidInput):
    code, message = "invalid_code", "This code is wrong or has expired."


def _attributes(user: dict) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}


def _password_error(error: CognitoError) -> InvalidInput:
    return InvalidInput(error.message, field="password")


def _checked_display_name(display_name: str) -> str:
    """The name stripped, or InvalidInput when it could inject into a mail header."""
    try:
        validate_display_name(display_name)
    except ValidationError as error:
        raise InvalidInput(DISPLAY_NAME_MESSAGE, field="display_name") from error
    return display_name.strip()


def account_sign_up(*, email: str, password: str, display_name: str, client: str = "") -> str | None:
    """Register an unconfirmed account (Cognito emails a code); its sub, or None for a registered email.

    Callers answer both cases alike, so that sign-up does not tell who has an account: the owner of a
    registered email is emailed that someone tried instead.
    """
    attempt_check(action="sign_up", account=email, client=client)
    email = email.strip().lower()
    display_name = _checked_display_name(display_name)
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


def tokens_revoke(*, email: str) -> None:
    """Sign the user out everywhere: Cognito revokes their refresh tokens, the profile stamp their access tokens."""
    try:
        cognito.call("admin_user_global_sign_out", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email)
    except CognitoError as error:
        # cognito-local has no global sign-out; there the stamp below is what revokes.
        if not (settings.COGNITO_ENDPOINT_URL and error.reason == "Unsupported"):
            raise
    profile = profile_ensure_for(email=email)
    # Tokens carry `auth_time` in whole seconds, so one from the revocation's own second cannot be told
    # from an older one: the stamp is the next whole second, and a sign-in within that second is refused.
    stamp = utcnow().replace(microsecond=0) + timedelta(seconds=1)
    profile.update(actions=[Profile.tokens_valid_after.set(stamp)], add_version_condition=False)
    cache.delete(profile_cache_key(profile.sub))


@dataclass(frozen=True)
class CreatedUser:
    sub: str
    email: str
    created: bool


def user_create(*, email: str, password: str, display_name: str, groups: list[str]) -> CreatedUser:
    """Create (or update) a confirmed user with a permanent password and put them in groups."""
    email = email.strip().lower()
    display_name = _checked_display_name(display_name)
    pool = settings.COGNITO_USER_POOL_ID
    created = True
    try:
        cognito.call(
            "admin_create_user",
            UserPoolId=pool,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": display_name},
            ],
        )
    except CognitoError as error:
        if error.reason != "UsernameExistsException":
            raise
        created = False
    cognito.call("admin_set_user_password", UserPoolId=pool, Username=email, Password=password, Permanent=True)
    for group in groups:
        if group not in settings.COGNITO_GROUPS:
            raise InvalidInput(f"Unknown group {group!r}; known: {', '.join(settings.COGNITO_GROUPS)}.")
        cognito.call("admin_add_user_to_group", UserPoolId=pool, Username=email, GroupName=group)
    profile = profile_ensure_for(email=email)
    return CreatedUser(sub=profile.sub, email=email, created=created)


def profile_ensure_for(*, email: str) -> Profile:
    """The profile of the pool's user `email`, created on first call (its Stream INSERT sends the welcome)."""
    user = cognito.call("admin_get_user", UserPoolId=settings.COGNITO_USER_POOL_ID, Username=email)
    attributes = _attributes(user)
    sub = attributes.get("sub") or user["Username"]
    return profile_ensure(sub=sub, email=attributes.get("email", email), display_name=attributes.get("name", ""))


def profile_ensure(*, sub: str, email: str, display_name: str) -> Profile:
    existing = profile_get(sub=sub)
    if existing is not None:
        return existing
    profile = Profile(sub, email=email, display_name=display_name or email.split("@")[0])
    for attempt in range(PROFILE_CREATE_ATTEMPTS):
        # The shard's count changes with the profile, so the readers list never counts profiles.
        write = LabelledTransactWrite(connection=Profile._get_connection().connection)
        try:
            with write:
                write.save(profile, condition=Profile.sub.does_not_exist(), label="profile")
                write.update(ReaderCount(profile.kind), actions=[ReaderCount.profiles.add(1)], label="count")
        except TransactWriteError as error:
            if "profile" in write.failed(error):
                return profile_get(sub=sub)  # created concurrently: theirs is as good as ours
            if not write.failed(error, code="TransactionConflict") or attempt == PROFILE_CREATE_ATTEMPTS - 1:
                raise
            continue  # another sign-up in the same shard committed at this very moment
        return profile
    raise AssertionError("unreachable")


def profile_update(*, sub: str, display_name: str) -> Profile:
    """Rename a profile (and the Cognito `name` attribute, so new tokens agree)."""
    display_name = _checked_display_name(display_name)
    profile = profile_get(sub=sub)
    if profile is None:
        raise NotFound("You have no profile yet.")
    try:
        profile.update(actions=[Profile.display_name.set(display_name)])
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("Your profile changed meanwhile; reload and try again.") from error
        raise
    cognito.call(
        "admin_update_user_attributes",
        UserPoolId=settings.COGNITO_USER_POOL_ID,
        Username=profile.email,
        UserAttributes=[{"Name": "name", "Value": display_name}],
    )
    cache.delete(profile_cache_key(sub))
    return profile


WELCOME_CLAIM_OPEN = "open"


def _welcome_lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "WELCOME_EMAIL_LEASE_SECONDS", WELCOME_EMAIL_LEASE_SECONDS))


def welcome_email_send(*, sub: str, release_on_failure: bool = True) -> bool:
    """Send the welcome email of a profile; False when it was sent already or another delivery holds it.

    A delivery claims the send with a lease (`welcome_claimed_until` = now + the lease, a conditional
    write, which also puts the profile in the sparse index of open claims), sends, then marks it sent
    and leaves the index. A delivery that meets an unexpired claim does nothing: if that holder dies,
    the sweeper (`welcome_email_sweep`, every minute) sends once the lease is over. One that meets an
    expired claim claims anew and sends. A failed send releases the claim and re-raises, so the stream
    retries it; the sweeper keeps its claim instead (`release_on_failure=False`), so that it tries
    again after the lease. Duplicate window: a second email goes out only when a holder dies after the
    mail was handed over and before the sent mark is written (one UpdateItem), or when one send
    outlasts the lease.
    """
    profile = profile_get(sub=sub)
    if profile is None:
        logger.warning("Welcome email: no profile %s", sub)
        return False
    if profile.welcome_email_sent_at is not None:
        return False
    now = utcnow()
    claimed_until = now + _welcome_lease()
    try:
        # Not tied to the profile's version: a rename meanwhile must not make a claim (or the sent
        # mark below) fail, which would turn into a second send after the lease.
        profile.update(
            actions=[
                Profile.welcome_claimed_until.set(claimed_until),
                Profile.welcome_claim_open.set(WELCOME_CLAIM_OPEN),
            ],
            condition=Profile.welcome_email_sent_at.does_not_exist()
            & (Profile.welcome_claimed_until.does_not_exist() | (Profile.welcome_claimed_until < now)),
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info("Welcome email of %s: sent, or claimed by a live delivery (the sweeper covers it)", sub)
        return False
    context = {"profile": profile, "site_name": settings.SITE_NAME}
    try:
        send_mail(
            # Names from before sign-up refused control characters may still hold them.
            subject=header_safe(f"Welcome to {settings.SITE_NAME}, {profile.display_name}!"),
            message=render_to_string("accounts/welcome_email.txt", context),
            html_message=render_to_string("accounts/welcome_email.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[profile.email],
        )
    except Exception:
        if release_on_failure:
            _welcome_claim_release(profile, claimed_until=claimed_until)
        raise
    profile.update(
        actions=[
            Profile.welcome_email_sent_at.set(utcnow()),
            Profile.welcome_claimed_until.remove(),
            Profile.welcome_claim_open.remove(),
        ],
        add_version_condition=False,
    )
    cache.delete(profile_cache_key(sub))
    return True


def welcome_email_sweep(*, limit: int = 100) -> int:
    """Send the welcome emails whose claim expired unsent (its holder died); returns how many were sent.

    Reads the sparse index of open claims (a Query on one small partition, never a Scan). A send that
    fails keeps its fresh claim, so the next sweep after the lease tries again; the others go on.
    """
    sent = 0
    expired = Profile.open_welcome_claims.query(
        WELCOME_CLAIM_OPEN, Profile.welcome_claimed_until < utcnow(), limit=limit
    )
    for entry in expired:
        try:
            sent += welcome_email_send(sub=entry.sub, release_on_failure=False)
        except Exception:
            logger.exception("Welcome email sweep: sending to %s failed; retried after the lease", entry.sub)
    return sent


def _welcome_claim_release(profile: Profile, *, claimed_until) -> None:
    """Give up our own claim (only ours: a later holder's claim stays)."""
    try:
        profile.update(
            actions=[Profile.welcome_claimed_until.remove(), Profile.welcome_claim_open.remove()],
            condition=Profile.welcome_claimed_until == claimed_until,
            add_version_condition=False,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
