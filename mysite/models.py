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


class CacheStamp(Model):
    """The generation stamp of one read-cache scope (see mysite.cache): replaced by every write to it."""

    class Meta(BaseMeta):
        table_name = table_name("cache-stamps")

    scope = UnicodeAttribute(hash_key=True)
    token = UnicodeAttribute()
    changed_at = NumberAttribute()
