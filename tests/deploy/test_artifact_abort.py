"""Aborting a replaced multipart upload on AWS (moto, IAM enforced): the role allows it; a refusal is not hidden."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.authorization import enable_iam_authentication

from mysite import aws
from mysite.deploy import stages
from updates.constants import PENDING
from updates.models import Artifact
from updates.services.artifacts import _abort

KEY = "uploads/updates/app/1.0.0/linux-x64/0123abcd/App.zip"


@pytest.fixture
def pending_upload(aws_account):
    """The site bucket with one multipart upload in progress, and its artifact (not saved: only S3 is involved)."""
    bucket = aws_account.AWS_STORAGE_BUCKET_NAME
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=KEY)["UploadId"]
    artifact = Artifact("app", "1.0.0#linux-x64", upload_key=KEY, upload_id=upload_id, status=PENDING)
    return s3, bucket, artifact


def as_role(monkeypatch, statements: list[dict]) -> None:
    """Make the app's S3 client sign as an IAM user holding exactly these statements."""
    iam = boto3.client("iam")
    iam.create_user(UserName="function")
    iam.put_user_policy(
        UserName="function",
        PolicyName="role",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName="function")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    aws._client.cache_clear()


def bucket_statements(bucket: str) -> list[dict]:
    """The production stage's S3 statements, for this bucket."""
    rendered = stages.read_stage("production")["extra_permissions"]
    production_bucket = stages.read_stage("production")["environment_variables"]["AWS_STORAGE_BUCKET_NAME"]
    s3 = [s for s in rendered if s["Sid"] in {"BucketObjects", "BucketListing"}]
    return json.loads(json.dumps(s3).replace(f":::{production_bucket}", f":::{bucket}"))


def uploads_in_progress(s3, bucket: str) -> list[str]:
    return [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def test_with_the_stages_policy_a_replaced_upload_is_aborted(pending_upload, monkeypatch):
    s3, bucket, artifact = pending_upload
    as_role(monkeypatch, bucket_statements(bucket))
    with enable_iam_authentication():
        _abort(artifact)
    assert uploads_in_progress(s3, bucket) == []


def test_an_abort_s3_refuses_reaches_the_caller_and_the_parts_stay_visible(pending_upload, monkeypatch):
    s3, bucket, artifact = pending_upload
    without_abort = [
        {**s, "Action": [a for a in s["Action"] if a != "s3:AbortMultipartUpload"]} for s in bucket_statements(bucket)
    ]
    as_role(monkeypatch, without_abort)
    with enable_iam_authentication(), pytest.raises(ClientError) as refused:
        _abort(artifact)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert uploads_in_progress(s3, bucket) == [artifact.upload_id]
