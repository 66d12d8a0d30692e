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
    """`callbacks.post`: wire the DynamoDB Streams Zappa could not, with their failure handling; bound async retries."""
    session = getattr(cli.zappa, "boto_session", None) or boto3.Session(region_name=cli.stage_config.get("aws_region"))
    client = session.client("lambda")
    for arn, what in ensure_stream_mappings(client, cli.lambda_name, cli.stage_config.get("events", [])):
        print(f"{what.capitalize()} the event source mapping for {arn}")
    if ensure_async_failures(client, cli.lambda_name, cli.stage_config.get("async_event_failures")):
        print(f"Set the asynchronous invoke configuration of {cli.lambda_name}")


def mapping_failure_settings(source: dict) -> dict:
    """The failure handling a stream's `event_source` declares, as CreateEventSourceMapping takes it."""
    wanted = {
        "MaximumRetryAttempts": source.get("maximum_retry_attempts", 2),
        "MaximumRecordAgeInSeconds": source.get("maximum_record_age_in_seconds", 21600),
        "BisectBatchOnFunctionError": source.get("bisect_batch_on_function_error", True),
        "FunctionResponseTypes": source.get("function_response_types", ["ReportBatchItemFailures"]),
    }
    if source.get("on_failure_destination"):
        wanted["DestinationConfig"] = {"OnFailure": {"Destination": source["on_failure_destination"]}}
    return wanted


def _differs(current: dict, wanted: dict) -> bool:
    def on_failure(config: dict | None) -> str | None:
        return ((config or {}).get("OnFailure") or {}).get("Destination")

    for key, value in wanted.items():
        if key == "DestinationConfig":
            # AWS answers with an empty OnSuccess beside OnFailure: only the failure destination is ours.
            if on_failure(current.get(key)) != on_failure(value):
                return True
        elif current.get(key) != value:
            return True
    return False


def ensure_stream_mappings(client, function_name: str, events: list[dict]) -> list[tuple[str, str]]:
    """Create each stream's event source mapping, or bring an existing one's failure handling up to date.

    Zappa 0.63 creates DynamoDB mappings without StartingPosition, which AWS requires
    for streams, and only logs the refusal: without this the welcome emails never go out.
    Without a retry bound one failing record would block its shard until it ages out (24 h).
    Returns (stream ARN, "created" or "updated") for what changed.
    """
    changed = []
    for event in events:
        source = event.get("event_source", {})
        arn = source.get("arn", "")
        if not (arn.startswith("arn:aws:dynamodb:") and "/stream/" in arn):
            continue
        wanted = mapping_failure_settings(source)
        existing = client.list_event_source_mappings(FunctionName=function_name, EventSourceArn=arn)
        if existing["EventSourceMappings"]:
            [current, *_] = existing["EventSourceMappings"]
            if _differs(current, wanted):
                client.update_event_source_mapping(UUID=current["UUID"], **wanted)
                changed.append((arn, "updated"))
            continue
        client.create_event_source_mapping(
            FunctionName=function_name,
            EventSourceArn=arn,
            StartingPosition=source.get("starting_position", "TRIM_HORIZON"),
            BatchSize=source.get("batch_size", 100),
            Enabled=source.get("enabled", True),
            **wanted,
        )
        changed.append((arn, "created"))
    return changed


def ensure_async_failures(client, function_name: str, config: dict | None) -> bool:
    """PutFunctionEventInvokeConfig from the stage's `async_event_failures`; True if it changed anything."""
    if not config:
        return False
    wanted = {
        "MaximumRetryAttempts": config["maximum_retry_attempts"],
        "MaximumEventAgeInSeconds": config["maximum_event_age_in_seconds"],
        "DestinationConfig": {"OnFailure": {"Destination": config["on_failure_destination"]}},
    }
    try:
        current = client.get_function_event_invoke_config(FunctionName=function_name)
    except client.exceptions.ResourceNotFoundException:
        current = {}
    if current and not _differs(current, wanted):
        return False
    client.put_function_event_invoke_config(FunctionName=function_name, **wanted)
    return True
