"""Lambda handlers of the accounts app."""

from __future__ import annotations

from accounts.services import welcome_email_send
from mysite.event_sources import StreamSource

EVENT_SOURCES = [StreamSource(function="accounts.events.profile_stream_handler", model="accounts.models.Profile")]


def profile_stream_handler(event: dict, context: object) -> dict:
    """DynamoDB Streams (profiles table): welcome each newly created profile."""
    sent = 0
    for record in event["Records"]:
        if record["eventName"] == "INSERT":
            sent += welcome_email_send(sub=record["dynamodb"]["Keys"]["sub"]["S"])
    return {"welcome_emails_sent": sent}
