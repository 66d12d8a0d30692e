"""Render a Zappa stage from the code: events from the declared event sources, permissions from the stage's resources.

The same declarations (`<app>/events.py` EVENT_SOURCES, the PynamoDB models) feed the
local dispatcher, `provision` and this file, so a new handler or table reaches
`zappa_settings.json` by running `manage.py zappa_settings`, never by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from os.path import commonpath

from django.conf import settings

from mysite.deploy import naming
from mysite.deploy.api_cache import render_api_cache
from mysite.deploy.package_excludes import (
    DEPLOY_ONLY_GLOB,
    DJANGO_EXCLUDE_GLOB,
    EXCLUDE,
    PROJECT_EXCLUDE_GLOB,
    VENDOR_FILES_GLOB,
    botocore_exclude_glob,
    botocore_older_api_versions_glob,
    installed_botocore_services,
)
from mysite.deploy.policies import StageResources, attach_policy, lambda_statements
from mysite.deploy.stages import ACCOUNT_PLACEHOLDER, PENDING
from mysite.dynamo import all_models
from mysite.event_sources import FailurePolicy, ScheduleSource, StreamSource, UploadSource, all_event_sources

UPLOAD_ROUTER = "mysite.deploy.handlers.upload_router"


def stage_defaults(stage: str) -> dict:
    production = stage == "production"
    short = "prod" if production else stage
    defaults = {
        "aws_region": "us-east-1",
        "s3_bucket": f"mysite-{stage}-zappa-packages",
        # 1024 MB buys about 0.6 vCPU: Django's cold start and Pillow's renditions stay around a second.
        "memory_size": 1024,
        # API Gateway cuts HTTP requests at 29 s anyway; events (hashing large artifacts) need longer.
        "timeout_seconds": 120 if production else 60,
        "keep_warm": production,
        # CloudFront caches by the app's headers; a cluster would bill for the same hits (mysite/deploy/api_cache.py).
        "api_gateway_cache": False,
        "environment_variables": {
            "DYNAMODB_TABLE_PREFIX": f"{short}-",
            "AWS_STORAGE_BUCKET_NAME": f"mysite-{stage}-site",
            "COGNITO_USER_POOL_NAME": f"mysite-{stage}",
            "DJANGO_ALLOWED_HOSTS": ".execute-api.us-east-1.amazonaws.com,.cloudfront.net",
            "DEFAULT_FROM_EMAIL": "MySite <no-reply@example.com>"
            if production
            else f"MySite {stage} <no-reply@{stage}.example.com>",
            "DJANGO_SECRET_KEY_SECRET_ID": f"mysite/{stage}/django-secret-key",
            "UPDATES_SIGNING_KEY_SECRET_ID": f"mysite/{stage}/updates-signing-key",
            "S3_TRANSFER_ACCELERATION": "true" if production else "false",
        },
    }
    if production:
        defaults.update(keep_warm_expression="rate(4 minutes)")
    return defaults


# Written by `zappa_settings` from what `provision` and `setup_cloudfront` created.
LOOKED_UP = (
    "COGNITO_USER_POOL_ID",
    "COGNITO_CLIENT_ID",
    "COGNITO_IDENTITY_POOL_ID",
    "COGNITO_IDENTITY_ROLE_ARN",
    "CLOUDFRONT_DISTRIBUTION_ID",
    "CDN_DOMAIN",
)


@dataclass
class Lookups:
    """What exists on AWS for the stage; unknown values stay placeholders (or what the file already says)."""

    account: str = ACCOUNT_PLACEHOLDER
    stream_arns: dict[str, str] = field(default_factory=dict)  # table name -> LatestStreamArn
    values: dict[str, str] = field(default_factory=dict)  # names from LOOKED_UP


def stage_table(model, prefix: str) -> str:
    """The stage's name for a model's table (the model was named with this process's prefix)."""
    return prefix + model.Meta.table_name.removeprefix(settings.DYNAMODB_TABLE_PREFIX)


def ses_identity(from_email: str) -> str:
    """The domain of the sending address: verifying the domain covers every address on it."""
    address = from_email.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1]


