"""Lambda handlers of the todos app."""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import unquote_plus

from mysite.event_sources import ScheduleSource, StreamSource, UploadSource
from todos.services import attachment_upload_received, trash_expired_files_delete
from todos.services.reminders import reminders_dispatch

logger = logging.getLogger(__name__)

EVENT_SOURCES = [
    UploadSource(function="todos.events.attachment_uploaded_handler", prefix="users/"),
    StreamSource(function="todos.events.trash_swept_handler", model="todos.models.TrashItem"),
    ScheduleSource(function="todos.events.reminders_due_handler", rate="rate(1 minute)"),
]
# Who a stream record says removed an item when DynamoDB's TTL did it (not the app).
TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def attachment_uploaded_handler(event: dict, context: object) -> dict:
    """S3 ObjectCreated under users/: mark the matching attachment ready (the browser may beat us to it)."""
    marked = 0
    for record in event["Records"]:
        marked += attachment_upload_received(key=unquote_plus(record["s3"]["object"]["key"]))
    return {"attachments_ready": marked}


def trash_swept_handler(event: dict, context: object) -> dict:
    """DynamoDB Streams (trash table): when the TTL sweeps an attachment's record out of the Trash, delete its file.

    Removals by the app (a restore, a purge, which deletes the files itself) are left alone. A
    failed delete names its records in `batchItemFailures`, so they are retried.
    """
    swept = [
        record
        for record in event["Records"]
        if record["eventName"] == "REMOVE"
        and record.get("userIdentity", {}).get("principalId") == TTL_PRINCIPAL
        and record["dynamodb"].get("OldImage", {}).get("kind", {}).get("S") == "attachment"
    ]
    try:
        deleted = trash_expired_files_delete(attachments=[r["dynamodb"]["OldImage"]["data"]["S"] for r in swept])
    except Exception:
        logger.exception("Deleting the files of %d swept attachments failed", len(swept))
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in swept]}
    return {"batchItemFailures": [], "files_deleted": deleted}


def reminders_due_handler(event: dict, context: object, *, now: datetime | None = None) -> dict:
    """Scheduled event (every minute): email the reminders whose time has come, each exactly once."""
    return {"reminders_sent": reminders_dispatch(now=now)}
