"""CloudFront: invalidations after content changes, and URLs on the CDN domain."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.conf import settings

from mysite import aws

logger = logging.getLogger(__name__)


def cdn_url(path: str) -> str | None:
    """`https://<CDN_DOMAIN>/<path>` when a CDN is configured, else None."""
    if not settings.CDN_DOMAIN:
        return None
    return f"https://{settings.CDN_DOMAIN}/{path.lstrip('/')}"


def invalidate_paths(paths: Iterable[str]) -> str | None:
    """Invalidate these paths in one CreateInvalidation request; returns its id (None without a CDN)."""
    distribution = settings.CLOUDFRONT_DISTRIBUTION_ID
    unique = sorted({p if p.startswith("/") else f"/{p}" for p in paths})
    if not distribution or not unique:
        return None
    response = aws.client("cloudfront").create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": len(unique), "Items": unique},
            "CallerReference": f"mysite-{time.time_ns()}",
        },
    )
    invalidation_id = response["Invalidation"]["Id"]
    logger.info("CloudFront invalidation %s for %d path(s)", invalidation_id, len(unique))
    return invalidation_id
