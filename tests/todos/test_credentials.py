"""Temporary S3 credentials through a Cognito identity pool: on the local stack (moto's server) and on AWS (moto)."""

from __future__ import annotations

import json
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings as django_settings
from moto import mock_aws

from mysite import aws
from todos.provisioning import IdentityPoolStep, identity_pool_find, identity_pool_name, role_name, role_policy
from todos.services import credentials_for, user_files_policy
from todos.services.credentials import identity_provider_name


def _document(value):
    return json.loads(value) if isinstance(value, str) else value


def s3_with(credentials: dict, *, session_token: str | None = None):
    """An S3 client on the local bucket holding the caller's temporary keys, as a client app would."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=django_settings.S3_ENDPOINT_URL,
        region_name=credentials["region"],
        aws_access_key_id=credentials["access_key_id"],
        aws_secret_access_key=credentials["secret_access_key"],
        aws_session_token=session_token,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


def issued_sessions() -> list[dict]:
    """The sessions the local STS handed out, from moto's model dump (what STS recorded for each key)."""
    with urllib.request.urlopen(f"{django_settings.STS_ENDPOINT_URL}/moto-api/data.json", timeout=10) as response:
        return json.load(response)["sts"]["AssumedRole"]


@pytest.fixture
def credentials(user, bearer_client) -> dict:
    response = bearer_client(user).get("/api/todos/credentials", HTTP_X_ID_TOKEN=user.tokens()["IdToken"])
    assert response.status_code == 200, response.content
    return response.json()


# --- the local stack -------------------------------------------------------------------------


def test_provision_creates_the_identity_pool_beside_the_local_user_pool(settings):
    assert identity_pool_find("test-todos-user-files") == settings.COGNITO_IDENTITY_POOL_ID
    pool = aws.client("cognito-identity").describe_identity_pool(IdentityPoolId=settings.COGNITO_IDENTITY_POOL_ID)
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert pool["CognitoIdentityProviders"] == [
        {
            "ProviderName": f"cognito-idp.local.amazonaws.com/{settings.COGNITO_USER_POOL_ID}",
            "ClientId": settings.COGNITO_CLIENT_ID,
            "ServerSideTokenCheck": True,
        }
    ]
    role = aws.client("iam").get_role(RoleName="test-todos-user-files")["Role"]
    assert role["Arn"] == settings.COGNITO_IDENTITY_ROLE_ARN
    trust = _document(role["AssumeRolePolicyDocument"])["Statement"][0]["Condition"]["StringEquals"]
    assert trust == {"cognito-identity.amazonaws.com:aud": settings.COGNITO_IDENTITY_POOL_ID}
    outputs = json.loads(settings.STACK_OUTPUTS_FILE.read_text())
    assert outputs["COGNITO_IDENTITY_POOL_ID"] == settings.COGNITO_IDENTITY_POOL_ID
    assert outputs["COGNITO_IDENTITY_ROLE_ARN"] == settings.COGNITO_IDENTITY_ROLE_ARN
    assert IdentityPoolStep().plan() == []  # provision ran at start-up; a second run finds nothing to do


def test_a_signed_in_user_uploads_under_their_own_prefix_with_the_temporary_keys(user, credentials):
    assert credentials["prefix"] == f"users/{user.sub}/"
    assert credentials["bucket"] == django_settings.AWS_STORAGE_BUCKET_NAME
    assert credentials["access_key_id"].startswith("ASIA")
    key = f"{credentials['prefix']}notes/{uuid.uuid4().hex}.txt"

    s3_with(credentials, session_token=credentials["session_token"]).put_object(
        Bucket=credentials["bucket"], Key=key, Body=b"written with temporary keys"
    )

    stored = aws.client("s3").get_object(Bucket=credentials["bucket"], Key=key)  # read back with the app's own keys
    assert stored["Body"].read() == b"written with temporary keys"


