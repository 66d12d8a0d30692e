"""Squirrel.Windows' RELEASES and electron-builder's latest*.yml, answered from the catalog.

Squirrel.Windows (`RELEASES`, one line per package: `SHA1 URL size`) takes the newest entry above the
installed version; the line lists the release the server offers this client (its rollout bucket in the
feed URL, as on the electron endpoint). electron-updater's generic provider reads `<channel>.yml`,
`<channel>-mac.yml`, `<channel>-linux.yml` or `<channel>-linux-arm64.yml` (no installed version, no
bucket in the URL) and applies `stagingPercentage` itself with its own random install id, so the file
names the newest published release with its rollout as the percentage (docs/updates-protocols.md).
"""

from __future__ import annotations

import json

from pynamodb.exceptions import DoesNotExist

from updates.constants import DARWIN_PLATFORMS, PAUSED, PUBLISHED, READY, YANKED
from updates.errors import ArtifactNotFound, ArtifactWithdrawn
from updates.models import Artifact, Product, Release
from updates.selectors import (
    APPCAST_SIZE,
    Offer,
    cached_answer,
    channel_check,
    published_on,
    release_artifacts,
    release_get,
    release_offer,
)
from updates.services.blockmaps import BLOCKMAP_SUFFIX
from updates.versions import SemVer

# electron-updater's names: `latest` is the product's most stable channel, others keep their names.
ELECTRON_BUILDER_FILES = {
    "": ("windows-x64",),
    "-mac": DARWIN_PLATFORMS,
    "-linux": ("linux-x64",),
    "-linux-arm64": ("linux-arm64",),
}
# What each platform's electron-builder target uploads (Squirrel.Windows' packages are .nupkg, its own feed).
ELECTRON_BUILDER_SUFFIXES = {"windows": (".exe",), "darwin": (".zip",), "linux": (".AppImage", ".deb", ".rpm")}
NUPKG = ".nupkg"


def electron_builder_file(product: Product, name: str) -> tuple[str, tuple[str, ...]] | None:
    """(catalog channel, platforms) for a file name such as `latest-mac.yml` or `beta.yml`; None if unknown."""
    if not name.endswith(".yml"):
        return None
    stem = name.removesuffix(".yml")
    suffix = next(s for s in ("-linux-arm64", "-linux", "-mac", "") if stem.endswith(s))
    channel = stem.removesuffix(suffix) if suffix else stem
    channel = product.channels[0] if channel == "latest" else channel
    return (channel, ELECTRON_BUILDER_FILES[suffix]) if channel in product.channels else None


def _builder_artifact(artifact: Artifact) -> bool:
    family = artifact.platform.split("-")[0]
    return bool(artifact.sha512) and artifact.filename.endswith(ELECTRON_BUILDER_SUFFIXES.get(family, ()))


def electron_builder_release(*, product: Product, channel: str, platforms: tuple[str, ...]) -> list[Offer]:
    """The newest published release of the channel (and those above it) with electron-builder files; through the cache.

    One Offer per file of that release (a Mac release may carry universal, arm64 and x64 zips).
    """
    return cached_answer(
        product.slug,
        f"electron-builder:{channel}:{','.join(platforms)}",
        lambda: _electron_builder_release(product=product, channel=channel, platforms=platforms),
    )


def _electron_builder_release(*, product: Product, channel: str, platforms: tuple[str, ...]) -> list[Offer]:
    channels = channel_check(product=product, channel=channel)
    releases = [r for r in published_on(product, channels, APPCAST_SIZE) if int(r.rollout) > 0]
    keys = [(product.slug, f"{release.sort_key}#{p}") for release in releases for p in platforms]
    found = {a.artifact_key: a for a in Artifact.batch_get(keys) if a.status == READY} if keys else {}
    for release in releases:  # newest first
        files = [found.get(f"{release.sort_key}#{p}") for p in platforms]
        files = [a for a in files if a is not None and _builder_artifact(a)]
        if files:
            return [Offer(release, artifact) for artifact in files]
    return []


