"""The scope checker itself, and the statements it vets."""

from __future__ import annotations

from pathlib import Path

import pytest

from mysite.deploy.package_excludes import (
    BOTOCORE_SERVICES,
    botocore_exclude_glob,
    botocore_older_api_versions_glob,
    installed_botocore_services,
)
from mysite.deploy.policies import StageResources, lambda_statements, wildcard_resources

RESOURCES = StageResources(
    region="eu-west-1",
    account="111122223333",
    tables=("prod-profiles",),
    stream_tables=("prod-profiles",),
    bucket="site",
    user_pool_id="eu-west-1_abc",
    ses_identity="example.org",
    distribution_id="E123",
    secret_ids=("mysite/prod/key",),
)


@pytest.mark.parametrize(
    "resource",
    ["*", "arn:aws:s3:::*", "arn:aws:dynamodb:*:1:table/t", "arn:aws:dynamodb:r:*:table/t", "arn:aws:ses:r:1:*"],
)
def test_wildcards_where_a_resource_is_known_are_found(resource):
    assert wildcard_resources([{"Resource": resource}]) == [resource]


def test_the_lambda_statements_name_every_resource():
    statements = lambda_statements(RESOURCES)
    assert wildcard_resources(statements) == []
    resources = [r for s in statements for r in s["Resource"]]
    assert "arn:aws:dynamodb:eu-west-1:111122223333:table/prod-profiles" in resources
    assert "arn:aws:cloudfront::111122223333:distribution/E123" in resources
    assert "arn:aws:secretsmanager:eu-west-1:111122223333:secret:mysite/prod/key-??????" in resources
    assert not any(":cognito-identity:" in r for r in resources)  # its calls are unauthenticated


def test_no_distribution_means_no_invalidation_permission():
    statements = lambda_statements(StageResources(**{**RESOURCES.__dict__, "distribution_id": ""}))
    assert "InvalidateCdn" not in [s["Sid"] for s in statements]


def test_the_package_keeps_exactly_the_botocore_models_the_function_calls():
    import fnmatch

    services = installed_botocore_services()
    patterns = botocore_exclude_glob(services)
    kept = [s for s in services if not any(fnmatch.fnmatch(f"botocore/data/{s}/", p) for p in patterns)]
    assert sorted(kept) == sorted(BOTOCORE_SERVICES)


def test_the_package_keeps_only_the_api_version_botocore_loads_of_each_service():
    import boto3
    import botocore

    data = Path(botocore.__file__).parent / "data"
    left_out = botocore_older_api_versions_glob()
    assert "botocore/data/cloudfront/2019-03-26/" in left_out
    for service in BOTOCORE_SERVICES:
        versions = sorted(path.name for path in (data / service).iterdir() if path.is_dir())
        loaded = boto3.session.Session(region_name="us-east-1").client(service).meta.service_model.api_version
        assert loaded == versions[-1]
        assert f"botocore/data/{service}/{loaded}/" not in left_out
