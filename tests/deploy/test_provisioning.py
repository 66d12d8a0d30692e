"""provision's AWS-only steps against moto: the secrets, Transfer Acceleration, Block Public Access."""

from __future__ import annotations

import boto3
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from tests.deploy.conftest import run


@pytest.fixture
def stage(aws_account):
    aws_account.DJANGO_SECRET_KEY_SECRET_ID = "mysite/production/django-secret-key"
    aws_account.UPDATES_SIGNING_KEY_SECRET_ID = "mysite/production/updates-signing-key"
    aws_account.S3_TRANSFER_ACCELERATION = True
    aws_account.COGNITO_USER_POOL_ID = ""
    aws_account.COGNITO_CLIENT_ID = ""
    return aws_account


def test_provision_creates_the_aws_only_resources_once(stage):
    dry = run("provision", "--dry-run")
    assert "would    secret mysite/production/django-secret-key: create" in dry
    first = run("provision")
    assert "change(s) applied" in first
    second = run("provision")
    assert "No changes: everything is already provisioned." in second


def test_the_secrets_hold_a_django_key_and_an_ed25519_key_and_survive_a_rerun(stage):
    run("provision")
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    django_key = secrets.get_secret_value(SecretId=stage.DJANGO_SECRET_KEY_SECRET_ID)["SecretString"]
    signing_key = secrets.get_secret_value(SecretId=stage.UPDATES_SIGNING_KEY_SECRET_ID)["SecretString"]
    assert len(django_key) >= 50
    assert type(load_pem_private_key(signing_key.encode(), password=None)).__name__ == "Ed25519PrivateKey"
    run("provision")
    assert secrets.get_secret_value(SecretId=stage.DJANGO_SECRET_KEY_SECRET_ID)["SecretString"] == django_key


def test_the_bucket_is_private_with_transfer_acceleration(stage):
    run("provision")
    s3 = boto3.client("s3", region_name="us-east-1")
    assert s3.get_bucket_accelerate_configuration(Bucket="mysite-production-site")["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket="mysite-production-site")["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_locally_the_aws_only_steps_stand_aside(settings):
    from mysite.provisioning import aws_only_steps

    assert settings.DYNAMODB_ENDPOINT_URL
    assert aws_only_steps({}) == []


def test_provision_creates_the_stages_dead_letter_queue_once(stage):
    stage.DYNAMODB_TABLE_PREFIX = "prod-"
    assert "would    dead-letter queue prod-dead-letters: create queue (messages kept 14 days)" in run(
        "provision", "--dry-run"
    )
    run("provision")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.get_queue_url(QueueName="prod-dead-letters")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["MessageRetentionPeriod"] == str(14 * 24 * 3600)
    assert "ok       dead-letter queue prod-dead-letters" in run("provision")
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["prod-dead-letters"]
