"""Deploy commands run against moto: an AWS account in memory (never the app's data path)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from moto import mock_aws

from mysite import aws
from mysite.dynamo import all_models


@pytest.fixture
def aws_account(settings, monkeypatch):
    """Settings pointed at AWS (moto) instead of the emulators, for the duration of a test."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings.AWS_REGION = "us-east-1"
    settings.DYNAMODB_ENDPOINT_URL = None
    settings.COGNITO_ENDPOINT_URL = None
    settings.S3_ENDPOINT_URL = None
    settings.AWS_LOCAL_ACCESS_KEY_ID = None
    settings.AWS_LOCAL_SECRET_ACCESS_KEY = None
    settings.AWS_STORAGE_BUCKET_NAME = "mysite-production-site"
    settings.COGNITO_USER_POOL_NAME = "mysite-production"
    settings.STACK_OUTPUTS_FILE = None
    models = all_models()
    saved = [(m, m.Meta.host, m.Meta.aws_access_key_id, m.Meta.aws_secret_access_key) for m in models]
    aws._client.cache_clear()
    with mock_aws():
        for model in models:
            model.Meta.host = model.Meta.aws_access_key_id = model.Meta.aws_secret_access_key = None
            model._connection = None
        try:
            yield settings
        finally:
            for model, host, key, secret in saved:
                model.Meta.host, model.Meta.aws_access_key_id, model.Meta.aws_secret_access_key = host, key, secret
                model._connection = None
            aws._client.cache_clear()


@pytest.fixture(autouse=True)
def _moto_keeps_origin_access_control(monkeypatch):
    """moto 5.2 drops an origin's OriginAccessControlId; real CloudFront keeps it, and the commands compare it."""
    from moto.cloudfront import models

    original = models.Origin.__init__

    def init(self, origin):
        original(self, origin)
        self.origin_access_control_id = origin.get("OriginAccessControlId", "")

    monkeypatch.setattr(models.Origin, "__init__", init)


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()