def upload_prefix_filter(prefixes: list[str]) -> str:
    """The longest folder all upload prefixes share: S3 allows one prefix filter per notification."""
    common = commonpath(prefixes) if prefixes else ""
    return f"{common}/" if common else ""


def dead_letter_queue_arn(*, region: str, account: str, prefix: str) -> str:
    """The stage's SQS queue for stream batches and events given up on (`provision` creates it)."""
    return f"arn:aws:sqs:{region}:{account}:{naming.dead_letter_queue_name(prefix)}"


def render_events(
    *, region: str, account: str, prefix: str, bucket: str, stream_arns: dict[str, str], dead_letters: str
) -> list[dict]:
    """Zappa's `events`; stream sources carry their failure policy, which `zappa_callbacks` applies."""
    sources = all_event_sources()
    events: list[dict] = []
    for source in sources:
        if isinstance(source, StreamSource):
            table = stage_table(source.table_model(), prefix)
            arn = stream_arns.get(table) or f"arn:aws:dynamodb:{region}:{account}:table/{table}/stream/{PENDING}"
            failures = source.failures
            events.append(
                {
                    "function": source.function,
                    "event_source": {
                        "arn": arn,
                        "starting_position": "TRIM_HORIZON",
                        "batch_size": source.batch_size,
                        "enabled": True,
                        # Zappa ignores these; the post-deploy callback sets them on the mapping.
                        "maximum_retry_attempts": failures.maximum_retry_attempts,
                        "maximum_record_age_in_seconds": failures.maximum_record_age_seconds,
                        "bisect_batch_on_function_error": failures.bisect_batch_on_error,
                        "function_response_types": ["ReportBatchItemFailures"],
                        "on_failure_destination": dead_letters,
                    },
                }
            )
    uploads = [s for s in sources if isinstance(s, UploadSource)]
    if uploads:
        # Zappa maps S3 events by bucket and names every notification after the function,
        # so one bucket gets one notification; the router hands each record to its prefix's handler.
        events.append(
            {
                "function": UPLOAD_ROUTER,
                "event_source": {
                    "arn": f"arn:aws:s3:::{bucket}",
                    "events": ["s3:ObjectCreated:*"],
                    "prefix": upload_prefix_filter([u.prefix for u in uploads]),
                },
            }
        )
    for source in sources:
        if isinstance(source, ScheduleSource):
            events.append({"function": source.function, "expression": source.rate})
    return events


def render_async_failures(*, dead_letters: str) -> dict:
    """The function's asynchronous invoke configuration (S3 notifications, schedules): one per function.

    Every handler runs in the one Lambda function Zappa deploys, and Lambda keeps one
    event invoke configuration per function, so the S3 and schedule sources must agree.
    """
    policies = {s.failures for s in all_event_sources() if isinstance(s, UploadSource | ScheduleSource)}
    if len(policies) > 1:
        raise ValueError(f"S3 and schedule sources declare different failure policies {policies}; a function has one.")
    policy = next(iter(policies), FailurePolicy())
    return {
        "maximum_retry_attempts": policy.maximum_retry_attempts,
        "maximum_event_age_in_seconds": policy.maximum_record_age_seconds,
        "on_failure_destination": dead_letters,
    }


def tuf_kms_key_ids(value: str | dict) -> tuple[str, ...]:
    """The KMS key ids of UPDATES_TUF_KMS_KEYS (JSON: role -> [key id, ...]), sorted, without repeats."""
    keys = json.loads(value) if isinstance(value, str) and value.strip() else (value or {})
    return tuple(sorted({key for ids in keys.values() for key in ids}))


