"""The publishing API (release managers only) and the public JSON update check."""

from __future__ import annotations

import hashlib

import pytest
import requests


@pytest.fixture
def manager(bearer_client, release_manager):
    return bearer_client(release_manager)


def test_publishing_api_is_forbidden_to_other_users_and_anonymous(bearer_client, user, api_client):
    client = bearer_client(user)
    assert client.get("/api/updates/products").status_code == 403
    response = client.post("/api/updates/products", {"slug": "nope", "name": "Nope"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert api_client.get("/api/updates/products").status_code in (401, 403)


def test_release_manager_creates_uploads_and_publishes_through_the_api(manager, dispatcher, catalog):
    slug = catalog.product().slug
    base = f"/api/updates/products/{slug}/releases"
    response = manager.post(base, {"version_name": "1.0.0", "channel": "stable", "notes": "First"}, format="json")
    assert response.status_code == 201
    created = response.json()
    assert (created["status"], created["version_name"], created["version"]) == ("draft", "1.0.0", 1)
    assert response["Location"] == f"{base}/1.0.0"
    assert response["ETag"] == '"v1"'
    content = b"api upload"
    start = manager.post(
        f"{base}/1.0.0/artifacts",
        {
            "platform": "linux-x64",
            "filename": "app.tar.gz",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        },
        format="json",
    ).json()
    assert start["mode"] == "post"
    requests.post(start["url"], data=start["fields"], files={"file": ("f", content)}, timeout=10).raise_for_status()
    catalog.handle_upload(slug, "1.0.0", "linux-x64")
    artifact = manager.get(f"{base}/1.0.0/artifacts/linux-x64").json()
    assert (artifact["status"], artifact["size"]) == ("ready", len(content))
    published = manager.post(f"{base}/1.0.0/publish", {}, format="json")
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    assert published["ETag"] == f'"v{published.json()["version"]}"'
    listing = manager.get(base).json()
    assert [r["version_name"] for r in listing["results"]] == ["1.0.0"]


def test_bad_input_gets_field_messages_and_writes_nothing(manager, catalog):
    slug = catalog.product().slug
    base = f"/api/updates/products/{slug}/releases"
    response = manager.post(base, {"version_name": "1.0", "channel": "stable"}, format="json")
    assert response.status_code == 400
    assert "version_name" in response.json()["error"]["fields"]
    response = manager.post(base, {"version_name": "1.0.0", "channel": "gamma"}, format="json")
    assert response.status_code == 422
    assert "channel" in response.json()["error"]["fields"]
    assert manager.get(base).json()["results"] == []
    assert manager.get(f"/api/updates/products/{slug}-missing/releases").status_code == 404


def test_update_check_answers_200_with_the_offer_or_204_and_is_cacheable(api_client, catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    response = api_client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/1.0.0?bucket=5")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "1.1.0"
    assert body["notes"] == "# 1.1.0"
    assert body["critical"] is False
    assert body["url"].startswith("http://testserver/updates/artifacts/")
    assert len(body["sha256"]) == 64
    assert body["size"] > 0
    assert body["signature"]
    assert "s-maxage=60" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    again = api_client.get(
        f"/api/updates/{product.slug}/stable/darwin-arm64/1.0.0?bucket=5", HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304
    current = api_client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/1.1.0")
    assert current.status_code == 204
    assert "s-maxage" in current["Cache-Control"]


def test_update_check_errors(api_client, catalog):
    product = catalog.product()
    base = f"/api/updates/{product.slug}"
    assert api_client.get(f"/api/updates/no-such-{product.slug}/stable/darwin-arm64/1.0.0").status_code == 404
    assert api_client.get(f"{base}/canary/darwin-arm64/1.0.0").json()["error"]["code"] == "channel_not_found"
    assert api_client.get(f"{base}/stable/amiga-68k/1.0.0").status_code == 404
    malformed = api_client.get(f"{base}/stable/darwin-arm64/1.0")
    assert malformed.status_code == 400
    assert "current_version" in malformed.json()["error"]["fields"]
    assert api_client.get(f"{base}/stable/darwin-arm64/1.0.0?bucket=100").status_code == 400


def test_signing_keys_are_published(api_client):
    from updates import signing

    keys = api_client.get("/api/updates/keys").json()["keys"]
    assert keys[0]["algorithm"] == "ed25519"
    assert keys[0]["public_key_hex"] == signing.public_key_raw().hex()


def test_every_operation_is_in_the_schema(api_client):
    schema = api_client.get("/api/schema/?format=json").content.decode()
    for operation in (
        "updates_check",
        "updates_check_rollout",
        "updates_releases_publish",
        "updates_artifacts_upload_complete",
    ):
        assert operation in schema


@pytest.mark.parametrize("bucket", ["²", "٣", "\uff11", "5\n", "-1", "1.5"])
def test_a_bucket_that_is_not_ascii_digits_is_a_400_in_the_error_shape_on_every_protocol(client, catalog, bucket):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    urls = (
        f"/api/updates/{product.slug}/stable/darwin-arm64/1.0.0",
        f"/update/{product.slug}/darwin-arm64/1.0.0",
        f"/updates/{product.slug}/appcast.xml",
    )
    for url in urls:
        response = client.get(url, {"bucket": bucket})
        assert response.status_code == 400, url
        error = response.json()["error"]
        assert (error["code"], list(error["fields"])) == ("invalid", ["bucket"]), url


def test_a_version_with_a_non_ascii_digit_or_a_trailing_newline_is_a_400_on_the_update_checks(client, catalog):
    product = catalog.product()
    catalog.release(product, "13.0.0")
    for version in ("1٣.0.0", "1.0.0%0A"):
        check = client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/{version}")
        assert check.status_code == 400
        assert check.json()["error"]["code"] == "invalid_version"
        electron = client.get(f"/update/{product.slug}/darwin-arm64/{version}")
        assert electron.status_code == 400
        assert electron.json()["error"]["code"] == "invalid_version"


def test_cacheable_check_lists_the_new_offer_with_its_rollout_then_the_previous_one(api_client, catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0", rollout=30, minimum_os_version="13.0")
    url = f"/api/updates/{product.slug}/stable/darwin-arm64/1.0.0/rollout"
    response = api_client.get(url)
    assert response.status_code == 200
    offers = response.json()["offers"]
    assert [(o["version"], o["rollout"], o["minimum_os_version"]) for o in offers] == [
        ("1.2.0", 30, "13.0"),
        ("1.1.0", 100, None),
    ]
    assert offers[1]["url"] == api_client.get(url.removesuffix("/rollout") + "?bucket=30").json()["url"]
    assert "s-maxage=60" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    assert api_client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    up_to_date = api_client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/1.2.0/rollout")
    assert (up_to_date.status_code, up_to_date.json()) == (200, {"offers": []})
    assert api_client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/1٣.0.0/rollout").status_code == 400
    assert api_client.get(f"/api/updates/{product.slug}/canary/darwin-arm64/1.0.0/rollout").status_code == 404
