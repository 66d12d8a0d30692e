"""Names of the per-stage AWS resources the deploy commands create and look up again."""

from __future__ import annotations

from django.conf import settings


def identity_pool_name(user_pool_name: str | None = None) -> str:
    # Identity pool names allow no hyphens.
    return f"{user_pool_name or settings.COGNITO_USER_POOL_NAME}_identities".replace("-", "_")


def identity_role_name(user_pool_name: str | None = None) -> str:
    return f"{user_pool_name or settings.COGNITO_USER_POOL_NAME}-user-files"


def distribution_comment(bucket: str | None = None) -> str:
    """Identifies the stage's distribution (CloudFront has no names, only comments and ids)."""
    return f"mysite site {bucket or settings.AWS_STORAGE_BUCKET_NAME}"


def origin_access_control_name(bucket: str | None = None) -> str:
    return f"{bucket or settings.AWS_STORAGE_BUCKET_NAME}-oac"
