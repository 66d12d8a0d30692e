"""Lambda handlers of the updates app: S3 upload notifications and the TUF re-signing schedule."""

from __future__ import annotations

from urllib.parse import unquote_plus

from mysite.event_sources import ScheduleSource, UploadSource
from updates import services
from updates.constants import UPLOAD_PREFIX
from updates.models import Product

EVENT_SOURCES = [
    UploadSource(function="updates.events.artifact_uploaded_handler", prefix=UPLOAD_PREFIX),
    ScheduleSource(function="updates.events.tuf_refresh_handler", rate="rate(1 hour)"),
]


def artifact_uploaded_handler(event: dict, context: object) -> dict:
    """S3 ObjectCreated under uploads/updates/: verify, sign and publish the artifact's bytes."""
    results = {}
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 URL-encodes keys in notifications
        results[key] = services.artifact_process(upload_key=key)
    return results


def tuf_refresh_handler(event: dict, context: object) -> dict:
    """Hourly: re-sign the TUF timestamp (and snapshot/targets) of every product before they expire."""
    refreshed = [p.slug for p in Product.by_kind.query("product") if services.tuf_refresh(product=p.slug)]
    return {"refreshed": refreshed}
