"""Temporary credentials through a Cognito identity pool, against moto (there is no local identity pool)."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from mysite import aws
from todos.provisioning import IDENTITY_POOL_NAME, IdentityPoolStep, identity_pool_find, role_name, role_policy
from todos.services import credentials_for, user_files_policy


@pytest.fixture
def aws_mock(settings, monkeypatch):
    """moto answers the AWS-only services (IAM, STS, cognito-identity); the emulators keep serving the rest."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    aws._client.cache_clear()
    with mock_aws():
        yield
    aws._client.cache_clear()


@pytest.fixture
def provisioned(aws_mock, settings):
    """Run the todos provision step as on AWS (no emulator endpoint for Cognito)."""
    settings.COGNITO_ENDPOINT_URL = None
    settings.COGNITO_USER_POOL_ID = "us-east-1_TestPool1"
    settings.COGNITO_CLIENT_ID = "client123"
    step = IdentityPoolStep()
    for change in step.plan():
        change.apply()
    pool_id = identity_pool_find(IDENTITY_POOL_NAME)
    role = aws.client("iam").get_role(RoleName=role_name())["Role"]
    settings.COGNITO_IDENTITY_POOL_ID = pool_id
    settings.COGNITO_IDENTITY_ROLE_ARN = role["Arn"]
    return {"pool_id": pool_id, "role": role, "step": step}


def test_provision_creates_the_identity_pool_and_a_role_limited_to_user_prefixes(provisioned, settings):
    pool = aws.client("cognito-identity").describe_identity_pool(IdentityPoolId=provisioned["pool_id"])
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert (
        pool["CognitoIdentityProviders"][0]["ProviderName"] == "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
    )
    trust = provisioned["role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    condition = trust["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {"cognito-identity.amazonaws.com:aud": provisioned["pool_id"]}
    policy = aws.client("iam").get_role_policy(RoleName=role_name(), PolicyName="user-files")["PolicyDocument"]
    policy = json.loads(policy) if isinstance(policy, str) else policy
    assert policy == role_policy()
    assert policy["Statement"][0]["Resource"] == [f"arn:aws:s3:::{settings.AWS_STORAGE_BUCKET_NAME}/users/*"]
    assert provisioned["step"].plan() == []  # a second run finds nothing to do


def test_the_step_does_nothing_against_the_emulators(settings):
    settings.COGNITO_ENDPOINT_URL = "http://127.0.0.1:1"
    assert IdentityPoolStep().plan() == []


def test_the_session_policy_admits_only_the_callers_prefix(settings):
    policy = user_files_policy(owner="abc-123")
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    assert policy["Statement"][0]["Resource"] == [f"arn:aws:s3:::{bucket}/users/abc-123/*"]
    assert policy["Statement"][1]["Condition"] == {"StringLike": {"s3:prefix": ["users/abc-123/*"]}}


def test_credentials_service_exchanges_the_id_token(provisioned):
    credentials = credentials_for(owner="sub-1", id_token="header.payload.signature")
    assert credentials["access_key_id"].startswith("ASIA")
    assert credentials["secret_access_key"]
    assert credentials["session_token"]
    assert credentials["prefix"] == "users/sub-1/"
    assert credentials["identity_id"].startswith("us-east-1:")


def test_credentials_endpoint_for_a_bearer_client(user, bearer_client):
    # Tokens come from the local user pool before moto takes over the AWS-only services.
    tokens = user.tokens()
    client = bearer_client(user)
    from django.conf import settings as django_settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        with mock_aws():
            identity = aws.client("cognito-identity")
            pool = identity.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=False)
            role = aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            patch.setattr(django_settings, "COGNITO_IDENTITY_POOL_ID", pool["IdentityPoolId"], raising=False)
            patch.setattr(django_settings, "COGNITO_IDENTITY_ROLE_ARN", role, raising=False)
            missing = client.get("/api/todos/credentials")
            assert missing.status_code == 400
            assert "X-Id-Token" in missing.json()["error"]["fields"]
            forged = client.get("/api/todos/credentials", HTTP_X_ID_TOKEN="not-a-token")
            assert forged.status_code == 400
            response = client.get("/api/todos/credentials", HTTP_X_ID_TOKEN=tokens["IdToken"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["prefix"] == f"users/{user.sub}/"
    assert body["access_key_id"].startswith("ASIA")
    assert response["Cache-Control"] == "private, no-store"
