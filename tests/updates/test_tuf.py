"""A standard TUF client (tuf.ngclient.Updater) against the running service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from tuf.api.exceptions import BadVersionNumberError, ExpiredMetadataError, LengthOrHashMismatchError
from tuf.ngclient import Updater
from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher

from mysite import aws, storage
from updates import tuf
from updates.models import TufRepository


class AttackerFetcher(Urllib3Fetcher):
    """A network attacker (or stale mirror) answering `timestamp.json` with bytes of its choosing."""

    def __init__(self, timestamp: bytes):
        super().__init__()
        self.timestamp = timestamp

    def _fetch(self, url: str):
        if url.endswith("/timestamp.json"):
            return iter([self.timestamp])
        return super()._fetch(url)


@pytest.fixture
def client_dirs(tmp_path) -> tuple[Path, Path]:
    metadata, targets = tmp_path / "metadata", tmp_path / "targets"
    metadata.mkdir()
    targets.mkdir()
    return metadata, targets


def make_updater(base: str, dirs: tuple[Path, Path], root: bytes, fetcher=None) -> Updater:
    return Updater(str(dirs[0]), base, str(dirs[1]), f"{base}targets/", fetcher=fetcher, bootstrap=root)


def test_tuf_client_verifies_downloads_and_detects_tampering_replay_and_freeze(catalog, live_url, client_dirs):
    product = catalog.product()
    first = f"first {product.slug}".encode() * 64
    catalog.release(product, "1.0.0", content=first)
    base = f"{live_url}/updates/{product.slug}/tuf/"
    root = requests.get(f"{base}1.root.json", timeout=10).content
    old_timestamp = requests.get(f"{base}timestamp.json", timeout=10).content

    updater = make_updater(base, client_dirs, root)
    updater.refresh()
    info = updater.get_targetinfo("darwin-arm64/1.0.0/App-1.0.0-darwin-arm64.zip")
    assert Path(updater.download_target(info)).read_bytes() == first

    second = f"second {product.slug}".encode() * 64
    catalog.release(product, "1.1.0", content=second)
    updater = make_updater(base, client_dirs, root)
    updater.refresh()
    info = updater.get_targetinfo("darwin-arm64/1.1.0/App-1.1.0-darwin-arm64.zip")
    assert info.custom["version"] == "1.1.0"
    assert Path(updater.download_target(info)).read_bytes() == second

    # Rollback: replaying yesterday's validly signed timestamp to a client that has seen a newer one.
    with pytest.raises(BadVersionNumberError):
        make_updater(base, client_dirs, root, fetcher=AttackerFetcher(old_timestamp)).refresh()

    # Freeze: a correctly signed timestamp whose expiry has passed is refused.
    state = TufRepository.get(product.slug)
    frozen = tuf.repository_change(
        product=product.slug,
        state=state,
        published=None,
        now=datetime.now(UTC) - timedelta(days=3),
        renew_snapshot=False,
    )
    frozen_timestamp = next(f.body for f in frozen.files if f.name == "timestamp.json").encode()
    with pytest.raises(ExpiredMetadataError):
        make_updater(base, client_dirs, root, fetcher=AttackerFetcher(frozen_timestamp)).refresh()

    # Tampering: the stored bytes are swapped for others of the same length.
    tampered = bytearray(second)
    tampered[0] ^= 0xFF
    key = f"artifacts/{info.hashes['sha256']}/App-1.1.0-darwin-arm64.zip"
    aws.client("s3").put_object(Bucket=storage.bucket(), Key=key, Body=bytes(tampered))
    updater = make_updater(base, client_dirs, root)
    updater.refresh()
    with pytest.raises(LengthOrHashMismatchError):
        updater.download_target(updater.get_targetinfo("darwin-arm64/1.1.0/App-1.1.0-darwin-arm64.zip"))


def test_yanked_release_disappears_from_tuf_targets(catalog, live_url, client_dirs):
    from updates import services

    product = catalog.product()
    catalog.release(product, "1.0.0")
    base = f"{live_url}/updates/{product.slug}/tuf/"
    root = requests.get(f"{base}1.root.json", timeout=10).content
    services.release_yank(product=product.slug, version="1.0.0")
    updater = make_updater(base, client_dirs, root)
    updater.refresh()
    assert updater.get_targetinfo("darwin-arm64/1.0.0/App-1.0.0-darwin-arm64.zip") is None


def test_tuf_target_route_serves_only_what_the_current_targets_metadata_lists(catalog, client):
    from updates import services
    from updates.selectors import artifact_get, release_get

    product, other = catalog.product(), catalog.product()
    catalog.release(product, "1.0.0", content=b"listed " * 64)
    catalog.release(product, "1.1.0", content=b"draft " * 64, publish=False)
    catalog.release(other, "1.0.0", content=b"other product " * 64)

    def target_url(owner, version: str, *, as_product: str | None = None, platform: str = "darwin-arm64") -> str:
        artifact = artifact_get(release=release_get(product=owner.slug, version=version), platform=platform)
        name = f"{platform}/{version}/{artifact.sha256}.{artifact.filename}"
        return f"/updates/{as_product or owner.slug}/tuf/targets/{name}"

    listed = client.get(target_url(product, "1.0.0"))
    assert listed.status_code == 200
    assert b"".join(listed.streaming_content) == b"listed " * 64
    assert client.get(target_url(product, "1.1.0")).status_code == 404  # stored, but a draft's
    assert client.get(target_url(other, "1.0.0", as_product=product.slug)).status_code == 404  # another product's
    elsewhere = target_url(product, "1.0.0").replace("/darwin-arm64/1.0.0/", "/linux-x64/9.9.9/")
    assert client.get(elsewhere).status_code == 404  # the right bytes under a path the metadata does not list
    services.release_yank(product=product.slug, version="1.0.0")
    assert client.get(target_url(product, "1.0.0")).status_code == 410  # a yanked release's file: withdrawn