def test_the_session_sts_issued_admits_only_the_callers_prefix(user, credentials, settings):
    # s3rver evaluates no IAM policy, so the scope is checked where it is decided: in what STS recorded.
    session = next(s for s in issued_sessions() if s["access_key_id"] == credentials["access_key_id"])
    assert session["role_arn"] == settings.COGNITO_IDENTITY_ROLE_ARN
    assert session["session_name"] == f"todos-{user.sub}"
    policy = json.loads(session["policy"])
    assert policy == user_files_policy(owner=user.sub)
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    assert policy["Statement"][0]["Resource"] == [f"arn:aws:s3:::{bucket}/users/{user.sub}/*"]
    assert policy["Statement"][1]["Condition"] == {"StringLike": {"s3:prefix": [f"users/{user.sub}/*"]}}
    # The role's own ceiling is users/*; the session narrows it to the one user.
    ceiling = aws.client("iam").get_role_policy(RoleName=role_name(), PolicyName="user-files")["PolicyDocument"]
    assert _document(ceiling) == role_policy()
    assert _document(ceiling)["Statement"][0]["Resource"] == [f"arn:aws:s3:::{bucket}/users/*"]


def test_s3_refuses_a_temporary_key_without_its_session_token_or_one_sts_never_issued(credentials):
    key = f"{credentials['prefix']}refused.txt"
    with pytest.raises(ClientError) as missing_token:
        s3_with(credentials).put_object(Bucket=credentials["bucket"], Key=key, Body=b"x")
    assert missing_token.value.response["Error"]["Code"] == "InvalidToken"
    with pytest.raises(ClientError) as wrong_token:
        s3_with(credentials, session_token="not-the-token").put_object(Bucket=credentials["bucket"], Key=key, Body=b"x")
    assert wrong_token.value.response["Error"]["Code"] == "InvalidToken"
    invented = {**credentials, "access_key_id": "ASIA" + uuid.uuid4().hex[:16].upper()}
    with pytest.raises(ClientError) as unknown:
        s3_with(invented, session_token=credentials["session_token"]).put_object(
            Bucket=credentials["bucket"], Key=key, Body=b"x"
        )
    assert unknown.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    with pytest.raises(ClientError) as absent:
        aws.client("s3").head_object(Bucket=credentials["bucket"], Key=key)
    assert absent.value.response["Error"]["Code"] == "404"


def test_a_browser_session_gets_keys_without_sending_its_id_token(user, browser_client):
    response = browser_client(user).get("/api/todos/credentials")
    assert response.status_code == 200, response.content
    assert response.json()["prefix"] == f"users/{user.sub}/"
    assert response["Cache-Control"] == "private, no-store"


def test_the_id_token_must_be_valid_and_the_callers_own(user, make_user, bearer_client):
    client = bearer_client(user)
    missing = client.get("/api/todos/credentials")
    assert missing.status_code == 400
    assert "X-Id-Token" in missing.json()["error"]["fields"]
    forged = client.get("/api/todos/credentials", HTTP_X_ID_TOKEN="not-a-token")
    assert forged.status_code == 400
    assert "X-Id-Token" in forged.json()["error"]["fields"]
    someone_else = client.get("/api/todos/credentials", HTTP_X_ID_TOKEN=make_user().tokens()["IdToken"])
    assert someone_else.status_code == 403
    assert someone_else.json()["error"]["code"]


def test_without_an_identity_pool_the_endpoint_says_so(user, bearer_client, settings):
    settings.COGNITO_IDENTITY_POOL_ID = ""
    response = bearer_client(user).get("/api/todos/credentials", HTTP_X_ID_TOKEN=user.tokens()["IdToken"])
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "not_configured"


# --- on AWS (moto in process) -----------------------------------------------------------------


