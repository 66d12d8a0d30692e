"""A warm update check reads only the product's stamp, and any catalog change is seen at once."""

from __future__ import annotations

from contextlib import contextmanager

from botocore.client import BaseClient

from mysite import cache
from mysite.dynamo import table_name
from updates.selectors import catalog_changed


@contextmanager
def dynamodb_calls():
    """Record every DynamoDB call made through botocore as (operation, table); calls still go through."""
    calls: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params.get("TableName", "")))
        return original(self, operation, params)

    BaseClient._make_api_call = counting
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original


def check(client, product, version="1.0.0", bucket=5):
    return client.get(f"/api/updates/{product.slug}/stable/darwin-arm64/{version}?bucket={bucket}")


def test_a_warm_update_check_in_any_protocol_is_one_stamp_get_item(api_client, catalog):
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
    assert calls == [("GetItem", table_name("cache-stamps"))] * 4
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


def test_catalog_changed_replaces_the_products_stamp_and_no_other():
    ours, other = cache.product_scope("some-product"), cache.product_scope("other-product")
    before, untouched = cache.stamp_get(ours), cache.stamp_get(other)
    assert cache.stamp_get(ours) == before
    catalog_changed(product="some-product")
    assert cache.stamp_get(ours).token != before.token
    assert cache.stamp_get(other) == untouched


def test_a_cold_update_check_reads_the_product_once_and_the_offer(api_client, catalog):
    product = catalog.product()
    catalog.release(product, "1.1.0")
    with dynamodb_calls() as calls:
        assert check(api_client, product).json()["version"] == "1.1.0"
    tables = [table for _, table in calls]
    assert tables[0] == table_name("cache-stamps")
    assert tables.count(table_name("cache-stamps")) == 1  # once per request, however many cached reads
    assert tables.count(table_name("update-products")) == 1
