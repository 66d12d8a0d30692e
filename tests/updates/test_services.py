"""Publishing rules and uploads, against DynamoDB Local and s3rver."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from mysite import storage
from updates import services, signing
from updates.constants import PART_SIZE
from updates.errors import (
    ArtifactTooLarge,
    InvalidTransition,
    ProductExists,
    ReleaseExists,
    ReleaseNotPublishable,
    StaleRelease,
    VersionNotNewer,
)
from updates.models import TufFile, TufRepository
from updates.selectors import artifact_get, release_get


def test_product_slugs_are_unique_and_validated(catalog):
    product = catalog.product()
    with pytest.raises(ProductExists):
        services.product_create(slug=product.slug, name="Again")
    with pytest.raises(services.products.InvalidInput) as caught:
        services.product_create(slug="Bad Slug", name="x")
    assert "slug" in caught.value.fields


def test_publishing_a_version_not_above_the_channels_published_ones_is_refused(catalog):
    product = catalog.product()
    catalog.release(product, "1.2.0")
    for version in ("1.1.0", "1.2.0-rc.1"):
        catalog.release(product, version, publish=False)
        with pytest.raises(VersionNotNewer) as caught:
            services.release_publish(product=product.slug, version=version)
        assert caught.value.status == 422
        assert "not newer than 1.2.0, already published on stable" in caught.value.message
    with pytest.raises(ReleaseExists):
        services.release_create(product=product.slug, version="1.2.0+other-build", channel="stable")
    # another channel has its own line of versions
    catalog.release(product, "1.1.5", channel="beta")
    assert release_get(product=product.slug, version="1.1.5").status == "published"


def test_a_yanked_version_still_blocks_lower_versions(catalog):
    product = catalog.product()
    catalog.release(product, "3.0.0")
    services.release_yank(product=product.slug, version="3.0.0")
    catalog.release(product, "2.9.0", publish=False)
    with pytest.raises(VersionNotNewer):
        services.release_publish(product=product.slug, version="2.9.0")


def test_a_release_without_a_ready_artifact_cannot_be_published(catalog):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    with pytest.raises(ReleaseNotPublishable):
        services.release_publish(product=product.slug, version="1.0.0")
    catalog.upload(product.slug, "1.0.0", "linux-x64", b"abc", sha256="0" * 64)
    with pytest.raises(ReleaseNotPublishable):
        services.release_publish(product=product.slug, version="1.0.0")


def test_life_cycle_transitions_are_checked(catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0")
    with pytest.raises(InvalidTransition):
        services.release_resume(product=product.slug, version="1.0.0")
    services.release_yank(product=product.slug, version="1.0.0")
    for action in (services.release_pause, services.release_publish, services.release_yank):
        with pytest.raises(InvalidTransition):
            action(product=product.slug, version="1.0.0")
    with pytest.raises(InvalidTransition):
        services.release_update(product=product.slug, version="1.0.0", rollout=50)


def test_a_stale_write_is_a_409_carrying_the_current_release(catalog):
    product = catalog.product()
    release = catalog.release(product, "1.0.0", publish=False)
    seen = int(release.version)
    services.release_update(product=product.slug, version="1.0.0", expected_version=seen, rollout=10)
    with pytest.raises(StaleRelease) as caught:
        services.release_update(product=product.slug, version="1.0.0", expected_version=seen, rollout=50)
    assert caught.value.status == 409
    assert caught.value.current.rollout == 10
    assert release_get(product=product.slug, version="1.0.0").rollout == 10


def test_upload_whose_bytes_differ_from_the_declaration_is_rejected_and_never_stored(catalog):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    status = catalog.upload(
        product.slug, "1.0.0", "darwin-arm64", b"real bytes", sha256=hashlib.sha256(b"x").hexdigest()
    )
    assert status == "rejected"
    artifact = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="darwin-arm64")
    assert "does not match" in artifact.rejection_reason
    assert artifact.key is None
    assert artifact.signature is None
    assert storage.object_head(artifact.upload_key) is None
    assert storage.object_head(f"artifacts/{hashlib.sha256(b'real bytes').hexdigest()}/{artifact.filename}") is None


def test_ready_artifact_is_content_addressed_immutable_and_signed(catalog):
    product = catalog.product()
    content = b"signed artifact bytes " * 100
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    assert catalog.upload(product.slug, "1.0.0", "darwin-arm64", content) == "ready"
    artifact = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="darwin-arm64")
    sha = hashlib.sha256(content).hexdigest()
    assert (artifact.size, artifact.sha256, artifact.key) == (len(content), sha, f"artifacts/{sha}/{artifact.filename}")
    assert storage.object_read(artifact.key) == content
    assert storage.object_head(artifact.key)["CacheControl"] == "public, max-age=31536000, immutable"
    import base64

    signing.public_key().verify(base64.b64decode(artifact.signature), content)  # raises if invalid


def test_redelivered_upload_event_changes_nothing(catalog):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    catalog.upload(product.slug, "1.0.0", "darwin-arm64", b"once")
    artifact = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="darwin-arm64")
    assert services.artifact_process(upload_key=artifact.upload_key) == "ignored"
    again = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="darwin-arm64")
    assert (again.version, again.status, again.signature) == (artifact.version, "ready", artifact.signature)


def test_multipart_upload_through_presigned_parts(catalog, dispatcher):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    content = bytes(range(256)) * (PART_SIZE // 256) + b"tail of the last part"
    start = services.artifact_upload_start(
        product=product.slug,
        version="1.0.0",
        platform="windows-x64",
        filename="App-Setup.exe",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    assert start["mode"] == "multipart"
    assert [p["part_number"] for p in start["parts"]] == [1, 2]
    parts = []
    for part in start["parts"]:
        chunk = content[(part["part_number"] - 1) * PART_SIZE : part["part_number"] * PART_SIZE]
        response = requests.put(part["url"], data=chunk, timeout=30)
        assert response.status_code == 200
        parts.append({"part_number": part["part_number"], "etag": response.headers["ETag"]})
    with pytest.raises(services.artifacts.UploadInvalid):
        services.artifact_upload_complete(
            product=product.slug, version="1.0.0", platform="windows-x64", upload_id=start["upload_id"], parts=parts[:1]
        )
    services.artifact_upload_complete(
        product=product.slug, version="1.0.0", platform="windows-x64", upload_id=start["upload_id"], parts=parts
    )
    dispatcher.run_once(include_schedules=False)
    artifact = artifact_get(release=release_get(product=product.slug, version="1.0.0"), platform="windows-x64")
    assert (artifact.status, artifact.size) == ("ready", len(content))
    assert storage.object_read(artifact.key, byte_range="bytes=0-3") == bytes([0, 1, 2, 3])


def test_oversized_artifacts_are_refused_before_anything_is_written(catalog):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0", channel="stable")
    with pytest.raises(ArtifactTooLarge) as caught:
        services.artifact_upload_start(
            product=product.slug,
            version="1.0.0",
            platform="linux-x64",
            filename="a.tar.gz",
            size=6 * 1024**3,
            sha256="a" * 64,
        )
    assert caught.value.status == 413


def test_publish_and_yank_update_the_tuf_repository_in_one_step(catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0")
    state = TufRepository.get(product.slug)
    assert (state.targets_version, state.snapshot_version, state.timestamp_version) == (1, 1, 1)
    targets = json.loads(TufFile.get(product.slug, "1.targets.json").body)
    assert list(targets["signed"]["targets"]) == ["darwin-arm64/1.0.0/App-1.0.0-darwin-arm64.zip"]
    services.release_yank(product=product.slug, version="1.0.0")
    state = TufRepository.get(product.slug)
    assert state.targets_version == 2
    assert json.loads(TufFile.get(product.slug, "2.targets.json").body)["signed"]["targets"] == {}
    timestamp = json.loads(TufFile.get(product.slug, "timestamp.json").body)["signed"]
    assert timestamp["version"] == 2
    assert timestamp["meta"]["snapshot.json"]["version"] == 2
