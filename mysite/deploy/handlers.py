"""Lambda entry points that exist only because of how Zappa wires events on AWS."""

from __future__ import annotations

from urllib.parse import unquote_plus

from django.utils.module_loading import import_string

from mysite.event_sources import UploadSource, all_event_sources


def upload_router(event: dict, context: object) -> dict:
    """S3 ObjectCreated: hand each record to the handler declared for its key's prefix, as the dispatcher does."""
    uploads = [s for s in all_event_sources() if isinstance(s, UploadSource)]
    routed: list[dict] = []
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 URL-encodes keys in notifications
        for upload in uploads:
            if key.startswith(upload.prefix):
                result = import_string(upload.function)({"Records": [record]}, context)
                routed.append({"function": upload.function, "key": key, "result": result})
    return {"routed": routed}
