"""Lambda handlers of the newsletter: the send records' Stream (fan-out), the outbox's (sends), SES's SNS topic."""

from __future__ import annotations

import json
import logging

from blog.newsletter.services import newsletter_fan_out, newsletter_messages_deliver, ses_notification_apply
from mysite.event_sources import StreamSource

logger = logging.getLogger(__name__)

EVENT_SOURCES = [
    StreamSource(function="blog.newsletter.events.send_stream_handler", model="blog.newsletter.models.NewsletterSend"),
    # 100 messages an invocation: fewer reads of the suppression list and the subscribers per message.
    StreamSource(
        function="blog.newsletter.events.outbox_stream_handler",
        model="blog.newsletter.models.OutboxMessage",
        batch_size=100,
    ),
]


def _failure(record: dict) -> dict:
    return {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}


def send_stream_handler(event: dict, context: object) -> dict:
    """DynamoDB Streams (send records): write the next page of recipients into the outbox."""
    queued = 0
    for record in event["Records"]:
        if record["eventName"] == "REMOVE":
            continue
        try:
            queued += newsletter_fan_out(post_id=record["dynamodb"]["Keys"]["post_id"]["S"])
        except Exception:
            logger.exception("Newsletter fan-out failed for record %s", record["dynamodb"]["SequenceNumber"])
            return {"batchItemFailures": [_failure(record)], "queued": queued}
    return {"batchItemFailures": [], "queued": queued}


def outbox_stream_handler(event: dict, context: object) -> dict:
    """DynamoDB Streams (outbox): send each new message once; report the first one SES did not take."""
    records = [r for r in event["Records"] if r["eventName"] == "INSERT"]
    messages = []
    for record in records:
        image = record["dynamodb"]["NewImage"]
        messages.append((image["post_id"]["S"], image["subscriber_id"]["S"], image["email"]["S"]))
    sent, failed_at = newsletter_messages_deliver(messages=messages)
    return {"batchItemFailures": [] if failed_at is None else [_failure(records[failed_at])], "sent": sent}


def ses_notification_handler(event: dict, context: object) -> dict:
    """SNS (the SES configuration set's event destination): bounces and complaints into the suppression list."""
    suppressed = []
    for record in event.get("Records", []):
        try:
            message = json.loads(record["Sns"]["Message"])
        except (KeyError, TypeError, ValueError):
            logger.warning("Not an SNS notification from SES: %r", str(record)[:300])
            continue  # a malformed notification is dropped: retrying cannot fix it
        if isinstance(message, dict):
            suppressed += ses_notification_apply(message=message)
    return {"suppressed": suppressed}
