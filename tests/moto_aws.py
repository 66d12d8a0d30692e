"""Point the app at AWS endpoints intercepted by moto (an account in memory) instead of the emulators."""

from __future__ import annotations

from contextlib import contextmanager

from moto import mock_aws

from mysite import aws
from mysite.dynamo import all_models


@contextmanager
def on_aws(settings, monkeypatch, *, bucket: str = "mysite-prod-test", pool_name: str | None = None):
    """Settings, boto3 clients and every model's connection on moto for the block; the emulators' after it."""
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
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    if pool_name:
        settings.COGNITO_USER_POOL_NAME = pool_name
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
