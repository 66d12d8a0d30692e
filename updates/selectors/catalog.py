"""Reads of products, releases and artifacts, and the product-scoped read cache every answer goes through."""

from __future__ import annotations

from collections.abc import Iterable

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
)
from updates.models import Artifact, Product, Release
from updates.versions import SemVer

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
    start = decode_cursor(cursor, scope="updates.products")
    results = Product.by_kind.query("product", limit=limit, last_evaluated_key=start)
    return page(results, limit=limit, scope="updates.products")


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
    scope = f"updates.releases:{product}:{status or ''}"
    start = decode_cursor(cursor, scope=scope)
    results = Release.query(
        product, scan_index_forward=False, filter_condition=condition, limit=limit, last_evaluated_key=start
    )
    return page(results, limit=limit, scope=scope)


def release_artifacts(*, release: Release) -> list[Artifact]:
    return list(Artifact.query(release.product, Artifact.artifact_key.startswith(f"{release.sort_key}#")))


def artifact_get(*, release: Release, platform: str) -> Artifact:
    try:
        return Artifact.get(release.product, f"{release.sort_key}#{platform}", consistent_read=True)
    except DoesNotExist:
        raise ArtifactNotFound(f"Release {release.version_name} has no {platform} artifact.") from None


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


def releases_public(*, product: Product, cursor: str | None = None, limit: int = 10) -> tuple[list, str | None]:
    """Published releases with their ready artifacts, for the public product page."""
    releases, next_cursor = releases_list(product=product.slug, cursor=cursor, limit=limit, status=PUBLISHED)
    rows = []
    for release in releases:
        artifacts = [a for a in release_artifacts(release=release) if a.status == READY]
        rows.append((release, sorted(artifacts, key=lambda a: PLATFORMS.index(a.platform))))
    return rows, next_cursor


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
