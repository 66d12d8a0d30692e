"""Writes of releases: create, edit, and the publish / pause / resume / yank life cycle."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from mysite import cdn
from mysite.errors import InvalidInput, Unprocessable
from updates import tuf
from updates.constants import DRAFT, MAX_NOTES_LENGTH, PAUSED, PENDING, PUBLISHED, READY, YANKED
from updates.errors import (
    InvalidTransition,
    ReleaseExists,
    ReleaseNotPublishable,
    RepositoryBusy,
    StaleRelease,
    VersionNotNewer,
)
from updates.models import Release, ReleaseHistoryEntry, TufRepository
from updates.selectors import (
    catalog_changed_in,
    channel_check,
    newest_on_channel,
    product_get,
    release_artifacts,
    release_get,
    tuf_targets_source,
)
from updates.services.artifacts import artifacts_withdraw
from updates.services.products import conditional_failed
from updates.versions import SemVer

TUF_ATTEMPTS = 3


def connection() -> Connection:
    """A PynamoDB connection for transactions, pointed where the models are."""
    local = bool(settings.DYNAMODB_ENDPOINT_URL)
    return Connection(
        region=settings.AWS_REGION,
        host=settings.DYNAMODB_ENDPOINT_URL,
        aws_access_key_id=settings.AWS_LOCAL_ACCESS_KEY_ID if local else None,
        aws_secret_access_key=settings.AWS_LOCAL_SECRET_ACCESS_KEY if local else None,
    )


def _check_rollout(rollout: int) -> int:
    if not 0 <= rollout <= 100:
        raise InvalidInput("The rollout is a percentage from 0 to 100.", field="rollout")
    return rollout


def _check_notes(notes: str) -> str:
    if len(notes) > MAX_NOTES_LENGTH:
        raise InvalidInput(f"Keep the notes under {MAX_NOTES_LENGTH} characters.", field="notes")
    return notes


def release_create(
    *,
    product: str,
    version: str,
    channel: str,
    notes: str = "",
    critical: bool = False,
    minimum_version: str | None = None,
    rollout: int = 100,
    actor: str | None = None,
) -> Release:
    """A draft release of `product` on `channel`; artifacts are uploaded before it is published."""
    owner = product_get(slug=product)
    parsed = SemVer.parse(version)
    if channel not in owner.channels:
        # A channel's name well formed, but not one of this product's: like a reference to a missing item, a 422.
        raise Unprocessable(f"Choose one of {', '.join(owner.channels)}.", field="channel")
    channel_check(product=owner, channel=channel)
    if minimum_version:
        minimum = SemVer.parse(minimum_version, field_name="minimum_version")
        if not minimum < parsed:
            raise InvalidInput("The minimum version must be lower than the release.", field="minimum_version")
    release = Release(
        product,
        parsed.sort_key,
        version_name=str(parsed),
        channel=channel,
        channel_key=f"{product}#{channel}",
        notes=_check_notes(notes),
        critical=critical,
        minimum_version=minimum_version or None,
        rollout=_check_rollout(rollout),
    )
    try:
        release.save()
    except PutError as error:
        if conditional_failed(error):
            raise ReleaseExists(field="version") from None
        raise
    with TransactWrite(connection=connection()) as transaction:
        _recorded(release, kind="created", actor=actor, detail=f"on {channel}, rollout {int(release.rollout)}%")(
            transaction
        )
    return release


def _stale(release: Release) -> StaleRelease:
    """A 409 carrying the stored release, so the caller can merge and retry with its version."""
    return StaleRelease(current=release_get(product=release.product, version=release.version_name))


MANUAL = "release manager"


def history_entry(
    release: Release, *, kind: str, detail: str, actor: str, now: datetime, order: int = 0
) -> ReleaseHistoryEntry:
    """A history entry; `order` keeps the entries of one transition (same time) in the order they happened."""
    return ReleaseHistoryEntry(
        f"{release.product}#{release.sort_key}",
        f"{now.isoformat()}#{order}-{uuid.uuid4().hex[:8]}",
        kind=kind,
        rollout=int(release.rollout),
        status=release.status,
        detail=detail,
        actor=actor,
    )


def _recorded(release: Release, *, kind: str, actor: str | None, detail: str = "") -> Callable[[TransactWrite], None]:
    """A write for `_save`/`_commit_with_tuf`: the transition joins the release's history in the same transaction."""

    def also(transaction: TransactWrite) -> None:
        entry = history_entry(release, kind=kind, detail=detail, actor=actor or MANUAL, now=datetime.now(UTC))
        transaction.save(entry)

    return also


