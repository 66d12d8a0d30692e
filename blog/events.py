"""Lambda handlers of the blog: image uploads (S3) and scheduled publishing (every minute)."""

from __future__ import annotations

from urllib.parse import unquote_plus

from blog.services import image_process, posts_publish_due
from blog.services.images import UPLOAD_PREFIX
from mysite.event_sources import ScheduleSource, UploadSource

EVENT_SOURCES = [
    UploadSource(function="blog.events.image_uploaded_handler", prefix=UPLOAD_PREFIX),
    ScheduleSource(function="blog.events.publish_due_handler", rate="rate(1 minute)"),
]


def image_uploaded_handler(event: dict, context: object) -> dict:
    """S3 ObjectCreated under uploads/blog/: verify, normalise and render the image."""
    outcomes = {}
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])  # S3 URL-encodes keys in notifications
        outcomes[key] = image_process(key=key)
    return {"images": outcomes}


def publish_due_handler(event: dict, context: object) -> dict:
    """Scheduled event: publish the posts whose time has come."""
    return {"published": posts_publish_due()}
