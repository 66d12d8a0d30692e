"""SES bounce and complaint notifications (through SNS) into the suppression list that sends respect."""

from __future__ import annotations

import logging

from blog.newsletter.models import SuppressedAddress

logger = logging.getLogger(__name__)

MAX_ADDRESS_LENGTH = 254


def _recipients(message: dict) -> tuple[str, list[dict], str] | None:
    # Event publishing (a configuration set's SNS destination) says eventType; identity notifications
    # say notificationType. Both carry the same bodies.
    kind = message.get("eventType") or message.get("notificationType")
    if kind == "Bounce":
        bounce = message.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":  # transient: SES retries, the address stays
            return None
        return "bounce", bounce.get("bouncedRecipients") or [], bounce.get("bounceSubType", "")
    if kind == "Complaint":
        complaint = message.get("complaint") or {}
        return "complaint", complaint.get("complainedRecipients") or [], complaint.get("complaintFeedbackType", "")
    return None


def ses_notification_apply(*, message: dict) -> list[str]:
    """Suppress the addresses of a permanent bounce or a complaint; returns them (none for other kinds)."""
    found = _recipients(message)
    if found is None:
        return []
    reason, recipients, detail = found
    addresses = sorted(
        {
            str(r.get("emailAddress", "")).strip().lower()
            for r in recipients
            if isinstance(r, dict) and 3 <= len(str(r.get("emailAddress", ""))) <= MAX_ADDRESS_LENGTH
        }
    )
    with SuppressedAddress.batch_write() as batch:
        for address in addresses:
            batch.save(SuppressedAddress(address, reason=reason, detail=str(detail)[:200]))
    if addresses:
        logger.info("Newsletter: suppressed %d address(es) after a %s", len(addresses), reason)
    return addresses
