"""`setup_cloudfront` against moto: one distribution, OAC for the bucket, only it may read, re-runs change nothing."""

from __future__ import annotations

import json
import uuid

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from django.core.management.base import CommandError

from mysite import edge
from mysite.deploy import cloudfront as cf
from mysite.deploy.policies import wildcard_resources
from tests.deploy.conftest import run

BUCKET = "mysite-production-site"


@pytest.fixture(autouse=True)
def cache_policies(aws_account):
    """CloudFront's cache-policy calls, answered from memory: moto 5.2 has no cache policies (deploy-only API)."""
    store: dict[str, dict] = {}
    versions: dict[str, int] = {}

    def remember(params, context, **kwargs):
        context["api_params"] = params  # before-call sees the serialised request; keep the caller's arguments

    def answer(parsed: dict):
        return AWSResponse("https://cloudfront.amazonaws.com", 200, {}, None), parsed

    def create(context, **kwargs):
        params = context["api_params"]
        policy_id = str(uuid.uuid4())
        store[policy_id], versions[policy_id] = params["CachePolicyConfig"], 1
        return answer({"CachePolicy": {"Id": policy_id, "CachePolicyConfig": store[policy_id]}, "ETag": "E1"})

    def listing(**kwargs):
        items = [{"Type": "custom", "CachePolicy": {"Id": i, "CachePolicyConfig": c}} for i, c in store.items()]
        return answer({"CachePolicyList": {"MaxItems": 100, "Quantity": len(items), "Items": items}})

    def get(context, **kwargs):
        params = context["api_params"]
        policy_id = params["Id"]
        return answer(
            {
                "CachePolicy": {"Id": policy_id, "CachePolicyConfig": store[policy_id]},
                "ETag": f"E{versions[policy_id]}",
            }
        )

    def update(context, **kwargs):
        params = context["api_params"]
        policy_id = params["Id"]
        assert params["IfMatch"] == f"E{versions[policy_id]}"
        store[policy_id] = params["CachePolicyConfig"]
        versions[policy_id] += 1
        return answer({"CachePolicy": {"Id": policy_id, "CachePolicyConfig": store[policy_id]}, "ETag": "E"})

    handlers = {"CreateCachePolicy": create, "ListCachePolicies": listing, "GetCachePolicy": get}
    handlers["UpdateCachePolicy"] = update
    events = boto3._get_default_session().events
    for operation, handler in handlers.items():
        events.register(f"provide-client-params.cloudfront.{operation}", remember)
        events.register(f"before-call.cloudfront.{operation}", handler)
    yield store
    for operation, handler in handlers.items():
        events.unregister(f"provide-client-params.cloudfront.{operation}", remember)
        events.unregister(f"before-call.cloudfront.{operation}", handler)


@pytest.fixture
def stage(aws_account):
    """What exists after `provision` and `zappa deploy production`: the bucket and the stage's REST API."""
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET)
    apigateway = boto3.client("apigateway", region_name="us-east-1")
    api = apigateway.create_rest_api(name="mysite-production")
    root = apigateway.get_resources(restApiId=api["id"])["items"][0]["id"]
    apigateway.put_method(restApiId=api["id"], resourceId=root, httpMethod="ANY", authorizationType="NONE")
    apigateway.put_integration(
        restApiId=api["id"],
        resourceId=root,
        httpMethod="ANY",
        type="HTTP_PROXY",
        integrationHttpMethod="ANY",
        uri="https://example.com",
    )
    apigateway.create_deployment(restApiId=api["id"], stageName="production", cacheClusterEnabled=True)
    return api["id"]


def distribution() -> dict:
    client = boto3.client("cloudfront", region_name="us-east-1")
    [item] = client.list_distributions()["DistributionList"]["Items"]
    return client.get_distribution_config(Id=item["Id"])["DistributionConfig"] | {"Id": item["Id"]}


