"""The production stage pointed at the local emulators: for runs of the built package against the stack in use."""

from __future__ import annotations

from django.conf import settings

from mysite.deploy.render import Lookups, render_stage
from mysite.dynamo import all_models


def local_stream_arns() -> dict[str, str]:
    """Stream ARNs of the tables on the stack in use (the emulators, for packaged-function runs)."""
    from mysite import aws

    client = aws.client("dynamodb")
    return {
        model.Meta.table_name: client.describe_table(TableName=model.Meta.table_name)["Table"]["LatestStreamArn"]
        for model in all_models()
        if getattr(model.Meta, "stream_view_type", None)
    }


def production_on_local_stack(
    *, account: str, stream_arns: dict[str, str], environment: dict | None = None, values: dict | None = None
) -> dict:
    """The production stage rendered with the local stack's names (tables, bucket, pool) and the given lookups."""
    from mysite.deploy import stages

    production = stages.read_stage("production")
    environment = {
        **production["environment_variables"],
        "DYNAMODB_TABLE_PREFIX": settings.DYNAMODB_TABLE_PREFIX,
        "AWS_STORAGE_BUCKET_NAME": settings.AWS_STORAGE_BUCKET_NAME,
        "COGNITO_USER_POOL_NAME": settings.COGNITO_USER_POOL_NAME,
        **(environment or {}),
    }
    lookups = Lookups(
        account=account,
        stream_arns=stream_arns,
        values={
            "COGNITO_USER_POOL_ID": settings.COGNITO_USER_POOL_ID,
            "COGNITO_CLIENT_ID": settings.COGNITO_CLIENT_ID,
            **(values or {}),
        },
    )
    return render_stage("production", {**production, "environment_variables": environment}, lookups)


def stage_for_local_stack() -> dict:
    """The production stage, pointed at the stack in use, so the built package can run against the emulators."""
    return production_on_local_stack(
        account="000000000000",
        stream_arns=local_stream_arns(),
        environment={
            "DJANGO_SECRET_KEY_SECRET_ID": "",
            "UPDATES_SIGNING_KEY_SECRET_ID": "",
            "S3_TRANSFER_ACCELERATION": "false",
        },
    )


def local_function_environment() -> dict[str, str]:
    """The process environment of a packaged function run against the emulators (credentials, endpoints)."""
    import os

    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "AWS_REGION": settings.AWS_REGION,
        "AWS_DEFAULT_REGION": settings.AWS_REGION,
        "DYNAMODB_ENDPOINT_URL": settings.DYNAMODB_ENDPOINT_URL,
        "COGNITO_ENDPOINT_URL": settings.COGNITO_ENDPOINT_URL,
        "S3_ENDPOINT_URL": settings.S3_ENDPOINT_URL,
        "AWS_LOCAL_ACCESS_KEY_ID": settings.AWS_LOCAL_ACCESS_KEY_ID,
        "AWS_LOCAL_SECRET_ACCESS_KEY": settings.AWS_LOCAL_SECRET_ACCESS_KEY,
        "AWS_ACCESS_KEY_ID": settings.AWS_LOCAL_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": settings.AWS_LOCAL_SECRET_ACCESS_KEY,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        # No SES emulator: the console backend prints each message to the function's log.
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
