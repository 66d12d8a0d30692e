"""Newsletter data: subscribers, the suppression list, one send record per post and its outbox."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import IncludeProjection
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, global_index, table_name, utcnow

PENDING, CONFIRMED, UNSUBSCRIBED = "pending", "confirmed", "unsubscribed"
FANNING_OUT, QUEUED = "fanning-out", "queued"
OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_SUPPRESSED = "pending", "sending", "sent", "suppressed"
CONFIRMED_LIST = "confirmed"


class Subscriber(Model):
    """A reader's address; `subscriber_id` is a keyed hash of it, the id in every link."""

    class Meta(BaseMeta):
        table_name = table_name("blog-newsletter-subscribers")

    subscriber_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    status = UnicodeAttribute(default=PENDING)
    list_key = UnicodeAttribute(null=True)  # CONFIRMED_LIST while confirmed
    created_at = UTCDateTimeAttribute(default=utcnow)
    confirmed_at = UTCDateTimeAttribute(null=True)
    confirmation_sent_at = UTCDateTimeAttribute(null=True)
    unsubscribed_at = UTCDateTimeAttribute(null=True)

    # Sparse: only confirmed subscribers carry `list_key`, so a send pages through exactly them.
    confirmed = global_index(
        "by-list", list_key=UnicodeAttribute, subscriber_id=UnicodeAttribute, projection=IncludeProjection(["email"])
    )


class SuppressedAddress(Model):
    """An address SES reported as a permanent bounce or a complaint: never mailed again."""

    class Meta(BaseMeta):
        table_name = table_name("blog-newsletter-suppressed")

    email = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()  # "bounce" or "complaint"
    detail = UnicodeAttribute(default="")
    suppressed_at = UTCDateTimeAttribute(default=utcnow)


class NewsletterSend(Model):
    """One per post: created once (conditionally), then its Stream pages the subscribers into the outbox."""

    class Meta(BaseMeta):
        table_name = table_name("blog-newsletter-sends")
        stream_view_type = "KEYS_ONLY"

    post_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(default=FANNING_OUT)
    cursor = UnicodeAttribute(null=True)  # the next page of subscribers (JSON LastEvaluatedKey)
    pages = NumberAttribute(default=0)
    recipients = NumberAttribute(default=0)
    requested_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default=utcnow)


class OutboxMessage(Model):
    """One message to one subscriber for one post; its insertion in the Stream drives the send."""

    class Meta(BaseMeta):
        table_name = table_name("blog-newsletter-outbox")
        stream_view_type = "NEW_IMAGE"

    post_id = UnicodeAttribute(hash_key=True)
    subscriber_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    status = UnicodeAttribute(default=OUTBOX_PENDING)
    sent_at = UTCDateTimeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
