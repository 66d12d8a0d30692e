"""Writes of the newsletter: subscriptions, sends (fan-out and delivery), and the suppression list."""

from __future__ import annotations

from blog.newsletter.models import CONFIRMED
from blog.newsletter.services.sending import (
    SendAlreadyStarted,
    newsletter_fan_out,
    newsletter_messages_deliver,
    newsletter_send_start,
)
from blog.newsletter.services.subscriptions import (
    InvalidLink,
    subscription_confirm,
    subscription_request,
    subscription_unsubscribe,
)
from blog.newsletter.services.suppression import ses_notification_apply

__all__ = [
    "CONFIRMED",
    "InvalidLink",
    "SendAlreadyStarted",
    "newsletter_fan_out",
    "newsletter_messages_deliver",
    "newsletter_send_start",
    "ses_notification_apply",
    "subscription_confirm",
    "subscription_request",
    "subscription_unsubscribe",
]