def _expect(release: Release, expected_version: int | None) -> None:
    if expected_version is not None and int(release.version) != expected_version:
        raise _stale(release)


def _save(release: Release, also: Callable[[TransactWrite], None] | None = None) -> Release:
    """Save the release and start a new generation of the product's cached client answers (with `also`'s writes)."""
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(release)
            catalog_changed_in(transaction, product=release.product)
            if also is not None:
                also(transaction)
    except TransactWriteError as error:
        if conditional_failed(error):
            raise _stale(release) from None
        raise
    return release


def release_update(
    *,
    product: str,
    version: str,
    expected_version: int | None = None,
    notes: str | None = None,
    critical: bool | None = None,
    minimum_version: str | None = None,
    rollout: int | None = None,
    actor: str | None = None,
) -> Release:
    """Edit notes, critical flag, minimum version or rollout; a yanked release is frozen."""
    release = release_get(product=product, version=version)
    before = {"rollout": int(release.rollout), "notes": release.notes, "critical": bool(release.critical)}
    before["minimum_version"] = release.minimum_version
    _expect(release, expected_version)
    if release.status == YANKED:
        raise InvalidTransition("A yanked release cannot be changed.")
    if notes is not None:
        release.notes = _check_notes(notes)
    if critical is not None:
        release.critical = critical
    if minimum_version is not None:
        if minimum_version and not SemVer.parse(minimum_version, field_name="minimum_version") < SemVer.parse(
            release.version_name
        ):
            raise InvalidInput("The minimum version must be lower than the release.", field="minimum_version")
        release.minimum_version = minimum_version or None
    if rollout is not None:
        release.rollout = _check_rollout(rollout)
    recorded = _recorded(release, kind="edited", actor=actor, detail=_changes(before, release))
    if release.status not in (PUBLISHED, PAUSED):
        return _save(release, also=recorded)
    # TUF targets carry the rollout rules: the edit and the re-signed targets go in one transaction.
    release = _commit_with_tuf(release, also=recorded)
    client_paths_invalidate(product=product)
    return release


def _changes(before: dict, release: Release) -> str:
    """What an edit changed, for the history: `rollout 30% -> 60%, notes`."""
    after = {"rollout": int(release.rollout), "notes": release.notes, "critical": bool(release.critical)}
    after["minimum_version"] = release.minimum_version
    changed = [name for name in before if before[name] != after[name]]
    described = [f"rollout {before[n]}% -> {after[n]}%" if n == "rollout" else n.replace("_", " ") for n in changed]
    return ", ".join(described)


def _commit_with_tuf(release: Release, also: Callable[[TransactWrite], None] | None = None) -> Release:
    """Save the release and the product's re-signed TUF metadata in one transaction (with `also`'s writes)."""
    for _ in range(TUF_ATTEMPTS):
        try:
            state = TufRepository.get(release.product, consistent_read=True)
        except TufRepository.DoesNotExist:
            state = None
        change = tuf.repository_change(
            product=release.product,
            state=state,
            published=tuf_targets_source(product=release.product, changed=release),
        )
        try:
            with TransactWrite(connection=connection()) as transaction:
                transaction.save(release)
                transaction.save(change.state)
                for file in change.files:
                    transaction.save(file)
                if also is not None:
                    also(transaction)
                catalog_changed_in(transaction, product=release.product)
        except TransactWriteError as error:
            reasons = error.cancellation_reasons
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                raise _stale(release) from None
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons):
                continue  # another publication moved the repository on: rebuild on top of it
            raise
        return release
    raise RepositoryBusy()


def client_paths_invalidate(*, product: str) -> None:
    """Tell the CDN that every client-facing answer about `product` changed (the read cache knows already)."""
    cdn.invalidate_paths([f"/api/updates/{product}/*", f"/update/{product}/*", f"/updates/{product}/*"])


