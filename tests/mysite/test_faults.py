"""Failures of DynamoDB: a clean 503 with Retry-After, never a 500, and recovery."""

from __future__ import annotations

import json
from contextlib import contextmanager

from botocore.awsrequest import AWSResponse

from accounts.models import Profile


class _Body:
    def __init__(self, payload: bytes):
        self.payload = payload

    def stream(self, **kwargs):
        yield self.payload

    def read(self, *args):
        return self.payload


@contextmanager
def throttled_dynamodb():
    """Every DynamoDB call answers ProvisionedThroughputExceeded, injected at botocore's HTTP layer."""
    client = Profile._get_connection().connection.client
    body = json.dumps(
        {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message": "slow down"}
    ).encode()

    def throttle(request, **kwargs):
        return AWSResponse(request.url, 400, {"x-amzn-RequestId": "test"}, _Body(body))

    client.meta.events.register_first("before-send.dynamodb", throttle)
    try:
        yield
    finally:
        client.meta.events.unregister("before-send.dynamodb", throttle)


def test_throttled_api_read_is_503_with_retry_after(bearer_client, user):
    with throttled_dynamodb():
        response = bearer_client(user).get("/api/accounts/me")
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "unavailable"


def test_throttled_api_write_is_503_and_writes_nothing(bearer_client, user):
    client = bearer_client(user)
    version = client.get("/api/accounts/me").json()["version"]  # warms the profile cache: only the write is throttled
    with throttled_dynamodb():
        response = client.patch("/api/accounts/me", {"display_name": "Never", "version": version}, format="json")
    assert response.status_code == 503
    assert Profile.get(user.sub).display_name == "Test User"


def test_dynamodb_down_gives_an_error_page_then_recovers(local_stack, browser_client, user):
    client = browser_client(user)
    dynamodb = local_stack.emulators[0]
    assert dynamodb.name == "DynamoDB Local"
    dynamodb.stop()
    try:
        page = client.get("/accounts/profile/")
        assert page.status_code == 503
        assert b"Temporarily unavailable" in page.content
        api = client.get("/api/accounts/me")
        assert api.status_code == 503
    finally:
        dynamodb.start()
        dynamodb.wait_until_ready()
    assert client.get("/accounts/profile/").status_code == 200
    assert Profile.get(user.sub).display_name == "Test User"
