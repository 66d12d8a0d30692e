"""What a client is offered: the bucketed check, the cacheable rollout ladder, the appcast's entries."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from updates.constants import DARWIN_PLATFORMS, PUBLISHED, READY
from updates.models import Artifact, Product, Release
from updates.selectors.catalog import (
    APPCAST_SIZE,
    OFFER_PAGE_SIZE,
    UNIVERSAL_PLATFORM,
    cached_answer,
    channel_check,
    platform_check,
    published_on,
)
from updates.versions import SemVer, os_version_tuple


def _ready_artifact(release: Release, platform: str) -> Artifact | None:
    try:
        artifact = Artifact.get(release.product, f"{release.sort_key}#{platform}")
    except DoesNotExist:
        return None
    return artifact if artifact.status == READY else None


def release_is_offered(*, release: Release, current: SemVer, bucket: int) -> bool:
    """Server-side rules a release must pass for this client (before its artifact is looked at)."""
    if release.status != PUBLISHED or bucket >= int(release.rollout):
        return False
    return not (release.minimum_version and current < SemVer.parse(release.minimum_version))


def _os_allows(artifact: Artifact, os_version: tuple[int, ...] | None) -> bool:
    if os_version is None or not artifact.minimum_os_version:
        return True
    return os_version >= os_version_tuple(artifact.minimum_os_version)


@dataclass(frozen=True)
class Offer:
    release: Release
    artifact: Artifact


def release_offer(
    *,
    product: Product,
    channel: str,
    platform: str,
    current: SemVer,
    bucket: int,
    os_version: tuple[int, ...] | None = None,
    universal: bool = False,
) -> Offer | None:
    """The newest release this client may move to (None: up to date), through the read cache.

    With `universal`, a Mac on x64 or arm64 gets a newer universal build (update.electronjs.org's rule):
    the arch build wins when both have the same version; a universal build only replaces an older one.
    """

    def offer_for(platform: str) -> Offer | None:
        name = f"offer:{channel}:{platform}:{current.sort_key}:{bucket}:{os_version}"
        return cached_answer(
            product.slug, name, lambda: _release_offer(product, channel, platform, current, bucket, os_version)
        )

    offer = offer_for(platform)
    if not universal or platform not in DARWIN_PLATFORMS or platform == UNIVERSAL_PLATFORM:
        return offer
    universal_offer = offer_for(UNIVERSAL_PLATFORM)
    if universal_offer is not None and (offer is None or universal_offer.release.sort_key > offer.release.sort_key):
        return universal_offer
    return offer


def _release_offer(
    product: Product, channel: str, platform: str, current: SemVer, bucket: int, os_version: tuple[int, ...] | None
) -> Offer | None:
    """The newest release this client may move to, or None when it is up to date.

    Each inherited channel is walked newest first from the GSI, stopping at the first
    release offered to this client (rollout bucket, minimum version, a ready artifact
    for the platform and OS); the best across channels wins.
    """
    best: Offer | None = None
    for name in channel_check(product=product, channel=channel):
        newer = _releases_newer_than(product=product, channel=name, current=current)
        for release in newer:
            if best is not None and release.sort_key <= best.release.sort_key:
                break
            if not release_is_offered(release=release, current=current, bucket=bucket):
                continue
            artifact = _ready_artifact(release, platform)
            if artifact is not None and _os_allows(artifact, os_version):
                best = Offer(release, artifact)
                break
    return best


def release_rollout_ladder(*, product: Product, channel: str, platform: str, current: SemVer) -> list[Offer]:
    """Every offer any client on this version may get, newest first, through the read cache (the cacheable form).

    A client takes the first offer whose rollout is above its bucket and whose minimum OS it meets
    (`rollout_ladder_pick`): exactly what `release_offer` answers for that bucket and OS, so the
    answer needs neither in its URL. Offers no client could reach (one above reaches all of theirs) are left out.
    """
    return cached_answer(
        product.slug,
        f"ladder:{channel}:{platform}:{current.sort_key}",
        lambda: _release_rollout_ladder(product=product, channel=channel, platform=platform, current=current),
    )


def _minimum_os(offer: Offer) -> tuple[int, ...]:
    minimum = offer.artifact.minimum_os_version
    return os_version_tuple(minimum) if minimum else ()


def _reaches_everyone_of(upper: Offer, lower: Offer) -> bool:
    """Whether every client `lower` would reach is reached by `upper` (a wider rollout, no stricter OS)."""
    return int(upper.release.rollout) >= int(lower.release.rollout) and _minimum_os(upper) <= _minimum_os(lower)


def _reaches_everyone(offer: Offer) -> bool:
    return int(offer.release.rollout) >= 100 and not offer.artifact.minimum_os_version


def _releases_newer_than(*, product: Product, channel: str, current: SemVer):
    """The channel's releases above `current`, newest first, read in small pages (a check stops early)."""
    return Release.by_channel.query(
        f"{product.slug}#{channel}",
        Release.sort_key > current.sort_key,
        scan_index_forward=False,
        page_size=OFFER_PAGE_SIZE,
    )


def _release_rollout_ladder(*, product: Product, channel: str, platform: str, current: SemVer) -> list[Offer]:
    candidates: list[Offer] = []
    for name in channel_check(product=product, channel=channel):
        newer = _releases_newer_than(product=product, channel=name, current=current)
        for release in newer:
            # The bucket-free half of release_is_offered; the bucket is the client's to apply.
            if release.status != PUBLISHED or int(release.rollout) <= 0:
                continue
            if release.minimum_version and current < SemVer.parse(release.minimum_version):
                continue
            artifact = _ready_artifact(release, platform)
            if artifact is None:
                continue
            candidates.append(Offer(release, artifact))
            if _reaches_everyone(candidates[-1]):
                break  # older releases of this channel reach nobody this one does not
    candidates.sort(key=lambda offer: offer.release.sort_key, reverse=True)
    ladder: list[Offer] = []
    for offer in candidates:
        if any(_reaches_everyone_of(kept, offer) for kept in ladder):
            continue
        ladder.append(offer)
        if _reaches_everyone(offer):
            break
    return ladder


def rollout_ladder_pick(ladder: list[Offer], *, bucket: int, os_version: tuple[int, ...] | None) -> Offer | None:
    """The client's half of the cacheable form: the first offer above its bucket that its OS can run."""
    return next(
        (o for o in ladder if bucket < int(o.release.rollout) and _os_allows(o.artifact, os_version)),
        None,
    )


def appcast_entries(
    *, product: Product, channel: str, platform: str | None = None, bucket: int | None = None, limit: int = APPCAST_SIZE
) -> list[Offer]:
    """Published macOS releases for a Sparkle feed, newest first; with a bucket, only those offered to it."""
    return cached_answer(
        product.slug,
        f"appcast:{channel}:{platform}:{bucket}:{limit}",
        lambda: _appcast_entries(product=product, channel=channel, platform=platform, bucket=bucket, limit=limit),
    )


def _appcast_entries(
    *, product: Product, channel: str, platform: str | None = None, bucket: int | None = None, limit: int = APPCAST_SIZE
) -> list[Offer]:
    channels = channel_check(product=product, channel=channel)
    platforms = (platform_check(platform=platform),) if platform else DARWIN_PLATFORMS
    releases = [
        release for release in published_on(product, channels, limit) if bucket is None or bucket < int(release.rollout)
    ]
    # One BatchGetItem for every candidate artifact, not a GetItem per release and platform.
    keys = [(product.slug, f"{release.sort_key}#{p}") for release in releases for p in platforms]
    ready = {a.artifact_key: a for a in Artifact.batch_get(keys) if a.status == READY} if keys else {}
    entries = []
    for release in releases:
        artifact = next(filter(None, (ready.get(f"{release.sort_key}#{p}") for p in platforms)), None)
        if artifact is not None:
            entries.append(Offer(release, artifact))
    return entries
