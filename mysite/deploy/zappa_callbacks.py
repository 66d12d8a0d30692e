"""Zappa `callbacks`: a guard before deploying and what `zappa deploy`/`update` leave undone.

Zappa loads this file by its path, outside Django and outside the project's import path:
standard library and boto3 only.
"""

from __future__ import annotations

import json

import boto3

PLACEHOLDERS = ("ACCOUNT_ID", "PENDING_PROVISION")


class NotReadyError(Exception):
    """The stage still has values only `manage.py zappa_settings` can know."""


def check_ready(cli) -> None:
    """`callbacks.settings`: refuse to deploy a stage whose ARNs are still placeholders (packaging is fine)."""
    if getattr(cli, "command", "") not in {"deploy", "update"}:
        return
    text = json.dumps(cli.stage_config)
    found = [p for p in PLACEHOLDERS if p in text]
    if found:
        raise NotReadyError(
            f"Stage {cli.api_stage} still has {', '.join(found)}: run `manage.py provision` and "
            f"`manage.py zappa_settings --stage {cli.api_stage}` first (see docs/deploy.md)."
        )


def post_deploy(cli) -> None:
    """`callbacks.post`: wire the DynamoDB Streams Zappa could not."""
    session = getattr(cli.zappa, "boto_session", None) or boto3.Session(region_name=cli.stage_config.get("aws_region"))
    for arn in ensure_stream_mappings(session.client("lambda"), cli.lambda_name, cli.stage_config.get("events", [])):
        print(f"Created the event source mapping for {arn}")


def ensure_stream_mappings(client, function_name: str, events: list[dict]) -> list[str]:
    """Create each stream's event source mapping that does not exist yet; returns the stream ARNs it created.

    Zappa 0.63 creates DynamoDB mappings without StartingPosition, which AWS requires
    for streams, and only logs the refusal: without this the welcome emails never go out.
    """
    created = []
    for event in events:
        source = event.get("event_source", {})
        arn = source.get("arn", "")
        if not (arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn):
            continue
        existing = client.list_event_source_mappings(FunctionName=function_name, EventSourceArn=arn)
        if existing["EventSourceMappings"]:
            continue
        client.create_event_source_mapping(
            FunctionName=function_name,
            EventSourceArn=arn,
            StartingPosition=source.get("starting_position", "TRIM_HORIZON"),
            BatchSize=source.get("batch_size", 100),
            Enabled=source.get("enabled", True),
            # A failing record is retried on its own rather than blocking the shard for a day.
            BisectBatchOnFunctionError=True,
            MaximumRetryAttempts=5,
        )
        created.append(arn)
    return created
