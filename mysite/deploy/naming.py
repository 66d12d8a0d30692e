"""Names of the per-stage AWS resources the deploy commands create and look up again."""

from __future__ import annotations

from django.conf import settings


def distribution_comment(bucket: str | None = None) -> str:
    """Identifies the stage's distribution (CloudFront has no names, only comments and ids)."""
    return f"mysite site {bucket or settings.AWS_STORAGE_BUCKET_NAME}"


def origin_access_control_name(bucket: str | None = None) -> str:
    return f"{bucket or settings.AWS_STORAGE_BUCKET_NAME}-oac"


def dead_letter_queue_name(prefix: str) -> str:
    """The stage's SQS dead-letter queue: `<table prefix>dead-letters` (`prod-dead-letters`)."""
    return f"{prefix}dead-letters"
