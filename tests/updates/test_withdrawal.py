"""A yanked release's files: no catalog route serves them any more (410), other releases' files stay."""

from __future__ import annotations

from django.test import Client

from mysite import storage
from updates import services
from updates.selectors import artifact_get, release_get


def _artifact(product: str, version: str, platform: str = "darwin-arm64"):
    return artifact_get(release=release_get(product=product, version=version), platform=platform)


def test_a_yanked_release_s_artifact_answers_410_on_the_artifact_and_tuf_target_routes(catalog):
    client = Client()
    product = catalog.product()
    catalog.release(product, "1.0.0", content=b"kept " * 100)
    catalog.release(product, "1.1.0", content=b"withdrawn " * 100)
    kept, yanked = _artifact(product.slug, "1.0.0"), _artifact(product.slug, "1.1.0")
    artifact_url = f"/updates/{yanked.key}"
    target_url = f"/updates/{product.slug}/tuf/targets/darwin-arm64/1.1.0/{yanked.sha256}.{yanked.filename}"
    assert client.get(artifact_url).status_code == 200
    assert client.get(target_url).status_code == 200

    services.release_yank(product=product.slug, version="1.1.0")

    gone = client.get(artifact_url)
    assert gone.status_code == 410
    assert b"withdrawn" in gone.content
    answer = client.get(target_url)
    assert answer.status_code == 410
    assert answer.json()["error"]["code"] == "artifact_withdrawn"
    assert storage.object_head(yanked.key) is None  # the CDN domain's bucket origin has nothing to serve either
    assert storage.object_head(f"yanked/{yanked.sha256}/{yanked.filename}")["ContentLength"] == len(b"withdrawn " * 100)
    # The release before it is untouched, and a file that never existed is still a 404.
    assert b"".join(client.get(f"/updates/{kept.key}").streaming_content) == b"kept " * 100
    assert client.get(f"/updates/artifacts/{'0' * 64}/{yanked.filename}").status_code == 404


def test_a_file_another_live_release_shares_stays_downloadable_when_one_is_yanked(catalog):
    product = catalog.product()
    same = b"identical bytes " * 64
    for version in ("1.0.0", "1.1.0"):
        services.release_create(product=product.slug, version=version, channel="stable")
        assert catalog.upload(product.slug, version, "darwin-arm64", same, filename="App-darwin-arm64.zip") == "ready"
    services.release_publish(product=product.slug, version="1.1.0")
    first, second = _artifact(product.slug, "1.0.0"), _artifact(product.slug, "1.1.0")
    assert first.key == second.key  # the same bytes under the same name: one content-addressed object
    services.release_yank(product=product.slug, version="1.1.0")
    assert storage.object_head(first.key) is not None
    assert b"".join(Client().get(f"/updates/{first.key}").streaming_content) == same