def render_stage(stage: str, current: dict | None, lookups: Lookups) -> dict:
    """The full stage configuration: the file's own values, then everything derived from the code and AWS."""
    current = dict(current or {})
    defaults = stage_defaults(stage)
    env = {**defaults["environment_variables"], **current.get("environment_variables", {})}
    for name in LOOKED_UP:
        value = lookups.values.get(name) or env.get(name) or ""
        env[name] = value
    region = current.get("aws_region", defaults["aws_region"])
    account = lookups.account
    prefix = env["DYNAMODB_TABLE_PREFIX"]
    bucket = env["AWS_STORAGE_BUCKET_NAME"]
    dead_letters = dead_letter_queue_arn(region=region, account=account, prefix=prefix)
    tables = tuple(sorted(stage_table(model, prefix) for model in all_models()))
    stream_tables = tuple(
        sorted({stage_table(s.table_model(), prefix) for s in all_event_sources() if isinstance(s, StreamSource)})
    )
    resources = StageResources(
        region=region,
        account=account,
        tables=tables,
        stream_tables=stream_tables,
        bucket=bucket,
        user_pool_id=env["COGNITO_USER_POOL_ID"] or PENDING,
        ses_identity=ses_identity(env["DEFAULT_FROM_EMAIL"]),
        distribution_id=env["CLOUDFRONT_DISTRIBUTION_ID"],
        secret_ids=tuple(
            env[name] for name in ("DJANGO_SECRET_KEY_SECRET_ID", "UPDATES_SIGNING_KEY_SECRET_ID") if env.get(name)
        ),
        dead_letter_queue_arn=dead_letters,
        kms_key_ids=tuf_kms_key_ids(env.get("UPDATES_TUF_KMS_KEYS", "")),
    )
    operator_keys = {k: current.get(k, v) for k, v in defaults.items() if k != "environment_variables"}
    extra = {k: v for k, v in current.items() if k not in RENDERED and k not in operator_keys}
    return {
        "project_name": "mysite",
        "django_settings": "mysite.settings.production",
        "runtime": "python3.13",
        **operator_keys,
        **extra,
        **render_api_cache(bool(operator_keys["api_gateway_cache"])),
        "binary_support": True,
        "use_precompiled_packages": False,
        "attach_policy": attach_policy_path(stage),
        "callbacks": {
            "settings": "mysite.deploy.zappa_callbacks.check_ready",
            "post": "mysite.deploy.zappa_callbacks.post_deploy",
        },
        "exclude": EXCLUDE,
        "exclude_glob": PROJECT_EXCLUDE_GLOB
        + DEPLOY_ONLY_GLOB
        + DJANGO_EXCLUDE_GLOB
        + VENDOR_FILES_GLOB
        + botocore_exclude_glob(installed_botocore_services())
        + botocore_older_api_versions_glob(),
        "environment_variables": dict(sorted(env.items())),
        "events": render_events(
            region=region,
            account=account,
            prefix=prefix,
            bucket=bucket,
            stream_arns=lookups.stream_arns,
            dead_letters=dead_letters,
        ),
        "async_event_failures": render_async_failures(dead_letters=dead_letters),
        "extra_permissions": lambda_statements(resources),
    }


RENDERED = {
    "api_gateway_cached_routes",
    "async_event_failures",
    "cache_cluster_enabled",
    "cache_cluster_encrypted",
    "cache_cluster_size",
    "cache_cluster_ttl",
    "attach_policy",
    "callbacks",
    "project_name",
    "django_settings",
    "runtime",
    "binary_support",
    "use_precompiled_packages",
    "exclude",
    "exclude_glob",
    "environment_variables",
    "events",
    "extra_permissions",
}


def attach_policy_path(stage: str) -> str:
    """Where the stage's role policy is written (Zappa reads `attach_policy` as a file, relative to the project)."""
    return f"mysite/deploy/iam/attach-policy.{stage}.json"


def render_attach_policy(stage: str, config: dict, lookups: Lookups) -> dict:
    return attach_policy(
        region=config["aws_region"], account=lookups.account, function_name=f"{config['project_name']}-{stage}"
    )


def current_lookups(current: dict) -> Lookups:
    """Offline: keep what the file already knows (account, stream ARNs, ids), for a stable re-render."""
    env = current.get("environment_variables", {})
    stream_arns = {}
    account = ACCOUNT_PLACEHOLDER
    for event in current.get("events", []):
        arn = event.get("event_source", {}).get("arn", "")
        if arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn and not arn.endswith(PENDING):
            stream_arns[arn.split(":table/", 1)[1].split("/stream/", 1)[0]] = arn
        if arn.startswith("arn:aws:dynamodb:"):
            account = arn.split(":")[4]
    return Lookups(account=account, stream_arns=stream_arns, values={k: env.get(k, "") for k in LOOKED_UP})
