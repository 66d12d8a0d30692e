"""Temporary AWS credentials for a user's own S3 prefix, through a Cognito identity pool."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.errors import Forbidden, ServiceUnavailable
from todos.errors import CredentialsNotConfigured
from todos.services.attachments import attachment_key_prefix

CREDENTIALS_SECONDS = 3600


def identity_pool_configured() -> bool:
    return bool(
        getattr(settings, "COGNITO_IDENTITY_POOL_ID", "") and getattr(settings, "COGNITO_IDENTITY_ROLE_ARN", "")
    )


def user_files_policy(*, owner: str) -> dict:
    """An IAM policy admitting only `users/<owner>/` of the site bucket."""
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    prefix = attachment_key_prefix(owner=owner)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/{prefix}*"],
            },
            {
                "Sid": "ListOwnPrefix",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}"],
                "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
            },
        ],
    }


def identity_provider_name(user_pool_id: str) -> str:
    """The identity pool's name for a user pool, as AWS spells it (`cognito-idp.<region>.amazonaws.com/<id>`).

    AWS checks that the ID token's `iss` is this name over https. Locally the user pool
    (`local_…`, issuer `http://127.0.0.1:<port>/<id>`) gets the same spelling: moto's
    identity pools check neither the name nor the token, so the API verifies the token first.
    """
    return f"cognito-idp.{user_pool_id.split('_', 1)[0]}.amazonaws.com/{user_pool_id}"


def credentials_for(*, owner: str, id_token: str) -> dict:
    """Exchange the user's ID token for credentials scoped to their prefix.

    The identity pool's classic flow lets us pass a session policy naming the
    user-pool `sub`, which the identity pool's own policy variables cannot express.
    """
    if not identity_pool_configured():
        raise CredentialsNotConfigured()
    logins = {identity_provider_name(settings.COGNITO_USER_POOL_ID): id_token}
    identity = aws.client("cognito-identity")
    try:
        identity_id = identity.get_id(IdentityPoolId=settings.COGNITO_IDENTITY_POOL_ID, Logins=logins)["IdentityId"]
        token = identity.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
        result = aws.client("sts").assume_role_with_web_identity(
            RoleArn=settings.COGNITO_IDENTITY_ROLE_ARN,
            RoleSessionName=f"todos-{owner}"[:64],
            WebIdentityToken=token,
            Policy=json.dumps(user_files_policy(owner=owner)),
            DurationSeconds=CREDENTIALS_SECONDS,
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"NotAuthorizedException", "AccessDenied", "InvalidIdentityToken"}:
            raise Forbidden("Cognito refused to issue credentials for this sign-in.") from error
        raise ServiceUnavailable() from error
    credentials = result["Credentials"]
    return {
        "identity_id": identity_id,
        "access_key_id": credentials["AccessKeyId"],
        "secret_access_key": credentials["SecretAccessKey"],
        "session_token": credentials["SessionToken"],
        "expiration": credentials["Expiration"],
        "region": settings.AWS_REGION,
        "bucket": settings.AWS_STORAGE_BUCKET_NAME,
        "prefix": attachment_key_prefix(owner=owner),
    }
