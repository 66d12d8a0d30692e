"""Per-account and per-client limits on the account actions, counted in DynamoDB."""

from __future__ import annotations

import hashlib
import time
import uuid

import pytest
from django.test import RequestFactory

from accounts import services
from accounts.errors import TooManyAttempts
from accounts.throttling import attempt_check
from mysite.auth import client_ip
from mysite.models import AttemptCounter
from tests.conftest import latest_code, unique_email


def test_wrong_passwords_beyond_the_account_limit_are_429_with_retry_after_and_the_one_shape(api_client, user, limit):
    limit("sign_in", "account", 3)
    for _ in range(3):
        wrong = api_client.post("/api/accounts/token", {"email": user.email, "password": "nope-nope-1"}, format="json")
        assert wrong.status_code == 401
    # Even the right password is refused now: the limit counts attempts, not failures.
    refused = api_client.post("/api/accounts/token", {"email": user.email, "password": user.password}, format="json")
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 900
    assert refused.json() == {
        "error": {
            "code": "throttled",
            "message": "Too many attempts; wait a little and try again.",
            "retry_after": retry_after,
        }
    }


def test_one_client_trying_many_accounts_meets_the_client_limit(api_client, limit):
    limit("password_reset", "client", 2)
    answers = [
        api_client.post(
            "/api/accounts/password/reset",
            {"email": unique_email("victim"), "code": "123456", "new_password": "new-horse-battery-7"},
            format="json",
            REMOTE_ADDR="198.51.100.7",
        ).status_code
        for _ in range(3)
    ]
    assert answers == [400, 400, 429]
    other_client = api_client.post(
        "/api/accounts/password/reset",
        {"email": unique_email("victim"), "code": "123456", "new_password": "new-horse-battery-7"},
        format="json",
        REMOTE_ADDR="198.51.100.8",
    )
    assert other_client.status_code == 400


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/accounts/sign-up", {"password": "correct-horse-9", "display_name": "X"}),
        ("/api/accounts/confirm", {"code": "000000"}),
        ("/api/accounts/password/forgot", {}),
    ],
)
def test_each_account_action_is_limited_per_account(api_client, limit, path, body):
    for action in ("sign_up", "confirm", "password_forgot"):
        limit(action, "account", 1)
    email = unique_email("limited")
    first = api_client.post(path, {"email": email, **body}, format="json")
    second = api_client.post(path, {"email": email, **body}, format="json")
    assert first.status_code != 429
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "throttled"


def test_a_refused_attempt_reaches_no_cognito_and_sends_no_code(limit):
    limit("sign_up", "account", 0)
    email = unique_email("never")
    with pytest.raises(TooManyAttempts):
        services.account_sign_up(email=email, password="correct-horse-9", display_name="Never")
    with pytest.raises(AssertionError):
        latest_code(email, timeout=0.3)


def test_counters_are_dynamodb_items_that_expire_after_their_window(limit):
    limit("confirm", "account", 5, 86400)
    limit("confirm", "client", 5, 86400)
    email = unique_email("Counted")
    now = time.time()
    attempt_check(action="confirm", account=email.upper(), client="203.0.113.9")
    attempt_check(action="confirm", account=f" {email} ", client="")
    window = int(now // 86400)  # a day: the two attempts share a window
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    counter = AttemptCounter.get(f"confirm|account|{digest}|{window}", consistent_read=True)
    assert counter.attempts == 2  # one account, whatever its case and spaces
    assert counter.expires_at.timestamp() == (window + 1) * 86400 + 60  # TTL a minute after the window
    assert AttemptCounter.get(f"confirm|client|{hashlib.sha256(b'203.0.113.9').hexdigest()}|{window}").attempts == 1


def test_client_ip_is_remote_addr_unless_trusted_proxies_are_configured(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1  # CloudFront appended the viewer's address; the first hop is forged
    assert client_ip(request) == "198.51.100.1"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: the header is not what a proxy wrote
    assert client_ip(request) == "10.0.0.1"


@pytest.mark.parametrize(
    ("action", "path", "body"),
    [
        ("sign_in", "/api/accounts/token", {"password": "nope-nope-1"}),
        ("sign_up", "/api/accounts/sign-up", {"password": "correct-horse-9", "display_name": "X"}),
        ("confirm", "/api/accounts/confirm", {"code": "000000"}),
        ("password_forgot", "/api/accounts/password/forgot", {}),
        ("password_reset", "/api/accounts/password/reset", {"code": "123456", "new_password": "new-horse-battery-7"}),
        ("resend", "/api/accounts/confirm/resend", {}),
    ],
)
def test_each_account_action_is_limited_per_client_across_accounts(api_client, limit, action, path, body):
    limit(action, "client", 1)
    address, other = (f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in (uuid.uuid4().int, uuid.uuid4().int))

    def attempt(remote_addr: str):
        return api_client.post(path, {"email": unique_email("many"), **body}, format="json", REMOTE_ADDR=remote_addr)

    assert attempt(address).status_code != 429
    refused = attempt(address)
    assert refused.status_code == 429, refused.content
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) >= 1
    assert attempt(other).status_code != 429  # another client is not held back