def release_publish(
    *, product: str, version: str, expected_version: int | None = None, actor: str | None = None
) -> Release:
    """Offer a draft to clients: it needs a ready artifact and a version above the channel's published ones."""
    release = release_get(product=product, version=version)
    _expect(release, expected_version)
    if release.status != DRAFT:
        raise InvalidTransition(f"Only a draft can be published; this release is {release.status}.")
    artifacts = release_artifacts(release=release)
    if any(a.status == PENDING for a in artifacts):
        raise ReleaseNotPublishable("Wait until every upload has been verified, or remove it.")
    if not any(a.status == READY for a in artifacts):
        raise ReleaseNotPublishable("Upload at least one artifact and wait until it is ready.")
    newer = newest_on_channel(product=product, channel=release.channel, at_least=SemVer.parse(version))
    if newer is not None:
        raise VersionNotNewer(
            f"{release.version_name} is not newer than {newer.version_name}, already published on "
            f"{release.channel}. Publish a higher version.",
            field="version",
        )
    release.status = PUBLISHED
    release.published_at = datetime.now(UTC)
    release = _commit_with_tuf(release, also=_recorded(release, kind="published", actor=actor))
    client_paths_invalidate(product=product)
    return release


@dataclass(frozen=True)
class _Move:
    """A change of status a release manager asks for: from which statuses, to which, kept in the history as what."""

    sources: tuple[str, ...]
    target: str
    kind: str
    refusal: str


# A paused release leaves the TUF targets, and comes back on resume; a yanked one leaves them for good.
_MOVES = {
    "pause": _Move((PUBLISHED,), PAUSED, "paused", "Only a published release can be paused"),
    "resume": _Move((PAUSED,), PUBLISHED, "resumed", "Only a paused release can be resumed"),
    "yank": _Move((PUBLISHED, PAUSED), YANKED, "yanked", "Only a published or paused release can be yanked"),
}


def _moved(action: str, *, product: str, version: str, expected_version: int | None, actor: str | None) -> Release:
    """The release after `action` (a key of _MOVES), committed with its TUF targets; clients' cached paths dropped."""
    move = _MOVES[action]
    release = release_get(product=product, version=version)
    _expect(release, expected_version)
    if release.status not in move.sources:
        raise InvalidTransition(f"{move.refusal}; this one is {release.status}.")
    release.status = move.target
    release = _commit_with_tuf(release, also=_recorded(release, kind=move.kind, actor=actor))
    client_paths_invalidate(product=product)
    return release


def release_pause(
    *, product: str, version: str, expected_version: int | None = None, actor: str | None = None
) -> Release:
    """Stop offering a published release for now (clients that have it keep it)."""
    return _moved("pause", product=product, version=version, expected_version=expected_version, actor=actor)


def release_resume(
    *, product: str, version: str, expected_version: int | None = None, actor: str | None = None
) -> Release:
    """Offer a paused release again."""
    return _moved("resume", product=product, version=version, expected_version=expected_version, actor=actor)


def release_yank(
    *, product: str, version: str, expected_version: int | None = None, actor: str | None = None
) -> Release:
    """Withdraw a release for good: never offered again, removed from the TUF targets, its files no longer served."""
    release = _moved("yank", product=product, version=version, expected_version=expected_version, actor=actor)
    withdrawn = artifacts_withdraw(release=release)
    # The CDN domain serves `artifacts/` from the bucket, the site under /updates/artifacts/: both forget the files.
    cdn.invalidate_paths([f"/{key}" for key in withdrawn] + [f"/updates/{key}" for key in withdrawn])
    return release


def tuf_refresh(*, product: str, now: datetime | None = None) -> bool:
    """Re-sign whichever of targets, snapshot and timestamp is close to expiry; True if anything changed."""
    now = now or datetime.now(UTC)
    try:
        state = TufRepository.get(product, consistent_read=True)
    except TufRepository.DoesNotExist:
        return False
    targets_due, snapshot_due, timestamp_due = tuf.renewal_due(state, now=now)
    if not (targets_due or snapshot_due or timestamp_due):
        return False
    change = tuf.repository_change(
        product=product,
        state=state,
        published=tuf_targets_source(product=product) if targets_due else None,
        now=now,
        renew_snapshot=snapshot_due,
    )
    try:
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(change.state)
            for file in change.files:
                transaction.save(file)
            catalog_changed_in(transaction, product=product)
    except TransactWriteError:
        return False  # a publication re-signed it meanwhile
    return True
