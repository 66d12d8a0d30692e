"""Update checks on a warm cache make no DynamoDB call, and any catalog change is seen at once."""

from __future__ import annotations

from contextlib import contextmanager

from botocore.client import BaseClient

from updates.selectors import catalog_changed


@contextmanager
def dynamodb_calls():
    """Count every DynamoDB call made through botocore (the calls still go to DynamoDB Local)."""
    calls: list[str] = []
    original = BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(self, operation, params)

    BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original


def check(client, product, version="1.0.0", bucket=5):
    return client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/{version}?bucket={bucket}")


def test_repeated_update_checks_make_no_dynamodb_call(api_client, catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    first = check(api_client, product)
    assert first.status_code == 200
    with dynamodb_calls() as calls:
        for protocol_path in (
            f"/api/updates/{product.slug}/stable/darwin-arm64/1.0.0?bucket=5",
            f"/update/{product.slug}/darwin-arm64/1.0.0",
            f"/updates/{product.slug}/appcast.xml?channel=stable",
            f"/updates/{product.slug}/tuf/timestamp.json",
        ):
            api_client.get(protocol_path)  # warm each answer
        calls.clear()
        again = check(api_client, product)
        api_client.get(f"/update/{product.slug}/darwin-arm64/1.0.0")
        api_client.get(f"/updates/{product.slug}/appcast.xml?channel=stable")
        api_client.get(f"/updates/{product.slug}/tuf/timestamp.json")
    assert calls == []
    assert again.json()["version"] == "1.1.0"


def test_publishing_is_seen_by_the_next_check_despite_the_cache(api_client, catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    assert check(api_client, product).json()["version"] == "1.1.0"
    catalog.release(product, "1.2.0")  # publish: a new catalog generation
    assert check(api_client, product).json()["version"] == "1.2.0"


def test_yank_is_seen_by_the_next_check_despite_the_cache(api_client, catalog):
    from updates import services

    product = catalog.product()
    catalog.release(product, "1.1.0")
    catalog.release(product, "1.2.0")
    assert check(api_client, product).json()["version"] == "1.2.0"
    services.release_yank(product=product.slug, version="1.2.0")
    assert check(api_client, product).json()["version"] == "1.1.0"


def test_catalog_changed_starts_a_new_generation():
    from updates.selectors import catalog_generation

    before = catalog_generation(product="some-product")
    assert catalog_generation(product="some-product") == before
    catalog_changed(product="some-product")
    assert catalog_generation(product="some-product") != before
