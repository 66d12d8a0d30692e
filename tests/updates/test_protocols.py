"""Rollout, pause and yank mean the same on every protocol: JSON (bucketed, cacheable), electron, Sparkle, TUF."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
import requests
from django.test import Client
from tuf.ngclient import Updater

from updates import services
from updates.versions import SemVer

SPARKLE = "{http://www.andymatuschak.org/xml-namespaces/sparkle}"
INSTALLED = "1.0.0"
PLATFORM = "darwin-arm64"
NO_BUCKET = None


def json_check(client: Client, slug: str, bucket: int | None, context: dict) -> str | None:
    query = {} if bucket is None else {"bucket": bucket}
    response = client.get(f"/api/updates/{slug}/stable/{PLATFORM}/{INSTALLED}", query)
    return response.json()["version"] if response.status_code == 200 else None


def cacheable_pick(client: Client, slug: str, bucket: int | None, context: dict) -> tuple[list[dict], int | None]:
    """The one cacheable answer (asked once per run) and the client's rule on it: the index of the first offer
    whose rollout is above its bucket (99 without one), or None when it is up to date."""
    if "offers" not in context:
        context["offers"] = client.get(f"/api/updates/{slug}/stable/{PLATFORM}/{INSTALLED}/rollout").json()["offers"]
    mine = 99 if bucket is None else bucket
    return context["offers"], next((i for i, offer in enumerate(context["offers"]) if mine < offer["rollout"]), None)


def json_cacheable(client: Client, slug: str, bucket: int | None, context: dict) -> str | None:
    offers, picked = cacheable_pick(client, slug, bucket, context)
    return None if picked is None else offers[picked]["version"]


def electron(client: Client, slug: str, bucket: int | None, context: dict) -> str | None:
    query = {} if bucket is None else {"bucket": bucket}
    response = client.get(f"/update/{slug}/{PLATFORM}/{INSTALLED}", query)
    return response.json()["name"] if response.status_code == 200 else None


def electron_step(client: Client, slug: str, bucket: int | None, context: dict) -> str | None:
    """An electron app on the cacheable form: it picks from the offers, then gives Squirrel its step's lowest bucket."""
    offers, picked = cacheable_pick(client, slug, bucket, context)
    if picked is None:
        return None  # up to date: Squirrel is not asked
    step = max((offer["rollout"] for offer in offers[:picked]), default=0)
    context.setdefault("feeds", set()).add(step)
    return electron(client, slug, step, context)


def sparkle(client: Client, slug: str, bucket: int | None, context: dict) -> str | None:
    """Sparkle's choice: the newest item newer than the installed version (no OS or minimum versions here)."""
    query = {"platform": PLATFORM} | ({} if bucket is None else {"bucket": bucket})
    feed = ET.fromstring(client.get(f"/updates/{slug}/appcast.xml", query).content)
    versions = [SemVer.parse(item.findtext(f"{SPARKLE}version")) for item in feed.iter("item")]
    newer = [v for v in versions if v > SemVer.parse(INSTALLED)]
    return str(max(newer)) if newer else None


def tuf(client: Client, slug: str, bucket: int | None, context: dict) -> str | None:
    """A python-tuf client's verified targets, chosen by the documented rule (channel, platform, rollout)."""
    if "targets" not in context:
        base, metadata = f"{context['live_url']}/updates/{slug}/tuf/", context["metadata_dir"]
        root = requests.get(f"{base}1.root.json", timeout=10).content
        Updater(str(metadata), base, str(context["targets_dir"]), f"{base}targets/", bootstrap=root).refresh()
        context["targets"] = json.loads((metadata / "targets.json").read_bytes())["signed"]["targets"]
    mine = 99 if bucket is None else bucket
    chosen = [
        SemVer.parse(target["custom"]["version"])
        for target in context["targets"].values()
        if target["custom"]["platform"] == PLATFORM
        and target["custom"]["channel"] == "stable"
        and mine < target["custom"]["rollout"]
        and SemVer.parse(target["custom"]["version"]) > SemVer.parse(INSTALLED)
    ]
    return str(max(chosen)) if chosen else None


