"""What an update check, an appcast and the TUF metadata read does not grow with the product's past releases."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from django.urls import reverse
from tuf.ngclient import Updater

from mysite.deploy import botocalls
from updates import selectors
from updates.constants import PUBLISHED, READY
from updates.models import Artifact, Product, Release
from updates.versions import SemVer

SMALL, LARGE = 20, 300


def seed_releases(product: Product, count: int, *, channel: str = "stable", platform: str = "darwin-arm64") -> None:
    """`count` published releases 1.0.0 .. 1.<count-1>.0, each with a ready artifact, written straight to the tables."""
    now = datetime.now(UTC)
    with Release.batch_write() as releases, Artifact.batch_write() as artifacts:
        for minor in range(count):
            version = f"1.{minor}.0"
            sort_key = SemVer.parse(version).sort_key
            content = f"{product.slug} {version}".encode()
            sha256 = hashlib.sha256(content).hexdigest()
            releases.save(
                Release(
                    product.slug,
                    sort_key,
                    version_name=version,
                    channel=channel,
                    channel_key=f"{product.slug}#{channel}",
                    status=PUBLISHED,
                    published_at=now,
                )
            )
            filename = f"App-{version}-{platform}.zip"
            artifacts.save(
                Artifact(
                    product.slug,
                    f"{sort_key}#{platform}",
                    version_name=version,
                    platform=platform,
                    filename=filename,
                    declared_size=len(content),
                    declared_sha256=sha256,
                    upload_key=f"uploads/{product.slug}/{version}",
                    status=READY,
                    size=len(content),
                    sha256=sha256,
                    signature="c2lnbmF0dXJl",
                    key=f"artifacts/{sha256}/{filename}",
                    ready_at=now,
                )
            )
    selectors.catalog_changed(product=product.slug)


@pytest.fixture
def histories(catalog) -> dict[int, Product]:
    products = {}
    for count in (SMALL, LARGE):
        products[count] = catalog.product()
        seed_releases(products[count], count)
    return products


def cold(product: Product, read) -> botocalls.Recording:
    """The DynamoDB work of `read` right after a catalog write (no cached answer can serve it)."""
    selectors.catalog_changed(product=product.slug)
    with botocalls.record() as recording:
        read()
    return recording


def test_update_check_reads_the_same_for_20_and_300_past_releases(histories, client):
    def check(product: Product):
        url = reverse("updates-api:check", args=[product.slug, "stable", "darwin-arm64", "1.0.0"])
        return lambda: client.get(url)

    small, large = (cold(histories[n], check(histories[n])) for n in (SMALL, LARGE))
    response = client.get(reverse("updates-api:check", args=[histories[LARGE].slug, "stable", "darwin-arm64", "1.0.0"]))
    assert response.json()["version"] == f"1.{LARGE - 1}.0"
    assert small.capacity_units > 0  # the emulator reports what each call read
    assert large.dynamodb_calls == small.dynamodb_calls
    assert large.capacity_units <= small.capacity_units


def test_appcast_lists_exactly_the_newest_20_and_reads_the_same_for_20_and_300(histories, client):
    def appcast(product: Product):
        return lambda: client.get(reverse("updates:appcast", args=[product.slug]))

    small, large = (cold(histories[n], appcast(histories[n])) for n in (SMALL, LARGE))
    body = client.get(reverse("updates:appcast", args=[histories[LARGE].slug])).content.decode()
    versions = re.findall(r"<sparkle:shortVersionString>([^<]+)<", body)
    assert versions == [f"1.{minor}.0" for minor in range(LARGE - 1, LARGE - 1 - selectors.APPCAST_SIZE, -1)]
    assert large.dynamodb_calls == small.dynamodb_calls
    assert large.capacity_units <= small.capacity_units


def test_tuf_targets_after_300_releases_list_only_the_newest_and_verify_with_ngclient(
    histories, catalog, live_url, tmp_path
):
    sizes = {}
    for count, product in histories.items():
        catalog.release(product, "2.0.0", content=f"newest {product.slug}".encode() * 64)
        base = f"{live_url}/updates/{product.slug}/tuf/"
        root = requests.get(f"{base}1.root.json", timeout=10).content
        metadata, targets = tmp_path / f"metadata-{count}", tmp_path / f"targets-{count}"
        metadata.mkdir()
        targets.mkdir()
        updater = Updater(str(metadata), base, str(targets), f"{base}targets/", bootstrap=root)
        updater.refresh()
        newest = updater.get_targetinfo("darwin-arm64/2.0.0/App-2.0.0-darwin-arm64.zip")
        assert Path(updater.download_target(newest)).read_bytes() == f"newest {product.slug}".encode() * 64
        retained_oldest = count - selectors.TUF_RELEASES_PER_CHANNEL + 1
        assert updater.get_targetinfo(f"darwin-arm64/1.{retained_oldest}.0/App-1.{retained_oldest}.0-darwin-arm64.zip")
        superseded = retained_oldest - 1
        assert updater.get_targetinfo(f"darwin-arm64/1.{superseded}.0/App-1.{superseded}.0-darwin-arm64.zip") is None
        listed = selectors.tuf_listed_targets(product=product.slug)
        assert len(listed) == selectors.TUF_RELEASES_PER_CHANNEL
        sizes[count] = (metadata / "targets.json").stat().st_size
    # Same entries, longer version numbers only: 300 releases cost what 20 do.
    assert sizes[LARGE] <= sizes[SMALL] * 1.05
