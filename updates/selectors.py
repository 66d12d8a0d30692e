"""Reads of the update catalog; every one is a GetItem or a Query on a key or GSI."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from mysite import cache
from mysite.dynamo import decode_cursor, page
from updates.constants import DARWIN_PLATFORMS, PAUSED, PLATFORMS, PUBLISHED, READY, YANKED
from updates.errors import (
    ArtifactNotFound,
    ChannelNotFound,
    PlatformNotFound,
    ProductNotFound,
    ReleaseNotFound,
    TufFileNotFound,
)
from updates.models import Artifact, Product, Release, TufFile, TufRepository
from updates.versions import SemVer, os_version_tuple

UNIVERSAL_PLATFORM = DARWIN_PLATFORMS[0]
# The newest published releases per channel that the appcast and the TUF targets list (see
# docs/updates-protocols.md): Sparkle installs the newest it may, TUF clients fetch the target they are sent to.
APPCAST_SIZE = 20
TUF_RELEASES_PER_CHANNEL = 20
# Update checks walk a channel newest first and nearly always stop at the first release: read it in small pages.
OFFER_PAGE_SIZE = 5
# The product item and every client answer about it (offers, appcast entries, TUF files) are
# kept under the product's read-cache scope: one stamp GetItem per warm request, and any
# catalog write replaces the stamp in its own transaction (mysite.cache).


def catalog_changed_in(transaction: TransactWrite, *, product: str) -> None:
    """Make `transaction` start a new generation of every cached answer about `product`."""
    cache.stamp_bump(transaction, cache.product_scope(product))


def catalog_changed(*, product: str) -> None:
    """Start a new generation of every cached answer about `product`, on every container."""
    cache.stamp_bump_now(cache.product_scope(product))


def cached_answer(product: str, name: str, compute):
    """`compute()` under the product's read-cache scope: right on every container until the next catalog write."""
    return cache.cached(scope=cache.product_scope(product), name=name, compute=compute)


def product_get(*, slug: str) -> Product:
    """The product, through the read cache (update checks read it on every request)."""

    def load() -> Product | None:
        try:
            return Product.get(slug, consistent_read=True)
        except DoesNotExist:
            return None

    product = cached_answer(slug, "product", load)
    if product is None:
        raise ProductNotFound()
    return product


def products_list(*, cursor: str | None = None, limit: int = 50) -> tuple[list[Product], str | None]:
    results = Product.by_kind.query("product", limit=limit, last_evaluated_key=decode_cursor(cursor))
    return page(results, limit=limit)


def channel_check(*, product: Product, channel: str) -> list[str]:
    """The channels a client on `channel` is offered, most stable first; 404 for an unknown one."""
    if channel not in product.channels:
        raise ChannelNotFound(f"{product.name} has no channel “{channel}”.")
    return list(product.channels[: product.channels.index(channel) + 1])


def platform_check(*, platform: str) -> str:
    if platform not in PLATFORMS:
        raise PlatformNotFound(f"Unknown platform “{platform}”; use one of {', '.join(PLATFORMS)}.")
    return platform


def release_get(*, product: str, version: str) -> Release:
    parsed = SemVer.parse(version)
    try:
        return Release.get(product, parsed.sort_key, consistent_read=True)
    except DoesNotExist:
        raise ReleaseNotFound(f"No release {version} of {product}.") from None


def releases_list(
    *, product: str, cursor: str | None = None, limit: int = 25, status: str | None = None
) -> tuple[list[Release], str | None]:
    """Releases of a product, newest version first; optionally only those in `status`."""
    condition = Release.status == status if status else None
    results = Release.query(
        product,
        scan_index_forward=False,
        filter_condition=condition,
        limit=limit,
        last_evaluated_key=decode_cursor(cursor),
    )
    return page(results, limit=limit)


def release_artifacts(*, release: Release) -> list[Artifact]:
    return list(Artifact.query(release.product, Artifact.artifact_key.startswith(f"{release.sort_key}#")))


def artifact_get(*, release: Release, platform: str) -> Artifact:
    try:
        return Artifact.get(release.product, f"{release.sort_key}#{platform}", consistent_read=True)
    except DoesNotExist:
        raise ArtifactNotFound(f"Release {release.version_name} has no {platform} artifact.") from None


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
) -> Offer | None:
    """The newest release this client may move to (None: up to date), through the read cache."""
    name = f"offer:{channel}:{platform}:{current.sort_key}:{bucket}:{os_version}"
    return cached_answer(
        product.slug,
        name,
        lambda: _release_offer(
            product=product, channel=channel, platform=platform, current=current, bucket=bucket, os_version=os_version
        ),
    )


def release_offer_or_universal(
    *,
    product: Product,
    channel: str,
    platform: str,
    current: SemVer,
    bucket: int,
    os_version: tuple[int, ...] | None = None,
) -> Offer | None:
    """`release_offer`, except that a Mac on x64 or arm64 gets a newer universal build (update.electronjs.org's rule).

    The arch build wins when both have the same version; a universal build only replaces an older one.
    """
    rules = {"product": product, "channel": channel, "current": current, "bucket": bucket, "os_version": os_version}
    offer = release_offer(platform=platform, **rules)
    if platform not in DARWIN_PLATFORMS or platform == UNIVERSAL_PLATFORM:
        return offer
    universal = release_offer(platform=UNIVERSAL_PLATFORM, **rules)
    if universal is not None and (offer is None or universal.release.sort_key > offer.release.sort_key):
        return universal
    return offer


