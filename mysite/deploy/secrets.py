"""Secrets that production settings read from AWS Secrets Manager at cold start."""

from __future__ import annotations

import os


def load_django_secret_key() -> None:
    """Put DJANGO_SECRET_KEY into the environment from the secret named by DJANGO_SECRET_KEY_SECRET_ID.

    Runs before Django's settings exist, so it uses boto3 directly; a key set in the
    environment wins (local runs of the production settings, tests of the package).
    """
    secret_id = os.environ.get("DJANGO_SECRET_KEY_SECRET_ID")
    if os.environ.get("DJANGO_SECRET_KEY") or not secret_id:
        return
    import boto3

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    value = boto3.client("secretsmanager", region_name=region).get_secret_value(SecretId=secret_id)["SecretString"]
    os.environ["DJANGO_SECRET_KEY"] = value
