"""Shared infrastructure tables: sessions, the local dispatcher's checkpoints and dead letters, read-cache stamps,
the fixed-window attempt counters (mysite/throttling.py)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, global_index, table_name, utcnow


class SessionItem(Model):
    """A Django session; DynamoDB deletes it after `expires_at` (TTL)."""

    class Meta(BaseMeta):
        table_name = table_name("sessions")

    session_key = UnicodeAttribute(hash_key=True)
    data = UnicodeAttribute()
    expires_at = TTLAttribute()


class StreamCheckpoint(Model):
    """How far the local event dispatcher has read a source, and how its current failure is being retried.

    The retry state sits on the same item as the position, so that one write moves both and a
    restarted dispatcher carries on with the same attempt count instead of starting afresh.
    """

    class Meta(BaseMeta):
        table_name = table_name("dispatcher-checkpoints")

    source = UnicodeAttribute(hash_key=True)
    position = UnicodeAttribute()
    updated_at = NumberAttribute(default=0)
    # Failed invocations of the unit now at the head of the source (bisecting does not count).
    attempts = NumberAttribute(default=0)
    # A stream batch being bisected: how many records the next invocation takes.
    batch_limit = NumberAttribute(null=True)
    # Epoch seconds before which the failed unit is not retried.
    retry_at = NumberAttribute(default=0)
    # A failed scheduled event waiting for its retry (JSON), since a schedule has no log to re-read.
    pending_event = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)


class DeadLetter(Model):
    """A stream batch or event that its handler kept failing on: the local twin of the SQS on-failure queue."""

    class Meta(BaseMeta):
        table_name = table_name("dead-letters")

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="dead-letter")
    function = UnicodeAttribute()
    source = UnicodeAttribute()
    event = UnicodeAttribute()  # the event document exactly as the handler was given it (JSON)
    error = UnicodeAttribute()
    attempts = NumberAttribute()
    failed_at = UTCDateTimeAttribute(default=utcnow)
    redrive_attempts = NumberAttribute(default=0)

    # Every dead letter in one partition, oldest first: `redrive_failed` lists them without a Scan.
    by_failed_at = global_index("by-failed-at", kind=UnicodeAttribute, failed_at=UTCDateTimeAttribute)


class CacheStamp(Model):
    """The generation stamp of one read-cache scope (see mysite.cache): replaced by every write to it."""

    class Meta(BaseMeta):
        table_name = table_name("cache-stamps")

    scope = UnicodeAttribute(hash_key=True)
    token = UnicodeAttribute(null=True)  # null on an item only a facet was ever bumped on
    changed_at = NumberAttribute(null=True)
    # The `identity` facet (mysite.cache.FACETS): entries that only the user's own profile writes change.
    identity_token = UnicodeAttribute(null=True)
    identity_changed_at = NumberAttribute(null=True)


class IdempotencyRecord(Model):
    """The answer to one API create sent with an `Idempotency-Key`, kept 24 hours (TTL) to replay to its retries."""

    class Meta(BaseMeta):
        table_name = table_name("idempotency-keys")

    scope = UnicodeAttribute(hash_key=True)  # "<user sub> <METHOD> <path>"
    key = UnicodeAttribute(range_key=True)
    fingerprint = UnicodeAttribute()  # the request body's SHA-256: a key names one request, not any
    state = UnicodeAttribute(default="started")  # started | done
    started_at = NumberAttribute(default=0)
    status = NumberAttribute(null=True)
    body = UnicodeAttribute(null=True)
    etag = UnicodeAttribute(null=True)
    location = UnicodeAttribute(null=True)  # a 201's Location header
    expires_at = TTLAttribute()


class AttemptCounter(Model):
    """Attempts at one action by one subject (an account, a client address) in one fixed window; expires by TTL."""

    class Meta(BaseMeta):
        table_name = table_name("attempt-counters")

    key = UnicodeAttribute(hash_key=True)  # action|scope|sha256 of the subject|window number
    attempts = NumberAttribute(default=0)
    expires_at = TTLAttribute()