def _release_offer(
    *,
    product: Product,
    channel: str,
    platform: str,
    current: SemVer,
    bucket: int,
    os_version: tuple[int, ...] | None = None,
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


def published_on(product: Product, channels: Iterable[str], limit: int) -> list[Release]:
    """The newest `limit` published releases of these channels, newest first (one Query per channel)."""
    found: list[Release] = []
    for name in channels:
        found += list(
            Release.by_channel.query(
                f"{product.slug}#{name}",
                scan_index_forward=False,
                filter_condition=Release.status == PUBLISHED,
                limit=limit,
            )
        )
    return sorted(found, key=lambda release: release.sort_key, reverse=True)[:limit]


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


def releases_public(*, product: Product, cursor: str | None = None, limit: int = 10) -> tuple[list, str | None]:
    """Published releases with their ready artifacts, for the public product page."""
    releases, next_cursor = releases_list(product=product.slug, cursor=cursor, limit=limit, status=PUBLISHED)
    rows = []
    for release in releases:
        artifacts = [a for a in release_artifacts(release=release) if a.status == READY]
        rows.append((release, sorted(artifacts, key=lambda a: PLATFORMS.index(a.platform))))
    return rows, next_cursor


def tuf_targets_source(*, product: str, changed: Release | None = None) -> list[tuple[Release, Artifact]]:
    """The ready artifacts of the newest published releases of each channel (`changed` overrides its stored self).

    TUF lets a repository retire targets from the top-level targets role: a release more than
    TUF_RELEASES_PER_CHANNEL behind the newest of its channel is superseded and no client is moved
    to it, so it leaves the metadata (yanked and paused ones leave at once). The metadata, and what
    building it reads, stay the same size however many releases the product has had.
    """
    try:
        channels = list(Product.get(product, consistent_read=True).channels)
    except DoesNotExist:
        channels = []
    if changed is not None and changed.channel not in channels:
        channels.append(changed.channel)
    retained: list[Release] = []
    for channel in channels:
        newest = {
            release.sort_key: release
            for release in Release.by_channel.query(
                f"{product}#{channel}",
                scan_index_forward=False,
                filter_condition=Release.status == PUBLISHED,
                limit=TUF_RELEASES_PER_CHANNEL + 1,  # one more: `changed` may have just left the channel's newest
            )
        }
        if changed is not None and changed.channel == channel:
            newest[changed.sort_key] = changed
        published = sorted((r for r in newest.values() if r.status == PUBLISHED), key=lambda r: r.sort_key)
        retained += published[::-1][:TUF_RELEASES_PER_CHANNEL]
    by_key = {release.sort_key: release for release in retained}
    keys = [(product, f"{release.sort_key}#{platform}") for release in retained for platform in PLATFORMS]
    pairs = []
    for artifact in Artifact.batch_get(keys) if keys else []:
        release = by_key.get(artifact.artifact_key.rsplit("#", 1)[0])
        if release is not None and artifact.status == READY:
            pairs.append((release, artifact))
    return sorted(pairs, key=lambda pair: pair[1].artifact_key)


def tuf_file_get(*, product: str, name: str) -> str:
    body = cached_answer(product, f"tuf:{name}", lambda: _tuf_file_body(product, name))
    if body is None:
        raise TufFileNotFound()
    return body


def tuf_listed_targets(*, product: str) -> dict[str, tuple[str, int]]:
    """Target path -> (sha256, length) as the product's current targets metadata lists them, through the read cache."""
    return cached_answer(product, "tuf:listed-targets", lambda: _tuf_listed_targets(product))


def _tuf_listed_targets(product: str) -> dict[str, tuple[str, int]]:
    try:
        state = TufRepository.get(product, consistent_read=True)
    except DoesNotExist:
        return {}
    body = _tuf_file_body(product, f"{int(state.targets_version)}.targets.json")
    if body is None:
        return {}
    listed = json.loads(body)["signed"]["targets"]
    return {path: (target["hashes"]["sha256"], int(target["length"])) for path, target in listed.items()}


def tuf_target_check(*, product: str, path: str) -> tuple[str, str]:
    """(sha256, filename) of a consistent-snapshot target name `<dir>/<sha256>.<file>` the metadata lists; else 404."""
    directory, _, basename = path.rpartition("/")
    sha256, _, filename = basename.partition(".")
    listed = tuf_listed_targets(product=product).get(f"{directory}/{filename}" if directory else filename)
    if listed is None or listed[0] != sha256:
        raise TufFileNotFound("No such target.")
    return sha256, filename


def _tuf_file_body(product: str, name: str) -> str | None:
    try:
        return TufFile.get(product, name).body
    except DoesNotExist:
        return None


def newest_on_channel(*, product: str, channel: str, at_least: SemVer) -> Release | None:
    """A non-draft release on `channel` whose version is >= `at_least`, newest first."""
    results = Release.by_channel.query(
        f"{product}#{channel}",
        Release.sort_key >= at_least.sort_key,
        scan_index_forward=False,
        filter_condition=Release.status.is_in(PUBLISHED, PAUSED, YANKED),
        page_size=OFFER_PAGE_SIZE,
    )
    return next(iter(results), None)
