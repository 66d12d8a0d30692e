"""`invalidate_cdn` against moto: paths normalised and de-duplicated, sent in batches."""

from __future__ import annotations

import boto3
import pytest
from django.core.management.base import CommandError

from mysite.deploy import cloudfront as cf
from tests.deploy.conftest import run


@pytest.fixture
def distribution_id(aws_account):
    config = cf.distribution_config(
        cf.Origins("b", "us-east-1", "api.example.com", "production", "oac"),
        aliases=[],
        certificate_arn="",
        price_class="PriceClass_100",
        policy_ids={"origin-cache-control": "a-cache-policy-id"},
    )
    distribution = cf.create_distribution(config)
    aws_account.CLOUDFRONT_DISTRIBUTION_ID = distribution["Id"]
    return distribution["Id"]


def invalidated_paths(distribution_id: str) -> list[list[str]]:
    client = boto3.client("cloudfront", region_name="us-east-1")
    items = client.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    batches = []
    for item in items:
        batch = client.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
        batches.append(sorted(batch["Invalidation"]["InvalidationBatch"]["Paths"]["Items"]))
    return sorted(batches)


def test_paths_are_invalidated_in_batches(distribution_id):
    output = run("invalidate_cdn", "blog/", "/blog/", "/blog/feed/", "/static/*", "--batch-size", "2")
    assert f"Invalidated 3 path(s) on {distribution_id}." in output
    assert invalidated_paths(distribution_id) == [["/blog/", "/blog/feed/"], ["/static/*"]]


def test_dry_run_invalidates_nothing(distribution_id):
    assert "would    invalidate 1 path(s)" in run("invalidate_cdn", "/blog/", "--dry-run")
    assert invalidated_paths(distribution_id) == []


def test_the_distribution_can_be_named(aws_account, distribution_id):
    aws_account.CLOUDFRONT_DISTRIBUTION_ID = ""
    run("invalidate_cdn", "/", "--distribution", distribution_id)
    assert invalidated_paths(distribution_id) == [["/"]]


def test_without_a_distribution_it_says_so(aws_account):
    aws_account.CLOUDFRONT_DISTRIBUTION_ID = ""
    with pytest.raises(CommandError, match="CLOUDFRONT_DISTRIBUTION_ID"):
        run("invalidate_cdn", "/")


def test_a_wildcard_must_end_the_path(distribution_id):
    with pytest.raises(CommandError, match="wildcard may only end a path"):
        run("invalidate_cdn", "/blog/*/feed")
