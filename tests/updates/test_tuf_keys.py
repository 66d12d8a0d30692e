"""TUF keys as the specification intends: an offline root (2 of 3 files), online keys per role, followed rotations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
import requests
from django.core.management import CommandError, call_command
from moto import mock_aws
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import Metadata, Root, Timestamp
from tuf.ngclient import Updater

from tests.updates.test_tuf import AttackerFetcher
from updates import signing, tuf_keys
from updates.models import TufRepository


def updater(base: str, tmp: Path, bootstrap: bytes, fetcher=None) -> Updater:
    metadata, targets = tmp / "metadata", tmp / "targets"
    metadata.mkdir(parents=True, exist_ok=True)
    targets.mkdir(parents=True, exist_ok=True)
    return Updater(str(metadata), base, str(targets), f"{base}targets/", fetcher=fetcher, bootstrap=bootstrap)


def root_of(base: str, version: int) -> Root:
    return Metadata[Root].from_bytes(requests.get(f"{base}{version}.root.json", timeout=10).content).signed


@pytest.fixture
def published(catalog, live_url):
    product = catalog.product()
    content = f"tuf keys {product.slug}".encode() * 40
    catalog.release(product, "1.0.0", content=content, platforms=("linux-x64",))
    base = f"{live_url}/updates/{product.slug}/tuf/"
    return product.slug, base, content


def test_the_bootstrap_root_uses_a_separate_online_key_per_role_and_never_the_sparkle_key(published):
    _, base, _ = published
    root = root_of(base, 1)
    keyids = {role: root.roles[role].keyids for role in ("root", "targets", "snapshot", "timestamp")}
    assert all(len(ids) == 1 for ids in keyids.values())
    assert len({ids[0] for ids in keyids.values()}) == 4  # four roles, four keys
    sparkle = signing.published_keys()[0]["public_key_hex"]
    assert all(key.keyval["public"] != sparkle for key in root.keys.values())


def test_tuf_root_takes_root_offline_with_two_of_three_and_ngclient_follows_every_rotation(published, tmp_path):
    slug, base, content = published
    bootstrap = requests.get(f"{base}1.root.json", timeout=10).content
    first_keys = tmp_path / "root-keys-1"
    call_command("tuf_root", "--product", slug, "--keys-dir", str(first_keys), "--count", "3", "--threshold", "2")
    assert sorted(p.name for p in first_keys.glob("*.pem")) == ["root-1.pem", "root-2.pem", "root-3.pem"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in first_keys.glob("*.pem"))
    second = root_of(base, 2)
    assert (len(second.roles["root"].keyids), second.roles["root"].threshold) == (3, 2)
    assert not set(second.roles["root"].keyids) & set(root_of(base, 1).roles["root"].keyids)  # the online root retired
    assert int(TufRepository.get(slug).root_version) == 2

    # Rotate to new root keys, signed by two of the three old ones (one is kept elsewhere) and the new ones.
    two_of_three = tmp_path / "two-of-three"
    two_of_three.mkdir()
    for name in ("root-1.pem", "root-3.pem"):
        (two_of_three / name).write_bytes((first_keys / name).read_bytes())
    call_command("tuf_root", "--product", slug, "--keys-dir", str(tmp_path / "root-keys-2"),
                 "--previous-keys-dir", str(two_of_three))  # fmt: skip
    assert root_of(base, 3).roles["root"].threshold == 2

    # A client that only ever trusted the bootstrap root walks 1 -> 2 -> 3 and still verifies its download.
    client = updater(base, tmp_path / "client", bootstrap)
    client.refresh()
    info = client.get_targetinfo("linux-x64/1.0.0/App-1.0.0-linux-x64.zip")
    assert Path(client.download_target(info)).read_bytes() == content
    trusted = json.loads((tmp_path / "client" / "metadata" / "root.json").read_bytes())
    assert trusted["signed"]["version"] == 3


def test_a_root_without_a_threshold_of_the_previous_keys_is_refused_and_nothing_changes(published, tmp_path):
    slug, base, _ = published
    keys = tmp_path / "keys"
    call_command("tuf_root", "--product", slug, "--keys-dir", str(keys))
    one = tmp_path / "one"
    one.mkdir()
    (one / "root-2.pem").write_bytes((keys / "root-2.pem").read_bytes())
    with pytest.raises(CommandError, match="threshold"):
        call_command(
            "tuf_root", "--product", slug, "--keys-dir", str(tmp_path / "next"), "--previous-keys-dir", str(one)
        )
    assert requests.get(f"{base}3.root.json", timeout=10).status_code == 404
    assert int(TufRepository.get(slug).root_version) == 2


def test_online_key_rotation_is_followed_and_metadata_signed_by_the_retired_key_is_rejected(published, tmp_path):
    slug, base, _ = published
    bootstrap = requests.get(f"{base}1.root.json", timeout=10).content
    keys = tmp_path / "keys"
    call_command("tuf_root", "--product", slug, "--keys-dir", str(keys))
    before = root_of(base, 2)
    retired = tuf_keys.online_signer("timestamp", before)
    call_command("tuf_rotate_online", "--product", slug, "--role", "timestamp", "--root-keys-dir", str(keys))
    after = root_of(base, 3)
    assert after.roles["timestamp"].keyids != before.roles["timestamp"].keyids
    assert after.roles["targets"].keyids == before.roles["targets"].keyids
    served = Metadata[Timestamp].from_bytes(requests.get(f"{base}timestamp.json", timeout=10).content)
    assert list(served.signatures) == after.roles["timestamp"].keyids  # re-signed with the new key at once

    client = updater(base, tmp_path / "honest", bootstrap)
    client.refresh()  # follows 1 -> 2 -> 3 and accepts the new timestamp key

    # An attacker holding the retired key forges a newer timestamp: the client refuses it.
    forged = Metadata(Timestamp(version=served.signed.version + 1, expires=datetime.now(UTC) + timedelta(days=1),
                                snapshot_meta=served.signed.snapshot_meta))  # fmt: skip
    forged.sign(retired)
    with pytest.raises(UnsignedMetadataError):
        updater(base, tmp_path / "attacked", bootstrap, fetcher=AttackerFetcher(forged.to_bytes())).refresh()


def test_the_kms_signer_signs_tuf_metadata_that_verifies_against_its_public_key(settings):
    with mock_aws():
        from mysite import aws

        aws._client.cache_clear()
        try:
            kms = boto3.client("kms", region_name=settings.AWS_REGION)
            key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            signer = tuf_keys.KmsSigner.for_key(key_id)
            root = Root(version=1, expires=datetime.now(UTC) + timedelta(days=1))
            root.add_key(signer.public_key, "timestamp")
            timestamp = Metadata(Timestamp(version=1, expires=datetime.now(UTC) + timedelta(days=1)))
            timestamp.sign(signer)
            root.verify_delegate("timestamp", timestamp.signed_bytes, timestamp.signatures)
            assert signer.public_key.scheme == "ecdsa-sha2-nistp256"
            other_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            other = tuf_keys.KmsSigner.for_key(other_id)
            forged = Metadata(Timestamp(version=2, expires=datetime.now(UTC) + timedelta(days=1)))
            forged.sign(other)
            with pytest.raises(UnsignedMetadataError):
                root.verify_delegate("timestamp", forged.signed_bytes, forged.signatures)
        finally:
            aws._client.cache_clear()


def test_the_lambda_role_may_sign_with_the_configured_tuf_keys_and_nothing_else():
    from dataclasses import replace

    from mysite.deploy.policies import StageResources, lambda_statements
    from mysite.deploy.render import tuf_kms_key_ids

    keys = tuf_kms_key_ids('{"targets": ["1111-aaaa"], "snapshot": ["2222-bbbb"], "timestamp": ["2222-bbbb"]}')
    assert keys == ("1111-aaaa", "2222-bbbb")
    base = StageResources("us-east-1", "123456789012", ("t",), (), "b", "pool", "example.com", "", ())
    assert not [s for s in lambda_statements(base) if s["Sid"] == "TufOnlineKeys"]
    statement = next(s for s in lambda_statements(replace(base, kms_key_ids=keys)) if s["Sid"] == "TufOnlineKeys")
    assert statement["Action"] == ["kms:Sign", "kms:GetPublicKey"]
    assert statement["Resource"] == [
        "arn:aws:kms:us-east-1:123456789012:key/1111-aaaa",
        "arn:aws:kms:us-east-1:123456789012:key/2222-bbbb",
    ]