PROTOCOLS = {
    "json-check": json_check,
    "json-cacheable": json_cacheable,
    "electron": electron,
    "electron-step": electron_step,
    "sparkle": sparkle,
    "tuf": tuf,
}


def answers(protocol, slug: str, context: dict) -> dict:
    context = {key: value for key, value in context.items() if key in ("live_url", "metadata_dir", "targets_dir")}
    return {bucket: PROTOCOLS[protocol](Client(), slug, bucket, context) for bucket in [*range(100), NO_BUCKET]}


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_rollout_pause_and_yank_mean_the_same_on_every_protocol(protocol, catalog, live_url, tmp_path):
    product = catalog.product()
    catalog.release(product, "1.0.0")
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0", rollout=30)
    catalog.release(product, "1.3.0")
    services.release_pause(product=product.slug, version="1.3.0")
    catalog.release(product, "1.4.0")
    services.release_yank(product=product.slug, version="1.4.0")
    (tmp_path / "metadata").mkdir()
    (tmp_path / "targets").mkdir()
    context = {"live_url": live_url, "metadata_dir": tmp_path / "metadata", "targets_dir": tmp_path / "targets"}

    # 30%: buckets 0-29 get 1.2.0, the rest (and clients without a bucket) 1.1.0; paused 1.3.0 and
    # yanked 1.4.0 reach nobody.
    expected = {bucket: "1.2.0" if bucket is not None and bucket < 30 else "1.1.0" for bucket in [*range(100), None]}
    assert answers(protocol, product.slug, context) == expected

    # Widening the rollout reaches exactly the next buckets, on this protocol too.
    services.release_update(product=product.slug, version="1.2.0", rollout=60)
    expected = {bucket: "1.2.0" if bucket is not None and bucket < 60 else "1.1.0" for bucket in [*range(100), None]}
    assert answers(protocol, product.slug, context) == expected

    # Resumed, the paused release is offered again to everyone.
    services.release_resume(product=product.slug, version="1.3.0")
    assert set(answers(protocol, product.slug, context).values()) == {"1.3.0"}


def test_a_yanked_release_s_artifact_is_in_no_answer_of_any_protocol(catalog, live_url):
    from updates.models import TufRepository
    from updates.selectors import artifact_get, release_get

    product = catalog.product()
    catalog.release(product, "1.0.0")
    catalog.release(product, "1.1.0", platforms=(PLATFORM, "darwin-universal"))
    yanked = {
        artifact_get(release=release_get(product=product.slug, version="1.1.0"), platform=p).sha256
        for p in (PLATFORM, "darwin-universal")
    }
    services.release_yank(product=product.slug, version="1.1.0")
    client, slug = Client(), product.slug
    current_targets = int(TufRepository.get(slug, consistent_read=True).targets_version)
    bodies = [
        client.get(f"/api/updates/{slug}/stable/{PLATFORM}/0.1.0?bucket=0").content,
        client.get(f"/api/updates/{slug}/stable/{PLATFORM}/0.1.0/rollout").content,
        client.get(f"/update/{slug}/{PLATFORM}/0.1.0?bucket=0").content,
        client.get(f"/update/{slug}/darwin-x64/0.1.0?bucket=0").content,
        client.get(f"/updates/{slug}/appcast.xml?bucket=0").content,
        client.get(f"/updates/{slug}/").content,
        requests.get(f"{live_url}/updates/{slug}/tuf/{current_targets}.targets.json", timeout=10).content,
    ]
    assert all(sha256.encode() not in body for body in bodies for sha256 in yanked)
    assert b"1.0.0" in bodies[0]
    assert b"1.0.0" in bodies[-1]


def test_electron_apps_on_the_cacheable_form_ask_squirrel_in_one_feed_url_per_step(catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0", rollout=30)
    context: dict = {}
    picked = {bucket: electron_step(Client(), product.slug, bucket, context) for bucket in range(100)}

    assert picked == {bucket: "1.2.0" if bucket < 30 else "1.1.0" for bucket in range(100)}
    # 100 buckets, two feed URLs: the CDN keeps one answer per step of the rollout, not one per bucket.
    assert context["feeds"] == {0, 30}