@pytest.fixture
def on_aws(settings, monkeypatch):
    """Settings that send Cognito (and with it identity pools, STS and IAM) to AWS, answered by moto."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    settings.COGNITO_ENDPOINT_URL = None
    settings.STACK_OUTPUTS_FILE = None
    aws._client.cache_clear()
    with mock_aws():
        yield settings
    aws._client.cache_clear()


def provision_stage(settings, *, prefix: str, user_pool_id: str, client_id: str) -> dict:
    settings.DYNAMODB_TABLE_PREFIX = prefix
    settings.COGNITO_USER_POOL_ID = user_pool_id
    settings.COGNITO_CLIENT_ID = client_id
    step = IdentityPoolStep()
    for change in step.plan():
        change.apply()
    pool_id = identity_pool_find(identity_pool_name())
    role = aws.client("iam").get_role(RoleName=role_name())["Role"]
    return {"pool_id": pool_id, "role": role, "step": step}


def test_on_aws_the_identity_pool_and_role_carry_the_stage_and_trust_its_own_user_pool(on_aws):
    dev = provision_stage(on_aws, prefix="dev-", user_pool_id="us-east-1_DevPool1", client_id="dev-client")
    prod = provision_stage(on_aws, prefix="prod-", user_pool_id="us-east-1_ProdPool1", client_id="prod-client")

    identity = aws.client("cognito-identity")
    pools = {
        p["IdentityPoolName"]: p["IdentityPoolId"] for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]
    }
    assert pools == {"dev-todos-user-files": dev["pool_id"], "prod-todos-user-files": prod["pool_id"]}
    for stage, user_pool, client_id in (
        (dev, "us-east-1_DevPool1", "dev-client"),
        (prod, "us-east-1_ProdPool1", "prod-client"),
    ):
        providers = identity.describe_identity_pool(IdentityPoolId=stage["pool_id"])["CognitoIdentityProviders"]
        assert providers == [
            {
                "ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{user_pool}",
                "ClientId": client_id,
                "ServerSideTokenCheck": True,
            }
        ]
        trust = _document(stage["role"]["AssumeRolePolicyDocument"])["Statement"][0]["Condition"]["StringEquals"]
        assert trust == {"cognito-identity.amazonaws.com:aud": stage["pool_id"]}
    assert (dev["role"]["RoleName"], prod["role"]["RoleName"]) == ("dev-todos-user-files", "prod-todos-user-files")
    assert prod["step"].plan() == []  # a second run finds nothing to do


def test_on_aws_a_pool_that_trusts_another_user_pool_is_corrected(on_aws):
    stage = provision_stage(on_aws, prefix="dev-", user_pool_id="us-east-1_OldPool1", client_id="old-client")
    on_aws.COGNITO_USER_POOL_ID, on_aws.COGNITO_CLIENT_ID = "us-east-1_NewPool1", "new-client"

    changes = IdentityPoolStep().plan()
    assert [c.description for c in changes] == ["trust this stage's user pool"]
    changes[0].apply()

    pool = aws.client("cognito-identity").describe_identity_pool(IdentityPoolId=stage["pool_id"])
    assert pool["IdentityPoolName"] == "dev-todos-user-files"
    assert (
        pool["CognitoIdentityProviders"][0]["ProviderName"] == "cognito-idp.us-east-1.amazonaws.com/us-east-1_NewPool1"
    )
    assert pool["CognitoIdentityProviders"][0]["ClientId"] == "new-client"
    assert IdentityPoolStep().plan() == []


def test_on_aws_a_role_left_trusting_a_deleted_pool_is_pointed_at_the_new_one(on_aws):
    old = provision_stage(on_aws, prefix="dev-", user_pool_id="us-east-1_DevPool1", client_id="dev-client")
    aws.client("cognito-identity").delete_identity_pool(IdentityPoolId=old["pool_id"])

    new = provision_stage(on_aws, prefix="dev-", user_pool_id="us-east-1_DevPool1", client_id="dev-client")

    assert new["pool_id"] != old["pool_id"]
    trust = _document(new["role"]["AssumeRolePolicyDocument"])["Statement"][0]["Condition"]["StringEquals"]
    assert trust == {"cognito-identity.amazonaws.com:aud": new["pool_id"]}


def test_on_aws_the_service_exchanges_the_id_token_for_keys(on_aws):
    provisioned = provision_stage(on_aws, prefix="prod-", user_pool_id="us-east-1_TestPool1", client_id="client123")
    on_aws.COGNITO_IDENTITY_POOL_ID = provisioned["pool_id"]
    on_aws.COGNITO_IDENTITY_ROLE_ARN = provisioned["role"]["Arn"]

    credentials = credentials_for(owner="sub-1", id_token="header.payload.signature")

    assert credentials["access_key_id"].startswith("ASIA")
    assert credentials["secret_access_key"]
    assert credentials["session_token"]
    assert credentials["prefix"] == "users/sub-1/"
    assert credentials["identity_id"].startswith("us-east-1:")


def test_the_provider_name_is_spelled_as_aws_spells_it():
    assert identity_provider_name("eu-west-1_AbC123") == "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"


def test_identity_pools_sts_and_iam_follow_the_user_pool_to_aws(settings):
    local = settings.STS_ENDPOINT_URL
    assert local.startswith("http://127.0.0.1:")
    assert [aws.endpoint_url(s) for s in ("cognito-identity", "sts", "iam")] == [local, local, local]
    settings.COGNITO_ENDPOINT_URL = None  # Cognito on AWS: the local stand-in must not serve its identity pools
    assert [aws.endpoint_url(s) for s in ("cognito-identity", "sts", "iam")] == [None, None, None]