def test_a_first_run_creates_the_distribution_and_prints_its_domain(stage):
    output = run("setup_cloudfront", "--stage", "production")
    config = distribution()
    assert config["Comment"] == f"mysite site {BUCKET}"
    [listed] = boto3.client("cloudfront").list_distributions()["DistributionList"]["Items"]
    assert f"domain   {listed['DomainName']}  (distribution {config['Id']})" in output
    origins = {o["Id"]: o for o in config["Origins"]["Items"]}
    assert origins["site-bucket"]["DomainName"] == f"{BUCKET}.s3.us-east-1.amazonaws.com"
    oacs = boto3.client("cloudfront").list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert [o["Name"] for o in oacs] == [f"{BUCKET}-oac"]
    assert origins["site-bucket"]["OriginAccessControlId"] == oacs[0]["Id"]
    assert origins["api-gateway"]["DomainName"] == f"{stage}.execute-api.us-east-1.amazonaws.com"
    assert origins["api-gateway"]["OriginPath"] == "/production"
    assert origins["api-gateway"]["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_each_path_gets_its_cache_behaviour_from_the_edge_table_in_order(stage, cache_policies):
    run("setup_cloudfront", "--stage", "production")
    config = distribution()
    [policy_id] = cache_policies
    items = config["CacheBehaviors"]["Items"]
    assert [b["PathPattern"] for b in items] == [b.path_pattern for b in edge.BEHAVIORS]
    behaviours = {b["PathPattern"]: b for b in items}
    for path in ("/static/*", "/media/*", "/artifacts/*"):
        assert behaviours[path]["TargetOriginId"] == "site-bucket"
        assert behaviours[path]["CachePolicyId"] == cf.CACHING_OPTIMIZED
        assert behaviours[path]["AllowedMethods"]["Items"] == ["GET", "HEAD"]
    for path in ("/api/blog/admin/*", "/api/updates/products/*", "/api/*"):
        assert behaviours[path]["TargetOriginId"] == "api-gateway"
        assert behaviours[path]["CachePolicyId"] == cf.CACHING_DISABLED
        assert behaviours[path]["OriginRequestPolicyId"] == cf.ALL_VIEWER_EXCEPT_HOST
        assert "DELETE" in behaviours[path]["AllowedMethods"]["Items"]
    for path in ("/api/blog/*", "/api/updates/*", "/update/*", "/updates/*", "/blog/*", "/sitemap.xml"):
        assert behaviours[path]["TargetOriginId"] == "api-gateway"
        assert behaviours[path]["CachePolicyId"] == policy_id
        # No origin request policy: neither cookies nor Authorization reach the origin on a cached path.
        assert "OriginRequestPolicyId" not in behaviours[path] or not behaviours[path]["OriginRequestPolicyId"]
        assert behaviours[path]["AllowedMethods"]["Items"] == ["GET", "HEAD", "OPTIONS"]
    default = config["DefaultCacheBehavior"]
    assert default["TargetOriginId"] == "api-gateway"
    assert default["CachePolicyId"] == cf.CACHING_DISABLED
    every = [default, *behaviours.values()]
    assert {b["ViewerProtocolPolicy"] for b in every} == {"redirect-to-https"}
    assert len(every) <= edge.MAX_BEHAVIORS


def test_the_origin_headers_policy_caches_only_what_the_app_says(stage, cache_policies):
    run("setup_cloudfront", "--stage", "production")
    [policy] = cache_policies.values()
    assert policy["Name"] == "mysite-production-origin-cache-control"
    assert (policy["MinTTL"], policy["DefaultTTL"], policy["MaxTTL"]) == (0, 0, 31536000)
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["QueryStringsConfig"]["QueryStringBehavior"] == "whitelist"
    assert key["QueryStringsConfig"]["QueryStrings"]["Items"] == [
        "bucket",
        "channel",
        "cursor",
        "limit",
        "os",
        "platform",
        "q",
    ]
    assert key["EnableAcceptEncodingGzip"] is True
    assert key["EnableAcceptEncodingBrotli"] is True


def test_a_changed_cache_policy_is_updated_in_place(stage, cache_policies):
    run("setup_cloudfront", "--stage", "production")
    [(policy_id, policy)] = cache_policies.items()
    policy["MaxTTL"] = 60  # changed by hand in the console
    output = run("setup_cloudfront", "--stage", "production")
    assert "update cache policy mysite-production-origin-cache-control" in output
    assert list(cache_policies) == [policy_id]
    assert cache_policies[policy_id]["MaxTTL"] == 31536000


def test_errors_without_cache_control_are_not_kept(stage):
    run("setup_cloudfront", "--stage", "production")
    errors = distribution()["CustomErrorResponses"]["Items"]
    assert {e["ErrorCode"]: e["ErrorCachingMinTTL"] for e in errors} == dict.fromkeys(edge.ERROR_CODES, 0)


def test_the_bucket_policy_admits_only_this_distribution(stage):
    run("setup_cloudfront", "--stage", "production")
    config = distribution()
    account = boto3.client("sts").get_caller_identity()["Account"]
    policy = json.loads(boto3.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert statement["Condition"] == {
        "StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{account}:distribution/{config['Id']}"}
    }
    assert statement["Resource"] == [f"arn:aws:s3:::{BUCKET}/{p}/*" for p in ("static", "media", "artifacts")]
    assert wildcard_resources(policy["Statement"]) == []


def test_api_gateway_method_caching_is_turned_off(stage):
    run("setup_cloudfront", "--stage", "production")
    settings = boto3.client("apigateway").get_stage(restApiId=stage, stageName="production")["methodSettings"]
    assert settings["*/*"]["cachingEnabled"] is False


def test_a_second_run_changes_nothing(stage):
    run("setup_cloudfront", "--stage", "production")
    before = distribution()
    output = run("setup_cloudfront", "--stage", "production")
    assert "No changes: the distribution is as configured." in output
    assert "applying" not in output
    assert distribution() == before
    assert len(boto3.client("cloudfront").list_distributions()["DistributionList"]["Items"]) == 1


def test_a_changed_setting_updates_the_distribution_in_place(stage):
    run("setup_cloudfront", "--stage", "production")
    first = distribution()
    output = run("setup_cloudfront", "--stage", "production", "--price-class", "PriceClass_All")
    assert f"update distribution {first['Id']} in place" in output
    assert distribution()["PriceClass"] == "PriceClass_All"
    assert distribution()["Id"] == first["Id"]


def test_dry_run_changes_nothing(stage):
    output = run("setup_cloudfront", "--stage", "production", "--dry-run")
    assert "would    create cache policy mysite-production-origin-cache-control" in output
    assert "would    create distribution" in output
    assert boto3.client("cloudfront").list_distributions()["DistributionList"].get("Items", []) == []


def test_a_missing_api_is_a_clear_error(aws_account):
    with pytest.raises(CommandError, match="zappa deploy staging"):
        run("setup_cloudfront", "--stage", "staging")


def test_an_alias_needs_a_certificate(stage):
    with pytest.raises(CommandError, match="--certificate-arn"):
        run("setup_cloudfront", "--stage", "production", "--alias", "www.example.com")


def test_standard_logs_go_to_the_prefix_whose_uploads_count_downloads(stage):
    from mysite.event_sources import UploadSource, all_event_sources
    from updates.cdn_logs import CDN_LOG_PREFIX

    run("setup_cloudfront", "--stage", "production")
    assert distribution()["Logging"] == {
        "Enabled": True,
        "IncludeCookies": False,
        "Bucket": f"{BUCKET}.s3.amazonaws.com",
        "Prefix": "cdn-logs/",
    }
    assert cf.LOG_PREFIX == CDN_LOG_PREFIX
    [source] = [s for s in all_event_sources() if isinstance(s, UploadSource) and s.prefix == cf.LOG_PREFIX]
    assert source.function == "updates.events.cdn_log_handler"


def test_a_bucket_without_acls_is_made_to_accept_log_delivery_once(stage):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.put_bucket_ownership_controls(
        Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    dry = run("setup_cloudfront", "--stage", "production", "--dry-run")
    assert f"would    bucket {BUCKET}: Object Ownership BucketOwnerPreferred (was BucketOwnerEnforced)" in dry
    assert cf.bucket_object_ownership(BUCKET) == "BucketOwnerEnforced"
    output = run("setup_cloudfront", "--stage", "production")
    assert f"applying bucket {BUCKET}: Object Ownership BucketOwnerPreferred" in output
    assert s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"] == [
        {"ObjectOwnership": "BucketOwnerPreferred"}
    ]
    again = run("setup_cloudfront", "--stage", "production")
    assert f"ok       bucket {BUCKET} accepts CloudFront's log delivery (cdn-logs/)" in again
    assert "applying" not in again


def test_a_distribution_without_logging_gets_it_in_place(stage):
    run("setup_cloudfront", "--stage", "production")
    client = boto3.client("cloudfront", region_name="us-east-1")
    config = distribution()
    distribution_id = config.pop("Id")
    etag = client.get_distribution_config(Id=distribution_id)["ETag"]
    config["Logging"] = {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""}
    client.update_distribution(Id=distribution_id, DistributionConfig=config, IfMatch=etag)
    output = run("setup_cloudfront", "--stage", "production")
    assert f"applying update distribution {distribution_id} in place" in output
    assert distribution()["Logging"]["Prefix"] == "cdn-logs/"
    assert distribution()["Logging"]["Enabled"] is True
