"""Lambda handlers of the todos app."""

from __future__ import annotations

from urllib.parse import unquote_plus

from mysite.event_sources import UploadSource
from todos.services import attachment_upload_received

EVENT_SOURCES = [UploadSource(function="todos.events.attachment_uploaded_handler", prefix="users/")]


def attachment_uploaded_handler(event: dict, context: object) -> dict:
    """S3 ObjectCreated under users/: mark the matching attachment ready (the browser may beat us to it)."""
    marked = 0
    for record in event["Records"]:
        marked += attachment_upload_received(key=unquote_plus(record["s3"]["object"]["key"]))
    return {"attachments_ready": marked}
