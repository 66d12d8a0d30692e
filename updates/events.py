"""Lambda handlers of the updates app: S3 upload notifications and the TUF re-signing schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote_plus

from mysite.event_sources import ScheduleSource, UploadSource
from updates import services
from updates.constants import UPLOAD_PREFIX
from updates.models import TufRepository
from updates.tuf import RENEW_FRACTION, TIMESTAMP_LIFETIME

EVENT_SOURCES = [
    UploadSource(function="updates.events.artifact_uploaded_handler", prefix=UPLOAD_PREFIX),
    UploadSource(function="updates.events.cdn_log_handler", prefix="cdn-logs/"),
    ScheduleSource(function="updates.events.tuf_refresh_handler", rate="rate(1 hour)"),
    ScheduleSource(function="updates.events.ramp_tick_handler", rate="rate(1 minute)"),
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
    due_before = datetime.now(UTC) + TIMESTAMP_LIFETIME * RENEW_FRACTION
    due = TufRepository.by_expiry.query("tuf", TufRepository.timestamp_expires < due_before)
    refreshed = [state.product for state in due if services.tuf_refresh(product=state.product)]
    return {"refreshed": refreshed}


def ramp_tick_handler(event: dict, context: object) -> dict:
    """Every minute: advance, hold or halt each release ramp that is due (updates.ramp), as of the event's time."""
    from updates import ramp

    now = datetime.fromisoformat(event["time"].replace("Z", "+00:00")) if event.get("time") else datetime.now(UTC)
    return {"ramps": ramp.ramp_tick(now=now)}


def cdn_log_handler(event: dict, context: object) -> dict:
    """S3 ObjectCreated under cdn-logs/ (CloudFront standard logs; locally the twin's): count artifact downloads."""
    from updates import cdn_logs

    results = {}
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        results[key] = cdn_logs.log_file_process(key=key)
    return results
