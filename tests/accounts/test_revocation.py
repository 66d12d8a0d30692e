"""Tokens issued before a password reset or a sign-out everywhere stop working."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import Profile
from mysite import cognito
from mysite.auth import SESSION_TOKENS_KEY
from tests.conftest import latest_code
from tests.moto_aws import on_aws
from tests.mysite.test_provision import provision


def _me(access_token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token}")
    return client.get("/api/accounts/me").status_code


def _after_the_stamp(sub: str) -> None:
    """Wait (at most 2 s) until the revocation's second is over, so that a new sign-in is valid."""
    stamp = Profile.get(sub, consistent_read=True).tokens_valid_after.timestamp()
    deadline = time.monotonic() + 2.5
    while time.time() < stamp and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_password_reset_revokes_access_tokens_issued_before_it(user):
    old_access = user.access_token
    assert _me(old_access) == 200

    services.password_forgot(email=user.email)
    services.password_reset(email=user.email, code=latest_code(user.email), new_password="new-horse-battery-7")

    assert _me(old_access) == 401
    _after_the_stamp(user.sub)
    fresh = services.account_sign_in(email=user.email, password="new-horse-battery-7")["AccessToken"]
    assert _me(fresh) == 200


def test_a_browser_session_from_before_a_reset_is_signed_out_even_through_a_refresh(browser_client, user):
    client = browser_client(user)
    assert client.get("/api/accounts/me").status_code == 200
    services.password_forgot(email=user.email)
    services.password_reset(email=user.email, code=latest_code(user.email), new_password="new-horse-battery-7")

    # The refresh token still works at the emulator (it has no global sign-out), so the session
    # renews its access token; the sign-in time it keeps is what refuses it.
    session = client.session
    session[SESSION_TOKENS_KEY] = dict(session[SESSION_TOKENS_KEY], expires_at=time.time() - 10)
    session.save()
    assert client.get("/api/accounts/me").status_code == 401
    assert client.get("/accounts/profile/").status_code == 302
    assert SESSION_TOKENS_KEY not in client.session


def test_sign_out_everywhere_revokes_every_access_token_of_the_caller(user, make_user):
    first, second = user.access_token, user.access_token
    bystander = make_user()
    bystander_token = bystander.access_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert client.post("/api/accounts/sign-out/everywhere").status_code == 204

    assert (_me(first), _me(second), _me(bystander_token)) == (401, 401, 200)
    _after_the_stamp(user.sub)
    assert _me(user.access_token) == 200


@pytest.mark.usefixtures("_stack")
def test_on_aws_a_password_reset_signs_out_globally_so_old_refresh_tokens_fail(settings, monkeypatch):
    with on_aws(settings, monkeypatch):
        provision()
        created = services.user_create(
            email="reset@example.com", password="correct-horse-9", display_name="Reset", groups=[]
        )
        refresh = services.account_sign_in(email=created.email, password="correct-horse-9")["RefreshToken"]
        assert cognito.refresh_tokens(refresh_token=refresh)["AccessToken"]

        services.tokens_revoke(email=created.email)

        with pytest.raises(cognito.CognitoError) as refused:
            cognito.refresh_tokens(refresh_token=refresh)
        assert refused.value.reason == "NotAuthorizedException"
        assert Profile.get(created.sub).tokens_valid_after is not None
