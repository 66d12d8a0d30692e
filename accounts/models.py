"""Profiles of confirmed users (their Stream drives the welcome email) and the readers-list counts."""

from __future__ import annotations

import hashlib

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.indexes import KeysOnlyProjection
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, global_index, table_name, utcnow

# The readers list is spread over this many partitions of `by-joined`, by a hash of the sub, so
# sign-ups write to (and the list reads from) no single partition key; `profile`, the one partition
# of profiles created before, is read as one more shard.
READER_SHARDS = 8
LEGACY_READER_SHARD = "profile"


def reader_shard(sub: str) -> str:
    """The `by-joined` partition of the profile of `sub`: `profile#0` .. `profile#7`."""
    return f"profile#{int.from_bytes(hashlib.sha256(sub.encode()).digest()[:4]) % READER_SHARDS}"


def reader_shards() -> list[str]:
    """Every `by-joined` partition the readers list merges."""
    return [LEGACY_READER_SHARD] + [f"profile#{n}" for n in range(READER_SHARDS)]


class Profile(Model):
    class Meta(BaseMeta):
        table_name = table_name("profiles")
        stream_view_type = "NEW_IMAGE"

    sub = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    display_name = UnicodeAttribute()
    kind = UnicodeAttribute()  # the readers-list shard, set from the sub when the profile is made
    joined_at = UTCDateTimeAttribute(default=utcnow)
    welcome_email_sent_at = UTCDateTimeAttribute(null=True)  # written after the send
    welcome_claimed_until = UTCDateTimeAttribute(null=True)  # a delivery's lease on the send
    welcome_claim_open = UnicodeAttribute(null=True)  # "open" while claimed and unsent: puts it in the index
    # Tokens first issued (`auth_time`) before this second are refused: set by a password reset and by
    # signing out everywhere.
    tokens_valid_after = UTCDateTimeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)  # IANA name; dates typed in words ("tomorrow 9am") are read in it
    version = VersionAttribute()

    # Profiles newest first within each of the readers list's shards (`kind`, see `reader_shard`).
    by_joined = global_index("by-joined", kind=UnicodeAttribute, joined_at=UTCDateTimeAttribute)
    # Sparse: only profiles whose welcome email is claimed and not yet sent, by the end of the claim's lease.
    open_welcome_claims = global_index(
        "by-open-welcome-claim",
        welcome_claim_open=UnicodeAttribute,
        welcome_claimed_until=UTCDateTimeAttribute,
        projection=KeysOnlyProjection(),
    )

    def __init__(self, hash_key=None, range_key=None, _user_instantiated: bool = True, **attributes) -> None:
        if _user_instantiated and hash_key is not None:
            attributes.setdefault("kind", reader_shard(hash_key))
        super().__init__(hash_key, range_key, _user_instantiated, **attributes)


class ReaderCount(Model):
    """How many profiles one readers-list shard holds, added to in the transaction that creates a profile."""

    class Meta(BaseMeta):
        table_name = table_name("reader-counts")

    shard = UnicodeAttribute(hash_key=True)  # a `by-joined` partition: `profile#0` .. `profile#7`, `profile`
    profiles = NumberAttribute(default=0)
