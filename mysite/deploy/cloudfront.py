"""The stage's CloudFront distribution, rendered from the edge table (mysite/edge.py).

S3 through Origin Access Control, API Gateway for the rest. Desired state is built as
plain dicts; each `ensure_*` compares it with what exists and changes only what differs,
so a second run is a no-op.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import edge
from mysite.deploy import naming
from mysite.deploy.aws import GLOBAL_REGION, client, error_code

S3_ORIGIN = edge.BUCKET
API_ORIGIN = edge.API
CACHING_OPTIMIZED = edge.CACHING_OPTIMIZED.managed_id
CACHING_DISABLED = edge.CACHING_DISABLED.managed_id
ALL_VIEWER_EXCEPT_HOST = edge.ALL_VIEWER_EXCEPT_HOST
# CloudFront's standard logs go to the site bucket under this prefix, whose S3 notification feeds the
# download counts (`updates.events.cdn_log_handler`; a test checks the two prefixes agree).
LOG_PREFIX = "cdn-logs/"
# Standard logging writes with an ACL grant to CloudFront's log-delivery account, so the bucket must
# accept ACLs: objects stay the bucket owner's ("BucketOwnerPreferred"), public ACLs stay blocked.
LOG_OBJECT_OWNERSHIP = "BucketOwnerPreferred"


@dataclass(frozen=True)
class Origins:
    bucket: str
    region: str
    api_domain: str
    api_stage: str
    origin_access_control_id: str


def cache_policy_name(policy: edge.CachePolicy, stage: str) -> str:
    """A custom cache policy's name in the account: one per stage, so stages change theirs independently."""
    return f"mysite-{stage}-{policy.name}"


def cache_behaviors(policy_ids: dict[str, str]) -> list[dict]:
    """The CacheBehaviors of the table, in its order (CloudFront's first match wins)."""
    return [edge.cloudfront_behavior(behavior, policy_ids=policy_ids) for behavior in edge.BEHAVIORS]


def distribution_config(
    origins: Origins, *, aliases: list[str], certificate_arn: str, price_class: str, policy_ids: dict[str, str]
) -> dict:
    """The whole DistributionConfig this command wants (without CallerReference).

    `policy_ids` maps each custom cache policy's table name to its id in the account.
    """
    if certificate_arn:
        certificate = {
            "ACMCertificateArn": certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": "TLSv1.2_2021",
        }
    else:
        certificate = {"CloudFrontDefaultCertificate": True}
    return {
        "Comment": naming.distribution_comment(origins.bucket),
        "Enabled": True,
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
        "PriceClass": price_class,
        "Aliases": {"Quantity": len(aliases), "Items": aliases} if aliases else {"Quantity": 0},
        "ViewerCertificate": certificate,
        "Origins": {
            "Quantity": 2,
            "Items": [
                {
                    "Id": S3_ORIGIN,
                    "DomainName": f"{origins.bucket}.s3.{origins.region}.amazonaws.com",
                    "OriginPath": "",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                    "OriginAccessControlId": origins.origin_access_control_id,
                },
                {
                    "Id": API_ORIGIN,
                    "DomainName": origins.api_domain,
                    "OriginPath": f"/{origins.api_stage}",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                        "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                    },
                },
            ],
        },
        "DefaultCacheBehavior": edge.cloudfront_behavior(edge.DEFAULT, policy_ids=policy_ids),
        "CacheBehaviors": {"Quantity": len(edge.BEHAVIORS), "Items": cache_behaviors(policy_ids)},
        "Logging": {
            "Enabled": True,
            "IncludeCookies": False,  # session cookies never reach the logs
            "Bucket": f"{origins.bucket}.s3.amazonaws.com",
            "Prefix": LOG_PREFIX,
        },
        # Without this CloudFront keeps an error without Cache-Control for 10 s; the app's headers decide instead.
        "CustomErrorResponses": {
            "Quantity": len(edge.ERROR_CODES),
            "Items": [{"ErrorCode": code, "ErrorCachingMinTTL": 0} for code in edge.ERROR_CODES],
        },
    }


def contains(current, wanted) -> bool:
    """Whether `current` already has every value of `wanted` (AWS adds defaults of its own)."""
    if isinstance(wanted, dict):
        if current is None:  # a block of empty values may come back absent
            return all(contains(None, value) for value in wanted.values())
        return isinstance(current, dict) and all(contains(current.get(key), value) for key, value in wanted.items())
    if isinstance(wanted, list):
        return (
            isinstance(current, list)
            and len(current) == len(wanted)
            and all(contains(c, w) for c, w in zip(current, wanted, strict=True))
        )
    return current == wanted or (wanted == "" and current is None)  # an empty string may come back absent


def merged(current, wanted):
    """`current` with every value of `wanted` written over it (UpdateDistribution needs the whole config)."""
    if isinstance(wanted, dict) and isinstance(current, dict):
        return {**current, **{key: merged(current.get(key), value) for key, value in wanted.items()}}
    return wanted


# --- Reading and writing ---------------------------------------------------------------------


def cloudfront():
    return client("cloudfront", GLOBAL_REGION)


