"""Two stages provisioned into one AWS account (moto) share nothing, and each identity pool trusts its own user pool."""

from __future__ import annotations

import json

import boto3
import pytest
from django.conf import settings

from mysite.deploy import stages
from mysite.deploy.render import stage_table
from mysite.dynamo import all_models
from tests.deploy.conftest import run

REGION = "us-east-1"
OWN_PREFIX = settings.DYNAMODB_TABLE_PREFIX  # what this process's models were named with, before any override


def inventory() -> dict[str, set[str]]:
    """Every named thing in the account that provision can create."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    idp = boto3.client("cognito-idp", region_name=REGION)
    identity = boto3.client("cognito-identity", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    return {
        "tables": set(dynamodb.list_tables()["TableNames"]),
        "buckets": {b["Name"] for b in boto3.client("s3", region_name=REGION).list_buckets()["Buckets"]},
        "user pools": {p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]},
        "identity pools": {p["IdentityPoolName"] for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]},
        "roles": {r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]},
        "secrets": {s["Name"] for s in boto3.client("secretsmanager", region_name=REGION).list_secrets()["SecretList"]},
        "queues": {u.rsplit("/", 1)[1] for u in sqs.list_queues().get("QueueUrls", [])},
    }


def provision_stage(stage: str, aws_settings) -> dict[str, set[str]]:
    """`manage.py provision` with the stage's environment from zappa_settings.json; returns what it added."""
    env = stages.read_stage(stage)["environment_variables"]
    prefix = env["DYNAMODB_TABLE_PREFIX"]
    aws_settings.DYNAMODB_TABLE_PREFIX = prefix
    aws_settings.AWS_STORAGE_BUCKET_NAME = env["AWS_STORAGE_BUCKET_NAME"]
    aws_settings.COGNITO_USER_POOL_NAME = env["COGNITO_USER_POOL_NAME"]
    aws_settings.DJANGO_SECRET_KEY_SECRET_ID = env["DJANGO_SECRET_KEY_SECRET_ID"]
    aws_settings.UPDATES_SIGNING_KEY_SECRET_ID = env["UPDATES_SIGNING_KEY_SECRET_ID"]
    aws_settings.S3_TRANSFER_ACCELERATION = env["S3_TRANSFER_ACCELERATION"] == "true"
    aws_settings.COGNITO_USER_POOL_ID = ""
    aws_settings.COGNITO_CLIENT_ID = ""
    before = inventory()
    models = all_models()
    # The models were named with this process's prefix; the stage's function names them with its own.
    names = {model: model.Meta.table_name for model in models}
    try:
        for model in models:
            model.Meta.table_name = prefix + names[model].removeprefix(OWN_PREFIX)
        run("provision")
    finally:
        for model in models:
            model.Meta.table_name = names[model]
    after = inventory()
    return {kind: after[kind] - before[kind] for kind in after}


@pytest.fixture
def two_stages(aws_account):
    original_prefix = settings.DYNAMODB_TABLE_PREFIX
    made = {stage: provision_stage(stage, aws_account) for stage in ("dev", "production")}
    aws_account.DYNAMODB_TABLE_PREFIX = original_prefix
    return made


def test_two_stages_in_one_account_share_nothing(two_stages):
    dev, production = two_stages["dev"], two_stages["production"]
    for kind in dev:
        assert dev[kind], f"provision made no {kind} for dev"
        assert production[kind], f"production adopted dev's {kind} instead of making its own"
        assert not dev[kind] & production[kind], kind
    for stage, made in two_stages.items():
        prefix = stages.read_stage(stage)["environment_variables"]["DYNAMODB_TABLE_PREFIX"]
        assert made["tables"] == {stage_table(m, prefix) for m in all_models()}
        assert made["queues"] == {f"{prefix}dead-letters"}
        assert all(stage in name for name in made["buckets"] | made["user pools"] | made["secrets"])
        assert all(name.startswith(prefix.rstrip("-")) for name in made["roles"] | made["identity pools"])


def test_each_identity_pool_trusts_its_own_user_pool_and_role(two_stages):
    identity = boto3.client("cognito-identity", region_name=REGION)
    idp = boto3.client("cognito-idp", region_name=REGION)
    iam = boto3.client("iam")
    user_pools = {p["Name"]: p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
    for stage, made in two_stages.items():
        [pool_name] = made["identity pools"]
        [pool] = [
            p
            for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"]
            if p["IdentityPoolName"] == pool_name
        ]
        described = identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
        [user_pool_name] = made["user pools"]
        [provider] = described["CognitoIdentityProviders"]
        assert provider["ProviderName"].endswith(f"/{user_pools[user_pool_name]}"), stage
        [role_name] = made["roles"]
        trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        [statement] = trust["Statement"]
        assert statement["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"] == pool["IdentityPoolId"]
