"""Lambda handlers of the todos app."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote_plus

from mysite.event_sources import ScheduleSource, UploadSource
from todos.services import attachment_upload_received
from todos.services.reminders import reminders_dispatch

EVENT_SOURCES = [
    UploadSource(function="todos.events.attachment_uploaded_handler", prefix="users/"),
    ScheduleSource(function="todos.events.reminders_due_handler", rate="rate(1 minute)"),
]


def attachment_uploaded_handler(event: dict, context: object) -> dict:
    """S3 ObjectCreated under users/: mark the matching attachment ready (the browser may beat us to it)."""
    marked = 0
    for record in event["Records"]:
        marked += attachment_upload_received(key=unquote_plus(record["s3"]["object"]["key"]))
    return {"attachments_ready": marked}


def reminders_due_handler(event: dict, context: object, *, now: datetime | None = None) -> dict:
    """Scheduled event (every minute): email the reminders whose time has come, each exactly once."""
    return {"reminders_sent": reminders_dispatch(now=now)}
