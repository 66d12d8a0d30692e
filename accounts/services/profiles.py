"""Profiles in DynamoDB and the Cognito users behind them: creation, renames, token revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache as cache_function

from django.conf import settings
from django.core.exceptions import ValidationError
from pynamodb.exceptions import TransactWriteError

from accounts.models import Profile, ReaderCount, utcnow
from accounts.selectors import profile_get
from accounts.validators import DISPLAY_NAME_MESSAGE, validate_display_name
from mysite import cache, cognito
from mysite.cognito import CognitoError
from mysite.constants import TIME_ZONES
from mysite.dynamo import LabelledTransactWrite
from mysite.errors import InvalidInput, NotFound, VersionConflict


def _attributes(user: dict) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}


def checked_display_name(display_name: str) -> str:
    """The name stripped, or InvalidInput when it could inject into a mail header."""
    try:
        validate_display_name(display_name)
    except ValidationError as error:
        raise InvalidInput(DISPLAY_NAME_MESSAGE, field="display_name") from error
    return display_name.strip()


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
    with cache.transaction() as write:
        write.update(
            profile, actions=[Profile.tokens_valid_after.set(stamp)], add_version_condition=False, label="profile"
        )
        cache.stamp_bump(write, cache.user_scope(profile.sub), facet=cache.IDENTITY)


@dataclass(frozen=True)
class CreatedUser:
    sub: str
    email: str
    created: bool


def checked_password(password: str, *, field: str = "password") -> str:
    """The password, or InvalidInput at `field` when it breaks the pool's policy.

    AWS Cognito applies the policy itself; cognito-local applies none, so the app checks it first.
    """
    if problem := cognito.password_problem(password):
        raise InvalidInput(problem, field=field)
    return password


def user_create(*, email: str, password: str, display_name: str, groups: list[str]) -> CreatedUser:
    """Create (or update) a confirmed user with a permanent password and put them in groups."""
    email = email.strip().lower()
    display_name = checked_display_name(display_name)
    password = checked_password(password)
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


PROFILE_CREATE_ATTEMPTS = 3


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
                # The cached lookup said "no profile" until now.
                cache.stamp_bump(write, cache.user_scope(sub), facet=cache.IDENTITY)
        except TransactWriteError as error:
            if "profile" in write.failed(error):
                return profile_get(sub=sub)  # created concurrently: theirs is as good as ours
            if not write.failed(error, code="TransactionConflict") or attempt == PROFILE_CREATE_ATTEMPTS - 1:
                raise
            continue  # another sign-up in the same shard committed at this very moment
        return profile
    raise AssertionError("unreachable")


def checked_time_zone(time_zone: str) -> str | None:
    """An IANA zone name ("Europe/Paris"), or None for "not set" (""); InvalidInput for any other text."""
    time_zone = time_zone.strip()
    if not time_zone:
        return None
    if time_zone not in time_zone_names():
        raise InvalidInput("Choose a time zone from the list (an IANA name such as Europe/Paris).", field="time_zone")
    return time_zone


@cache_function
def time_zone_names() -> frozenset[str]:
    """The IANA zone names a user may choose (mysite.constants.TIME_ZONES)."""
    return TIME_ZONES


def profile_update(
    *,
    sub: str,
    display_name: str | None = None,
    time_zone: str | None = None,
    version: int | None = None,
) -> Profile:
    """Change a profile's name (and the Cognito `name` attribute, so new tokens agree) and/or its time zone.

    Fields left as None are kept; a `time_zone` of "" clears it (dates are then read in UTC).
    `version` is the one the caller read: a stale one, or a change that lost a race, is a
    VersionConflict carrying the current profile (None if it is gone).
    """
    actions = []
    if display_name is not None:
        display_name = checked_display_name(display_name)
        actions.append(Profile.display_name.set(display_name))
    if time_zone is not None:
        zone = checked_time_zone(time_zone)
        actions.append(Profile.time_zone.set(zone) if zone else Profile.time_zone.remove())
    profile = profile_get(sub=sub)
    if profile is None:
        raise NotFound("You have no profile yet.")
    if version is not None and version != profile.version:
        raise VersionConflict(current=profile)
    if not actions:
        return profile
    write = cache.transaction()
    try:
        with write:
            write.update(profile, actions=actions, label="profile")
            cache.stamp_bump(write, cache.user_scope(sub), facet=cache.IDENTITY)
    except TransactWriteError as error:
        if "profile" in write.failed(error):
            current = profile_get(sub=sub)
            raise VersionConflict(current=current) from error
        raise
    # The transaction counted the version up itself.
    if time_zone is not None:
        profile.time_zone = zone
    if display_name is not None and display_name != profile.display_name:
        profile.display_name = display_name
        cognito.call(
            "admin_update_user_attributes",
            UserPoolId=settings.COGNITO_USER_POOL_ID,
            Username=profile.email,
            UserAttributes=[{"Name": "name", "Value": display_name}],
        )
    return profile
