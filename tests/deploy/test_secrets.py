"""Production settings read the Django secret key from Secrets Manager at cold start."""

from __future__ import annotations

import boto3

from mysite.deploy.secrets import load_django_secret_key


def test_the_key_comes_from_the_named_secret(aws_account, monkeypatch):
    boto3.client("secretsmanager", region_name="us-east-1").create_secret(Name="mysite/x/key", SecretString="s3cr3t")
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    monkeypatch.setenv("DJANGO_SECRET_KEY_SECRET_ID", "mysite/x/key")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    load_django_secret_key()
    import os

    assert os.environ["DJANGO_SECRET_KEY"] == "s3cr3t"


def test_a_key_in_the_environment_wins(aws_account, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-env")
    monkeypatch.setenv("DJANGO_SECRET_KEY_SECRET_ID", "mysite/missing")
    load_django_secret_key()  # no call to Secrets Manager: the secret does not even exist
    import os

    assert os.environ["DJANGO_SECRET_KEY"] == "from-env"