def _scalar(value) -> str:
    """A YAML scalar: JSON's double-quoted strings and numbers are YAML 1.2 (and js-yaml) scalars."""
    return json.dumps(value, ensure_ascii=False)


def latest_yml(offers: list[Offer], urls: list[str]) -> str:
    """electron-builder's update info: version, files [{url, sha512, size}], path, sha512, releaseDate, staging."""
    release = offers[0].release
    lines = [f"version: {_scalar(release.version_name)}", "files:"]
    for offer, url in zip(offers, urls, strict=True):
        lines += [f"  - url: {_scalar(url)}", f"    sha512: {_scalar(offer.artifact.sha512)}"]
        lines.append(f"    size: {int(offer.artifact.size)}")
    lines += [f"path: {_scalar(urls[0])}", f"sha512: {_scalar(offers[0].artifact.sha512)}"]
    lines.append(f"releaseDate: {_scalar(release.published_at.strftime('%Y-%m-%dT%H:%M:%S.000Z'))}")
    if release.notes:
        lines.append(f"releaseNotes: {_scalar(release.notes)}")
    if int(release.rollout) < 100:
        lines.append(f"stagingPercentage: {int(release.rollout)}")
    return "\n".join(lines) + "\n"


def squirrel_windows_entry(artifact: Artifact, url: str) -> str | None:
    """One RELEASES line, `SHA1 URL size`, for a Windows artifact that is a Squirrel package; None otherwise."""
    if not artifact.filename.endswith(NUPKG) or not artifact.sha1:
        return None
    return f"{artifact.sha1} {url} {int(artifact.size)}"


def squirrel_windows_package(
    *, product: Product, channel: str, platform: str, current: SemVer, bucket: int, os_version: tuple[int, ...] | None
) -> Artifact | None:
    """The package RELEASES lists: the offer's; when up to date, the installed release's own (Squirrel wants a line)."""
    offer = release_offer(
        product=product, channel=channel, platform=platform, current=current, bucket=bucket, os_version=os_version
    )
    if offer is not None:
        return offer.artifact
    return cached_answer(
        product.slug,
        f"squirrel-installed:{platform}:{current.sort_key}",
        lambda: _installed_package(product.slug, platform, current),
    )


def _installed_package(product: str, platform: str, current: SemVer) -> Artifact | None:
    """Squirrel only takes lines above its version, so its own is a harmless answer; not a yanked one's."""
    try:
        release = Release.get(product, current.sort_key, consistent_read=True)
        artifact = Artifact.get(product, f"{current.sort_key}#{platform}", consistent_read=True)
    except DoesNotExist:
        return None
    return artifact if release.status in (PUBLISHED, PAUSED) and artifact.status == READY else None


def electron_builder_download(*, product: Product, version: str, filename: str) -> tuple[Artifact, bool]:
    """(artifact, is its blockmap) named by `<version>/<file>[.blockmap]`, the URL form electron-updater needs.

    electron-updater finds the installed version's blockmap by writing that version into the new file's
    URL path, so latest*.yml names files by version and file name; each redirects to its content address.
    Yanked: 410; drafts and unknown names: 404.
    """
    parsed = SemVer.parse(version)
    status, artifacts = cached_answer(
        product.slug, f"electron-builder-files:{parsed.sort_key}", lambda: _release_files(product.slug, version)
    )
    if status == YANKED:
        raise ArtifactWithdrawn()
    blockmap = filename.endswith(BLOCKMAP_SUFFIX)
    name = filename.removesuffix(BLOCKMAP_SUFFIX) if blockmap else filename
    artifact = next((a for a in artifacts if a.filename == name and (a.blockmap_key or not blockmap)), None)
    if status not in (PUBLISHED, PAUSED) or artifact is None:
        raise ArtifactNotFound()
    return artifact, blockmap


def _release_files(product: str, version: str) -> tuple[str, list[Artifact]]:
    release = release_get(product=product, version=version)
    return release.status, [a for a in release_artifacts(release=release) if a.status == READY]
