"""Shared infrastructure tables: browser sessions and the local dispatcher's checkpoints."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, table_name


class SessionItem(Model):
    """A Django session; DynamoDB deletes it after `expires_at` (TTL)."""

    class Meta(BaseMeta):
        table_name = table_name("sessions")

    session_key = UnicodeAttribute(hash_key=True)
    data = UnicodeAttribute()
    expires_at = TTLAttribute()


class StreamCheckpoint(Model):
    """How far the local event dispatcher has read a source (a stream shard or the S3 event log)."""

    class Meta(BaseMeta):
        table_name = table_name("dispatcher-checkpoints")

    source = UnicodeAttribute(hash_key=True)
    position = UnicodeAttribute()
    updated_at = NumberAttribute(default=0)


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
    expires_at = TTLAttribute()
