"""The update catalog in DynamoDB: products, releases, artifacts, and each product's TUF repository.

Access patterns (no Scan anywhere):
- products list: GSI `by-kind` (one partition, `kind = "product"`), ordered by slug;
- releases of a product, newest first: Query on the table (range key = semver sort key);
- update check: GSI `by-channel` (`<product>#<channel>`, sort key) queried from the newest down;
- artifacts of a release / of a product: Query with `begins_with(<sort key>#)` / on the hash key;
- TUF metadata: GetItem by `(product, file name)`; the repository state is one item per product,
  and GSI `by-timestamp-expiry` gives the schedule the repositories whose timestamp falls due.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from mysite.dynamo import BaseMeta, global_index, table_name, utcnow


class Product(Model):
    class Meta(BaseMeta):
        table_name = table_name("update-products")

    slug = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    # Ordered from the most stable: a client on channels[i] is also offered channels[:i].
    channels = ListAttribute(of=UnicodeAttribute, default=lambda: ["stable", "beta", "nightly"])
    kind = UnicodeAttribute(default="product")
    created_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    # Every product in one partition, ordered by slug: the public and admin product lists.
    by_kind = global_index("by-kind", kind=UnicodeAttribute, slug=UnicodeAttribute)


class Release(Model):
    class Meta(BaseMeta):
        table_name = table_name("update-releases")

    product = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # SemVer.sort_key: byte order = precedence
    version_name = UnicodeAttribute()  # as written by the release manager, e.g. 2.0.0-beta.1
    channel = UnicodeAttribute()
    channel_key = UnicodeAttribute()  # "<product>#<channel>"
    status = UnicodeAttribute(default="draft")  # draft | published | paused | yanked
    notes = UnicodeAttribute(default="")
    critical = BooleanAttribute(default=False)
    minimum_version = UnicodeAttribute(null=True)
    rollout = NumberAttribute(default=100)
    created_at = UTCDateTimeAttribute(default=utcnow)
    published_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    # Releases of one product and channel by version precedence: the update check walks it newest first.
    by_channel = global_index("by-channel", channel_key=UnicodeAttribute, sort_key=UnicodeAttribute)


class Artifact(Model):
    class Meta(BaseMeta):
        table_name = table_name("update-artifacts")

    product = UnicodeAttribute(hash_key=True)
    artifact_key = UnicodeAttribute(range_key=True)  # "<release sort key>#<platform>"
    version_name = UnicodeAttribute()
    platform = UnicodeAttribute()
    filename = UnicodeAttribute()
    minimum_os_version = UnicodeAttribute(null=True)
    declared_size = NumberAttribute()
    declared_sha256 = UnicodeAttribute()
    upload_key = UnicodeAttribute()
    upload_id = UnicodeAttribute(null=True)  # S3 multipart upload id, when multipart
    status = UnicodeAttribute(default="pending")  # pending | ready | rejected
    rejection_reason = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    # electron-builder's latest*.yml carries SHA-512 (base64); Squirrel.Windows' RELEASES carries SHA-1 (hex).
    sha512 = UnicodeAttribute(null=True)
    sha1 = UnicodeAttribute(null=True)
    declared_sha512 = UnicodeAttribute(null=True)  # as the tool wrote it, checked against the stored bytes
    declared_sha1 = UnicodeAttribute(null=True)
    blockmap_key = UnicodeAttribute(null=True)  # electron-builder's blockmap, at `<key>.blockmap`
    signature = UnicodeAttribute(null=True)  # base64 Ed25519 over the artifact bytes
    key = UnicodeAttribute(null=True)  # content-addressed: artifacts/<sha256>/<filename>
    created_at = UTCDateTimeAttribute(default=utcnow)
    ready_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class TufRepository(Model):
    """The current version of each TUF role of one product; updated in the same transaction as its files."""

    class Meta(BaseMeta):
        table_name = table_name("update-tuf-repositories")

    product = UnicodeAttribute(hash_key=True)
    root_version = NumberAttribute(default=1)
    targets_version = NumberAttribute(default=0)
    snapshot_version = NumberAttribute(default=0)
    timestamp_version = NumberAttribute(default=0)
    timestamp_expires = UTCDateTimeAttribute()
    snapshot_expires = UTCDateTimeAttribute(null=True)
    targets_expires = UTCDateTimeAttribute(null=True)
    kind = UnicodeAttribute(default="tuf")
    updated_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    # Repositories by timestamp expiry: the re-signing schedule reads only those falling due.
    by_expiry = global_index("by-timestamp-expiry", kind=UnicodeAttribute, timestamp_expires=UTCDateTimeAttribute)


class TufFile(Model):
    """One signed metadata file (`3.targets.json`, `timestamp.json` ...), byte for byte as served."""

    class Meta(BaseMeta):
        table_name = table_name("update-tuf-files")

    product = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute()
    created_at = UTCDateTimeAttribute(default=utcnow)


class BeaconCounter(Model):
    """Sharded outcome counters of one release (or one artifact's CDN downloads), only ever changed by ADD.

    `counter` is `<product>#<release sort key>#<shard>` for client beacons (a burst spreads over
    BEACON_SHARDS partitions) and `cdn#<sha256>` for downloads counted from CDN logs; `cell` is
    `all#<platform>` or `d#<YYYY-MM-DD>#<platform>` (beacons), `all` or `d#<YYYY-MM-DD>` (CDN).
    Totals are a BatchGetItem over the shards; a release's days are one Query per shard.
    The same table keeps `cdnlog#<S3 key>` markers, so a redelivered log file counts nothing twice.
    """

    class Meta(BaseMeta):
        table_name = table_name("update-beacon-counters")

    counter = UnicodeAttribute(hash_key=True)
    cell = UnicodeAttribute(range_key=True)
    downloaded = NumberAttribute(null=True)
    installed = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    rolled_back = NumberAttribute(null=True)


class ReleaseRamp(Model):
    """A release's ramp schedule: rollout steps, their interval, and the failure rule that may halt it."""

    class Meta(BaseMeta):
        table_name = table_name("update-release-ramps")

    product = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # the release's
    version_name = UnicodeAttribute()
    steps = ListAttribute(of=NumberAttribute)  # rollout percentages, increasing, ending at 100
    step_index = NumberAttribute(default=0)
    interval_seconds = NumberAttribute()
    failure_threshold = NumberAttribute()  # halts when (failed + rolled back) / reports reaches it
    minimum_sample = NumberAttribute()  # reports needed before a step may be taken
    # Counts when the ramp started or was last resumed: the rule looks at the reports since then.
    baseline_reports = NumberAttribute(default=0)
    baseline_failures = NumberAttribute(default=0)
    state = UnicodeAttribute(default="ramping")  # ramping | halted | complete
    active = UnicodeAttribute(null=True)  # "ramp" while ramping: only then is it in the by-next-check index
    next_step_at = UTCDateTimeAttribute()
    next_check_at = UTCDateTimeAttribute(null=True)
    started_at = UTCDateTimeAttribute(default=utcnow)
    version = VersionAttribute()

    # Ramps still running, by when they are next looked at: the schedule reads only those due (sparse).
    by_next_check = global_index("by-next-check", active=UnicodeAttribute, next_check_at=UTCDateTimeAttribute)


class ReleaseHistoryEntry(Model):
    """One transition of a release (ramp steps, automatic halts, resumes), oldest first by `at`."""

    class Meta(BaseMeta):
        table_name = table_name("update-release-history")

    release = UnicodeAttribute(hash_key=True)  # "<product>#<release sort key>"
    at = UnicodeAttribute(range_key=True)  # ISO time + "#" + a random suffix: unique, in time order
    kind = UnicodeAttribute()  # ramp-started | ramp-advanced | ramp-held | ramp-halted | ramp-resumed | ramp-completed
    rollout = NumberAttribute()
    status = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    actor = UnicodeAttribute(default="schedule")
