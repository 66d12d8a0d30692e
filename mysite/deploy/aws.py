"""boto3 clients for the deploy commands: always real AWS (moto in tests), never the local emulators."""

from __future__ import annotations

import boto3
from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError
from django.conf import settings
from django.core.management.base import CommandError

GLOBAL_REGION = "us-east-1"  # CloudFront, IAM and the certificates CloudFront uses live here


def client(service: str, region: str | None = None):
    return boto3.client(service, region_name=region or settings.AWS_REGION)


def error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def account_id() -> str:
    """The account the deploy credentials belong to; a clear CommandError without credentials."""
    try:
        return client("sts").get_caller_identity()["Account"]
    except (NoCredentialsError, NoRegionError) as error:
        raise CommandError(
            f"No AWS credentials ({error}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
            "for the deploying user, or use --offline."
        ) from error
