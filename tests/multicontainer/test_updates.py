"""Update checks across containers: a publish or pause through one origin changes every protocol's answer."""

from __future__ import annotations

import json

import pytest

from tests.multicontainer.conftest import assert_write_seen_everywhere
from tests.updates.conftest import Catalog
from updates.models import TufFile


@pytest.fixture
def release_manager(make_user):
    return make_user(groups=("release-managers",), name="Rita Release")


@pytest.fixture
def catalog_with_a_draft(dispatcher):
    """A product with 1.1.0 published and 1.2.0 uploaded (ready) but still a draft."""
    catalog = Catalog(dispatcher)
    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0", publish=False)
    return product


def timestamp_version(product: str) -> int:
    """The TUF timestamp's version as stored (the source of truth, read in this process)."""
    return json.loads(TufFile.get(product, "timestamp.json", consistent_read=True).body)["signed"]["version"]


def answers(product: str):
    def read(origin) -> tuple:
        check = origin.get(f"/api/updates/{product}/stable/darwin-arm64/1.0.0?bucket=5").json()
        electron = origin.get(f"/update/{product}/darwin-arm64/1.0.0").json()
        appcast = origin.get(f"/updates/{product}/appcast.xml?channel=stable").text
        timestamp = origin.get(f"/updates/{product}/tuf/timestamp.json").json()
        return check["version"], electron["name"], "1.2.0" in appcast, timestamp["signed"]["version"]

    return read


def transition(cluster, token: str, product: str, version: str, action: str):
    def write() -> None:
        response = cluster.writer.request(
            "POST", f"/api/updates/products/{product}/releases/{version}/{action}", token=token, json={}
        )
        assert response.status_code == 200, response.text

    return write


def test_a_publish_through_one_container_is_offered_by_every_protocol_on_every_other(
    cluster, catalog_with_a_draft, release_manager
):
    product = catalog_with_a_draft.slug
    signed_before = timestamp_version(product)
    assert_write_seen_everywhere(
        cluster,
        read=answers(product),
        write=transition(cluster, release_manager.access_token, product, "1.2.0", "publish"),
        before=("1.1.0", "1.1.0", False, signed_before),
        after=lambda: ("1.2.0", "1.2.0", True, timestamp_version(product)),
    )
    if cluster.bumps:
        assert timestamp_version(product) > signed_before  # the TUF answer really changed


def test_a_pause_through_one_container_stops_the_offer_on_every_other(cluster, catalog_with_a_draft, release_manager):
    from updates import services

    product = catalog_with_a_draft.slug
    services.release_publish(product=product, version="1.2.0")
    signed = timestamp_version(product)
    assert_write_seen_everywhere(
        cluster,
        read=answers(product),
        write=transition(cluster, release_manager.access_token, product, "1.2.0", "pause"),
        before=("1.2.0", "1.2.0", True, signed),
        after=("1.1.0", "1.1.0", False, signed + 1),  # a paused release leaves the TUF targets too
    )
