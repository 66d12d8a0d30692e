"""boto3 clients that talk to the local emulators or to AWS, depending on settings."""

from __future__ import annotations

import functools

import boto3
from botocore.config import Config
from django.conf import settings

_ENDPOINT_SETTING = {
    "dynamodb": "DYNAMODB_ENDPOINT_URL",
    "dynamodbstreams": "DYNAMODB_ENDPOINT_URL",
    "cognito-idp": "COGNITO_ENDPOINT_URL",
    "s3": "S3_ENDPOINT_URL",
    "cognito-identity": "COGNITO_IDENTITY_ENDPOINT_URL",
    "sts": "STS_ENDPOINT_URL",
    "iam": "IAM_ENDPOINT_URL",
}
# An identity pool trusts the user pool beside it, so these follow the user pool: their local
# stand-in serves only next to the local user pool, and settings that send Cognito to AWS
# (production, the deploy tests) send them to AWS too.
_BESIDE_THE_USER_POOL = {"cognito-identity", "sts", "iam"}


def local_credentials() -> dict[str, str]:
    """Credentials for the emulators; empty on AWS, where the IAM role provides them."""
    if not settings.AWS_LOCAL_ACCESS_KEY_ID:
        return {}
    return {
        "aws_access_key_id": settings.AWS_LOCAL_ACCESS_KEY_ID,
        "aws_secret_access_key": settings.AWS_LOCAL_SECRET_ACCESS_KEY,
    }


def endpoint_url(service: str) -> str | None:
    """The emulator's URL for `service`, or None for the AWS endpoint."""
    if service in _BESIDE_THE_USER_POOL and not settings.COGNITO_ENDPOINT_URL:
        return None
    setting = _ENDPOINT_SETTING.get(service)
    return getattr(settings, setting, None) if setting else None


@functools.cache
def _client(service: str, endpoint: str | None, region: str, accelerate: bool):
    """One client per process and endpoint, shared by its threads (boto3 clients are thread-safe)."""
    config = Config(
        retries={"max_attempts": 3, "mode": "standard"},
        connect_timeout=3,
        read_timeout=10,
        s3={"addressing_style": "path" if endpoint else "virtual", "use_accelerate_endpoint": accelerate},
        signature_version="s3v4" if service == "s3" else None,
    )
    kwargs = local_credentials() if endpoint else {}
    return boto3.session.Session().client(service, endpoint_url=endpoint, region_name=region, config=config, **kwargs)


def client(service: str, *, accelerate: bool = False):
    """A cached boto3 client for `service`, pointed at the emulator when one is configured."""
    endpoint = endpoint_url(service)
    return _client(service, endpoint, settings.AWS_REGION, accelerate and not endpoint)
