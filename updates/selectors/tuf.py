"""The TUF repository's reads: which releases its targets list, its signed files, target checks."""

from __future__ import annotations

import json

from pynamodb.exceptions import DoesNotExist

from updates.constants import PLATFORMS, PUBLISHED, READY
from updates.errors import (
    TufFileNotFound,
)
from updates.models import Artifact, Product, Release, TufFile, TufRepository
from updates.selectors.catalog import TUF_RELEASES_PER_CHANNEL, cached_answer


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
