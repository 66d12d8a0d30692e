"""Outcome beacons: counted exactly in sharded counters; bad input and floods change nothing they should not."""

from __future__ import annotations

import itertools
import json

import pytest

from updates.beacons import BEACON_SHARDS, counter_key, release_outcome_counts
from updates.models import BeaconCounter
from updates.versions import SemVer

URL = "/api/updates/beacons"
_addresses = itertools.count(1)


def address() -> str:
    """A fresh client address per call site, so one test's beacons never meet another test's limit."""
    n = next(_addresses)
    return f"203.0.113.{n % 250}" if n < 250 else f"198.18.{n // 250}.{n % 250}"


def post(client, body, *, ip: str, raw: bytes | None = None, **extra):
    data = raw if raw is not None else json.dumps(body).encode()
    return client.generic("POST", URL, data, content_type="application/json", REMOTE_ADDR=ip, **extra)


@pytest.fixture
def released(catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0", platforms=("darwin-arm64", "linux-x64"))
    return product


def counts_of(product, version: str):
    return release_outcome_counts(product=product.slug, sort_key=SemVer.parse(version).sort_key)


def test_each_outcome_is_counted_per_platform_and_shards_sum_exactly(api_client, released):
    mix = [("darwin-arm64", "downloaded")] * 7 + [("darwin-arm64", "installed")] * 5
    mix += [("linux-x64", "failed")] * 2 + [("linux-x64", "rolled-back")] + [("linux-x64", "installed")] * 3
    ip = address()
    for platform, outcome in mix:
        beacon = {"product": released.slug, "version": "1.0.0", "platform": platform, "outcome": outcome}
        assert post(api_client, beacon, ip=ip).status_code == 204
    counts = counts_of(released, "1.0.0")
    assert counts.total("downloaded", platform="darwin-arm64") == 7
    assert counts.total("installed", platform="darwin-arm64") == 5
    assert counts.total("installed", platform="linux-x64") == 3
    assert (counts.total("failed"), counts.total("rolled-back")) == (2, 1)
    assert (counts.reports, counts.failures) == (11, 3)
    # Seventeen beacons landed on random shards: the items really are spread, and their sum is the total.
    keys = [counter_key(product=released.slug, sort_key=SemVer.parse("1.0.0").sort_key, shard=s) for s in range(8)]
    per_shard = [sum(int(i.installed or 0) + int(i.downloaded or 0) for i in BeaconCounter.query(k)) for k in keys]
    assert sum(per_shard) == 15
    assert sum(1 for n in per_shard if n) > 1
    assert len(keys) == BEACON_SHARDS


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"version": "9.9.9"}, 404, "release_not_found"),
        ({"version": "2.0.0"}, 404, "release_not_found"),  # a draft: never offered, so nobody can report on it
        ({"version": "1.0"}, 400, "invalid_version"),
        ({"product": "no-such-product"}, 404, "product_not_found"),
        ({"platform": "amiga-68k"}, 400, "invalid"),
        ({"outcome": "exploded"}, 400, "invalid"),
        ({"install_id": "a1b2c3"}, 400, "invalid"),  # anything beyond the four fields is refused
        ({"version": ["1.0.0"]}, 400, "invalid"),
    ],
)
def test_bad_beacons_are_4xx_in_the_error_shape_and_count_nothing(api_client, catalog, released, change, status, code):
    catalog.release(released, "2.0.0", platforms=("linux-x64",), publish=False)
    body = {"product": released.slug, "version": "1.0.0", "platform": "linux-x64", "outcome": "installed", **change}
    response = post(api_client, body, ip=address())
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert counts_of(released, "1.0.0").by_day == {}
    assert counts_of(released, "2.0.0").by_day == {}


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"x" * 5000, 413, "beacon_too_large"),
        (b"{" + b" " * 1100 + b"}", 413, "beacon_too_large"),
        (b"{not json", 400, "invalid"),
        (b"[1, 2]", 400, "invalid"),
        (b"[" * 500 + b"]" * 500, 400, "invalid"),
        (b"", 400, "invalid"),
    ],
)
def test_huge_or_malformed_bodies_are_refused_and_count_nothing(api_client, released, raw, status, code):
    response = post(api_client, None, ip=address(), raw=raw)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert counts_of(released, "1.0.0").by_day == {}


def test_a_flood_from_one_address_is_429_with_retry_after_and_counts_only_what_was_let_in(
    api_client, released, settings
):
    settings.UPDATES_BEACON_LIMIT = (3, 600)
    ip = address()
    beacon = {"product": released.slug, "version": "1.0.0", "platform": "linux-x64", "outcome": "installed"}
    answers = [post(api_client, beacon, ip=ip) for _ in range(6)]
    assert [a.status_code for a in answers] == [204, 204, 204, 429, 429, 429]
    refused = answers[-1]
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 600
    assert refused.json()["error"] == {
        "code": "throttled",
        "message": "Too many attempts; wait a little and try again.",
        "retry_after": retry_after,
    }
    assert counts_of(released, "1.0.0").total("installed") == 3
    # Another client is not held back by the flood.
    assert post(api_client, beacon, ip=address()).status_code == 204
    assert counts_of(released, "1.0.0").total("installed") == 4


def test_the_beacon_route_passes_the_edge_uncached_and_is_in_the_schema(api_client):
    from mysite.edge import behavior_for

    behavior = behavior_for(URL)
    assert not behavior.caches
    assert "POST" in behavior.methods
    schema = api_client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert "post" in json.loads(schema.content)["paths"]["/api/updates/beacons"]
