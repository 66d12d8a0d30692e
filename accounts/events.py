"""Lambda handlers of the accounts app."""

from __future__ import annotations

import logging

from accounts.services import welcome_email_send, welcome_email_sweep
from mysite.event_sources import ScheduleSource, StreamSource

logger = logging.getLogger(__name__)

EVENT_SOURCES = [
    StreamSource(function="accounts.events.profile_stream_handler", model="accounts.models.Profile"),
    ScheduleSource(function="accounts.events.welcome_email_sweep_handler", rate="rate(1 minute)"),
]


def profile_stream_handler(event: dict, context: object) -> dict:
    """DynamoDB Streams (profiles table): welcome each new profile; report the records that failed.

    A failing record does not stop the others: it is named in `batchItemFailures` (Lambda's
    ReportBatchItemFailures), so the stream checkpoints up to it and retries from there.
    """
    sent = 0
    failures = []
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        try:
            sent += welcome_email_send(sub=record["dynamodb"]["Keys"]["sub"]["S"])
        except Exception:
            logger.exception("Welcome email failed for stream record %s", record["dynamodb"]["SequenceNumber"])
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures, "welcome_emails_sent": sent}


def welcome_email_sweep_handler(event: dict, context: object) -> dict:
    """Scheduled every minute: send the welcome emails whose claim's holder died before sending."""
    return {"welcome_emails_sent": welcome_email_sweep()}
