"""Root versions signed offline become the product's newest root, with its online metadata re-signed to match."""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite
from securesystemslib.signer import Signer
from tuf.api.metadata import Metadata, Root

from updates import tuf, tuf_keys
from updates.models import TufRepository
from updates.selectors import catalog_changed_in, product_get, tuf_targets_source
from updates.services.releases import client_paths_invalidate, connection


def repository_state(*, product: str) -> TufRepository:
    """The product's TUF state, creating the bootstrap repository (empty targets) if it has none yet."""
    product_get(slug=product)
    try:
        return TufRepository.get(product, consistent_read=True)
    except DoesNotExist:
        change = tuf.repository_change(product=product, state=None, published=[])
        with TransactWrite(connection=connection()) as transaction:
            transaction.save(change.state)
            for file in change.files:
                transaction.save(file)
            catalog_changed_in(transaction, product=product)
        return TufRepository.get(product, consistent_read=True)


def previous_root_signers(root: Root, offline: list[Signer]) -> list[Signer]:
    """The signers that can vouch for `root`: the offline key files, or the online key of a bootstrap root."""
    listed = set(root.roles["root"].keyids)
    signers = [s for s in offline if s.public_key.keyid in listed]
    if not signers and root.version == 1:
        signers = [s for s in tuf_keys.online_signers(tuf_keys.BOOTSTRAP_ROOT) if s.public_key.keyid in listed]
    return signers


def next_root_signed(
    *,
    product: str,
    signers: list[Signer],
    root_keys: list | None = None,
    threshold: int | None = None,
    online: dict | None = None,
) -> Metadata[Root]:
    """The product's next root version, signed by `signers` (ValueError without both thresholds)."""
    state = repository_state(product=product)
    current = tuf.current_root(product, state)
    expires = (datetime.now(UTC) + tuf.ROOT_LIFETIME).replace(microsecond=0)
    root = tuf_keys.root_next(current, root_keys=root_keys, threshold=threshold, online=online, expires=expires)
    return tuf_keys.root_sign(root, previous=current, signers=previous_root_signers(current, signers) + signers)


def root_publish(*, product: str, metadata: Metadata[Root]) -> int:
    """Store the signed root as the next version and re-sign targets, snapshot, timestamp with its keys; its version."""
    state = repository_state(product=product)
    if metadata.signed.version != int(state.root_version) + 1:
        raise ValueError(f"The next root of {product} is version {int(state.root_version) + 1}.")
    change = tuf.repository_change(
        product=product,
        state=state,
        published=tuf_targets_source(product=product),
        new_root=metadata,
    )
    with TransactWrite(connection=connection()) as transaction:
        transaction.save(change.state)
        for file in change.files:
            transaction.save(file)
        catalog_changed_in(transaction, product=product)
    client_paths_invalidate(product=product)
    return metadata.signed.version
