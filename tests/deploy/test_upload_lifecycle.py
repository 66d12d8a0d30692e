"""The upload prefix's lifecycle rule, provisioned on AWS (moto): s3rver has no lifecycle API."""

from __future__ import annotations

import boto3

from tests.deploy.conftest import run
from todos.provisioning import LIFECYCLE_RULE_ID, UploadLifecycleStep


def test_provision_puts_the_abort_incomplete_uploads_rule_on_the_users_prefix_once(aws_account):
    aws_account.COGNITO_USER_POOL_ID = ""
    aws_account.COGNITO_CLIENT_ID = ""
    assert "would    lifecycle of s3://mysite-production-site/users/: abort multipart uploads" in run(
        "provision", "--dry-run"
    )
    run("provision")
    rules = boto3.client("s3", region_name="us-east-1").get_bucket_lifecycle_configuration(
        Bucket="mysite-production-site"
    )["Rules"]
    assert rules == [
        {
            "ID": LIFECYCLE_RULE_ID,
            "Filter": {"Prefix": "users/"},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ]
    assert UploadLifecycleStep().plan() == []


def test_the_step_keeps_the_buckets_other_lifecycle_rules(aws_account):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="mysite-production-site")
    other = {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}}
    s3.put_bucket_lifecycle_configuration(Bucket="mysite-production-site", LifecycleConfiguration={"Rules": [other]})
    for change in UploadLifecycleStep().plan():
        change.apply()
    rules = s3.get_bucket_lifecycle_configuration(Bucket="mysite-production-site")["Rules"]
    assert [r["ID"] for r in rules] == ["logs", LIFECYCLE_RULE_ID]
    assert rules[0]["Expiration"] == {"Days": 30}


def test_locally_the_step_stands_aside(settings):
    assert settings.S3_ENDPOINT_URL
    assert UploadLifecycleStep().plan() == []
