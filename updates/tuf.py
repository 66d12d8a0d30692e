"""The Update Framework (spec 1.0) repository of one product, built with `tuf.api.metadata`.

Design: each signed file is stored byte for byte in DynamoDB (`TufFile`, keyed by
its served name: `1.root.json`, `7.targets.json`, `7.snapshot.json`,
`timestamp.json`) next to one `TufRepository` item holding the current version
of every role. A change writes the new files and the new state in the same
`TransactWrite` as the catalog change that caused it (conditioned on the state's
VersionAttribute), so clients see either the old repository or the new one, never
a mix, and two concurrent publications cannot both claim version N+1.
Consistent snapshots make every file but `timestamp.json` immutable, so a CDN
may keep them forever; the timestamp is short-lived and re-signed on a schedule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

from updates import tuf_keys
from updates.models import Artifact, Release, TufFile, TufRepository

ROOT_LIFETIME = timedelta(days=365)
TARGETS_LIFETIME = timedelta(days=90)
SNAPSHOT_LIFETIME = timedelta(days=7)
TIMESTAMP_LIFETIME = timedelta(days=1)
# A role is re-signed by the schedule once less than this share of its lifetime is left.
RENEW_FRACTION = 0.5
ROLES = ("root", "targets", "snapshot", "timestamp")


def target_path(artifact: Artifact) -> str:
    """The TUF target name; with consistent snapshots it is fetched as `<platform>/<version>/<sha256>.<file>`."""
    return f"{artifact.platform}/{artifact.version_name}/{artifact.filename}"


def _expiry(now: datetime, lifetime: timedelta) -> datetime:
    return (now + lifetime).replace(microsecond=0)


def _serialize(signed, signer) -> bytes:
    metadata = Metadata(signed)
    metadata.sign(signer)
    return metadata.to_bytes(JSONSerializer(compact=True))


@dataclass
class RepositoryChange:
    """The state item and files that one transaction writes."""

    state: TufRepository
    files: list[TufFile]
    is_new: bool


def _root(now: datetime) -> Root:
    # The bootstrap root: one online key per role (none of them the artifact key); `manage.py tuf_root`
    # then takes root offline by publishing 2.root.json signed by this root and by the offline keys.
    root = Root(version=1, expires=_expiry(now, ROOT_LIFETIME), consistent_snapshot=True)
    for role, key in tuf_keys.bootstrap_root_keys().items():
        root.add_key(key, role)
    return root


def current_root(product: str, state: TufRepository) -> Root:
    """The root the product's clients trust now (its newest version)."""
    return Metadata[Root].from_bytes(TufFile.get(product, f"{int(state.root_version)}.root.json").body.encode()).signed


def _targets(published: list[tuple[Release, Artifact]], version: int, now: datetime) -> Targets:
    targets = Targets(version=version, expires=_expiry(now, TARGETS_LIFETIME))
    for release, artifact in published:
        path = target_path(artifact)
        targets.targets[path] = TargetFile(
            length=int(artifact.size),
            hashes={"sha256": artifact.sha256},
            path=path,
            unrecognized_fields={
                "custom": {
                    "version": release.version_name,
                    "channel": release.channel,
                    "platform": artifact.platform,
                    "critical": bool(release.critical),
                    "ed25519_signature": artifact.signature,
                    # The rollout rules, for the client to apply as it would the cacheable JSON check's.
                    "rollout": int(release.rollout),
                    "minimum_version": release.minimum_version,
                    "minimum_os_version": artifact.minimum_os_version,
                }
            },
        )
    return targets


def repository_change(
    *,
    product: str,
    state: TufRepository | None,
    published: list[tuple[Release, Artifact]] | None,
    now: datetime | None = None,
    renew_snapshot: bool = True,
    new_root: Metadata[Root] | None = None,
) -> RepositoryChange:
    """New targets (when `published` is given), snapshot and timestamp for `product`, signed by the root's keys.

    `new_root` (signed offline) becomes the next root version in the same change.
    """
    now = now or datetime.now(UTC)
    is_new = state is None
    files: list[TufFile] = []
    if state is None:
        state = TufRepository(product)
        root = _root(now)
        root_bytes = _serialize(root, tuf_keys.online_signers(tuf_keys.BOOTSTRAP_ROOT)[0]).decode()
        files += [TufFile(product, "1.root.json", body=root_bytes), TufFile(product, "root.json", body=root_bytes)]
        published = published or []
    elif new_root is not None:
        root = new_root.signed
        root_bytes = new_root.to_bytes(JSONSerializer(compact=True)).decode()
        state.root_version = root.version
        files += [
            TufFile(product, f"{root.version}.root.json", body=root_bytes),
            TufFile(product, "root.json", body=root_bytes),
        ]
    else:
        root = current_root(product, state)
    if published is not None:
        state.targets_version = int(state.targets_version) + 1
        state.targets_expires = _expiry(now, TARGETS_LIFETIME)
        targets = _targets(published, int(state.targets_version), now)
        body = _serialize(targets, tuf_keys.online_signer("targets", root)).decode()
        files.append(TufFile(product, f"{state.targets_version}.targets.json", body=body))
        renew_snapshot = True
    if renew_snapshot:
        state.snapshot_version = int(state.snapshot_version) + 1
        state.snapshot_expires = _expiry(now, SNAPSHOT_LIFETIME)
        snapshot = Snapshot(
            version=int(state.snapshot_version),
            expires=state.snapshot_expires,
            meta={"targets.json": MetaFile(version=int(state.targets_version))},
        )
        snapshot_body = _serialize(snapshot, tuf_keys.online_signer("snapshot", root)).decode()
        files.append(TufFile(product, f"{state.snapshot_version}.snapshot.json", body=snapshot_body))
    else:
        snapshot_body = TufFile.get(product, f"{state.snapshot_version}.snapshot.json").body
    encoded = snapshot_body.encode()
    state.timestamp_version = int(state.timestamp_version) + 1
    state.timestamp_expires = _expiry(now, TIMESTAMP_LIFETIME)
    timestamp = Timestamp(
        version=int(state.timestamp_version),
        expires=state.timestamp_expires,
        snapshot_meta=MetaFile(
            version=int(state.snapshot_version),
            length=len(encoded),
            hashes={"sha256": hashlib.sha256(encoded).hexdigest()},
        ),
    )
    timestamp_body = _serialize(timestamp, tuf_keys.online_signer("timestamp", root)).decode()
    files.append(TufFile(product, "timestamp.json", body=timestamp_body))
    state.updated_at = now
    return RepositoryChange(state=state, files=files, is_new=is_new)


def renewal_due(state: TufRepository, *, now: datetime) -> tuple[bool, bool, bool]:
    """Which of targets / snapshot / timestamp must be re-signed before they expire."""

    def due(expires: datetime | None, lifetime: timedelta) -> bool:
        return expires is None or expires - now < lifetime * RENEW_FRACTION

    return (
        due(state.targets_expires, TARGETS_LIFETIME),
        due(state.snapshot_expires, SNAPSHOT_LIFETIME),
        due(state.timestamp_expires, TIMESTAMP_LIFETIME),
    )