def find_cache_policy(name: str) -> tuple[str, dict] | None:
    """(id, CachePolicyConfig) of the account's custom cache policy called `name`."""
    listing = cloudfront().list_cache_policies(Type="custom").get("CachePolicyList", {})
    for item in listing.get("Items", []) or []:
        policy = item["CachePolicy"]
        if policy["CachePolicyConfig"]["Name"] == name:
            return policy["Id"], policy["CachePolicyConfig"]
    return None


def create_cache_policy(config: dict) -> str:
    return cloudfront().create_cache_policy(CachePolicyConfig=config)["CachePolicy"]["Id"]


def update_cache_policy(policy_id: str, config: dict) -> None:
    etag = cloudfront().get_cache_policy(Id=policy_id)["ETag"]
    cloudfront().update_cache_policy(Id=policy_id, CachePolicyConfig=config, IfMatch=etag)


def find_origin_access_control(name: str) -> str | None:
    items = cloudfront().list_origin_access_controls().get("OriginAccessControlList", {}).get("Items", [])
    return next((item["Id"] for item in items if item["Name"] == name), None)


def create_origin_access_control(name: str) -> str:
    return cloudfront().create_origin_access_control(
        OriginAccessControlConfig={
            "Name": name,
            "Description": "The site's distribution signs every request to the bucket",
            "SigningProtocol": "sigv4",
            "SigningBehavior": "always",
            "OriginAccessControlOriginType": "s3",
        }
    )["OriginAccessControl"]["Id"]


def find_distribution(comment: str) -> dict | None:
    for page in cloudfront().get_paginator("list_distributions").paginate():
        for item in page.get("DistributionList", {}).get("Items", []) or []:
            if item.get("Comment") == comment:
                return item
    return None


def create_distribution(config: dict) -> dict:
    full = {"CallerReference": f"mysite-{time.time_ns()}", **config}
    return cloudfront().create_distribution(DistributionConfig=full)["Distribution"]


def distribution_changes(distribution_id: str, wanted: dict) -> tuple[dict, str] | None:
    """(the config to send, its ETag) when the distribution differs from `wanted`; None when it matches."""
    response = cloudfront().get_distribution_config(Id=distribution_id)
    current = response["DistributionConfig"]
    if contains(current, wanted):
        return None
    return merged(current, wanted), response["ETag"]


def update_distribution(distribution_id: str, config: dict, etag: str) -> dict:
    return cloudfront().update_distribution(Id=distribution_id, DistributionConfig=config, IfMatch=etag)["Distribution"]


# --- The bucket policy: only this distribution reads ----------------------------------------------


def bucket_policy(*, bucket: str, account: str, distribution_id: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudFrontReadsThroughOriginAccessControl",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}{path}" for path in edge.bucket_patterns()],
                "Condition": {
                    "StringEquals": {"AWS:SourceArn": f"arn:aws:cloudfront::{account}:distribution/{distribution_id}"}
                },
            }
        ],
    }


def current_bucket_policy(bucket: str) -> dict | None:
    try:
        return json.loads(client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as error:
        if error_code(error) in {"NoSuchBucketPolicy", "NoSuchBucket"}:
            return None
        raise


def put_bucket_policy(bucket: str, policy: dict) -> None:
    client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


def bucket_object_ownership(bucket: str) -> str | None:
    """The bucket's Object Ownership rule (None when it has none, which S3 treats as accepting ACLs)."""
    try:
        rules = client("s3").get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    except ClientError as error:
        if error_code(error) == "OwnershipControlsNotFoundError":
            return None
        raise
    return rules[0]["ObjectOwnership"] if rules else None


def put_bucket_object_ownership(bucket: str, ownership: str) -> None:
    client("s3").put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": ownership}]}
    )


# --- API Gateway: the origin ------------------------------------------------------------------------


def find_rest_api(name: str) -> str | None:
    for page in client("apigateway").get_paginator("get_rest_apis").paginate():
        for api in page.get("items", []):
            if api["name"] == name:
                return api["id"]
    return None


def api_domain(api_id: str) -> str:
    return f"{api_id}.execute-api.{settings.AWS_REGION}.amazonaws.com"


def api_cache_patch(api_id: str, stage: str) -> list[dict]:
    """Stage method settings that keep API Gateway's cache from answering one user with another's data.

    Zappa routes every path through one `{proxy+}` method and gives it no cache key, and
    API Gateway ignores the app's Cache-Control: with caching on for GET, `/todos/` of one
    user would be served to the next. The cluster stays provisioned; caching is decided by
    CloudFront, which honours the headers. Returns the patch operations still needed.
    """
    stage_info = client("apigateway").get_stage(restApiId=api_id, stageName=stage)
    settings_now = stage_info.get("methodSettings", {}).get("*/*", {})
    if settings_now.get("cachingEnabled") is False:
        return []
    return [{"op": "replace", "path": "/*/*/caching/enabled", "value": "false"}]


def apply_api_cache_patch(api_id: str, stage: str, operations: list[dict]) -> None:
    client("apigateway").update_stage(restApiId=api_id, stageName=stage, patchOperations=operations)
