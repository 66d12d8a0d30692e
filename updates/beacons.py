"""Outcome beacons: what clients report about an update, counted in sharded DynamoDB counters.

A beacon is product, version, platform and outcome, nothing else (no install id, no address:
the rate limit keeps only a hash of the address, for one window). Each beacon is one UpdateItem
`ADD` on a counter item chosen at random among BEACON_SHARDS partitions, so a burst after a
release spreads over many keys instead of throttling one, and concurrent ADDs never conflict
(no transaction, no read before the write). Reading a release's figures is one Query per shard.
Nothing is kept in process memory: right with any number of processes, threads and containers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings

from mysite import cache
from mysite.errors import InvalidInput
from mysite.throttling import Limit, attempt_throttle
from updates.constants import DRAFT, PLATFORMS
from updates.errors import ReleaseNotFound
from updates.models import BeaconCounter, Release
from updates.selectors import product_get
from updates.versions import SemVer

BEACON_SHARDS = 8
OUTCOMES = ("downloaded", "installed", "failed", "rolled-back")
# The attribute each outcome adds to (a Python name cannot hold the hyphen).
OUTCOME_ATTRIBUTES = {
    "downloaded": "downloaded",
    "installed": "installed",
    "failed": "failed",
    "rolled-back": "rolled_back",
}
# Beacons per client address and window; a client sends a handful per update, a flood is refused with 429.
DEFAULT_BEACON_LIMIT = Limit(30, 600)


def beacon_limit() -> Limit:
    configured = getattr(settings, "UPDATES_BEACON_LIMIT", None)
    return Limit(*configured) if configured else DEFAULT_BEACON_LIMIT


def beacon_throttle(*, client: str, now: float | None = None) -> None:
    """Count one beacon from `client` (an address); Throttled (429) once over the window's limit."""
    if not client:
        return
    attempt_throttle(action="beacon", scope="client", subject=client, limit=beacon_limit(), now=now)


def counter_key(*, product: str, sort_key: str, shard: int) -> str:
    return f"{product}#{sort_key}#{shard}"


def day_cell(day: date, platform: str) -> str:
    return f"d#{day.isoformat()}#{platform}"


def _reportable_release(*, product: str, version: str) -> Release:
    """The release a beacon is about, through the product's read cache; a draft or unknown version is 404."""
    parsed = SemVer.parse(version)
    product_get(slug=product)

    def load() -> Release | None:
        try:
            return Release.get(product, parsed.sort_key, consistent_read=True)
        except Release.DoesNotExist:
            return None

    release = cache.cached(scope=cache.product_scope(product), name=f"beacon-release:{parsed.sort_key}", compute=load)
    if release is None or release.status == DRAFT:
        raise ReleaseNotFound(f"No release {version} of {product} has been offered to clients.", field="version")
    return release


def beacon_record(
    *, product: str, version: str, platform: str, outcome: str, now: datetime | None = None, shard: int | None = None
) -> None:
    """Count one outcome of one release on one platform (unknown products, versions or platforms change nothing)."""
    if platform not in PLATFORMS:
        raise InvalidInput(f"Use one of {', '.join(PLATFORMS)}.", field="platform")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"Use one of {', '.join(OUTCOMES)}.", field="outcome")
    release = _reportable_release(product=product, version=version)
    day = (now or datetime.now(UTC)).astimezone(UTC).date()
    shard = random.randrange(BEACON_SHARDS) if shard is None else shard
    item = BeaconCounter(counter_key(product=product, sort_key=release.sort_key, shard=shard), day_cell(day, platform))
    attribute = getattr(BeaconCounter, OUTCOME_ATTRIBUTES[outcome])
    item.update(actions=[attribute.add(1)])


@dataclass
class OutcomeCounts:
    """Counts of one release: per day, platform and outcome, and the sums a ramp decides on."""

    by_day: dict[tuple[date, str], dict[str, int]] = field(default_factory=dict)

    def total(self, outcome: str, *, platform: str | None = None) -> int:
        cells = self.by_day.items()
        return sum(counts.get(outcome, 0) for (_, where), counts in cells if platform in (None, where))

    @property
    def reports(self) -> int:
        """Finished attempts: installed, failed or rolled back (a download alone decides nothing)."""
        return sum(self.total(outcome) for outcome in ("installed", "failed", "rolled-back"))

    @property
    def failures(self) -> int:
        return self.total("failed") + self.total("rolled-back")

    @property
    def failure_rate(self) -> float | None:
        return self.failures / self.reports if self.reports else None


def release_outcome_counts(*, product: str, sort_key: str, since: date | None = None) -> OutcomeCounts:
    """Every beacon count of a release, summed over the shards (one Query per shard; strongly consistent)."""
    totals: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    condition = BeaconCounter.cell >= f"d#{since.isoformat()}" if since else BeaconCounter.cell.startswith("d#")
    for shard in range(BEACON_SHARDS):
        key = counter_key(product=product, sort_key=sort_key, shard=shard)
        for item in BeaconCounter.query(key, condition, consistent_read=True):
            _, day_text, platform = item.cell.split("#", 2)
            counts = totals[(date.fromisoformat(day_text), platform)]
            for outcome, attribute in OUTCOME_ATTRIBUTES.items():
                counts[outcome] += int(getattr(item, attribute) or 0)
    return OutcomeCounts(by_day=dict(totals))
