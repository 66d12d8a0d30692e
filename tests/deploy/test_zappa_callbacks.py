"""Zappa callbacks: deploying placeholders is refused; the stream mappings Zappa cannot make are made, once."""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace

import boto3
import pytest

from mysite.deploy import stages
from mysite.deploy.zappa_callbacks import (
    NotReadyError,
    check_ready,
    ensure_async_failures,
    ensure_stream_mappings,
    post_deploy,
)
from mysite.event_sources import ASYNC_FAILURES, STREAM_FAILURES


def cli(command: str, stage_config: dict, **extra) -> SimpleNamespace:
    """The attributes of Zappa's CLI object that the callbacks read."""
    return SimpleNamespace(command=command, api_stage="production", stage_config=stage_config, **extra)


def test_deploying_a_stage_with_placeholders_is_refused():
    config = stages.read_stage("production")
    with pytest.raises(NotReadyError, match=r"manage\.py zappa_settings --stage production"):
        check_ready(cli("deploy", config))
    check_ready(cli("package", config))  # building the zip needs no account


def test_a_rendered_stage_may_be_deployed():
    text = json.dumps(stages.read_stage("production"))
    config = json.loads(
        text.replace("ACCOUNT_ID", "123456789012").replace("PENDING_PROVISION", "2026-11-27T00:00:00.000")
    )
    check_ready(cli("update", config))


@pytest.fixture
def function_and_stream(aws_account):
    iam = boto3.client("iam")
    role = iam.create_role(RoleName="mysite-production-ZappaLambdaExecutionRole", AssumeRolePolicyDocument="{}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    boto3.client("lambda", region_name="us-east-1").create_function(
        FunctionName="mysite-production",
        Runtime="python3.13",
        Role=role["Role"]["Arn"],
        Handler="handler.lambda_handler",
        Code={"ZipFile": code.getvalue()},
    )
    table = boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="prod-profiles",
        KeySchema=[{"AttributeName": "sub", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "sub", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    queue = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="prod-dead-letters")["QueueUrl"]
    queue_arn = boto3.client("sqs", region_name="us-east-1").get_queue_attributes(
        QueueUrl=queue, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    # The production stage's stream event as rendered, pointed at moto's table and queue.
    production_events = stages.read_stage("production")["events"]
    [rendered] = [e for e in production_events if e["function"] == "accounts.events.profile_stream_handler"]
    source = {**rendered["event_source"], "arn": table["LatestStreamArn"], "on_failure_destination": queue_arn}
    events = [
        {"function": rendered["function"], "event_source": source},
        {"function": "blog.events.publish_due_handler", "expression": "rate(1 minute)"},
    ]
    return table["LatestStreamArn"], events


def test_the_stream_mapping_is_created_with_a_starting_position_once(function_and_stream):
    stream_arn, events = function_and_stream
    client = boto3.client("lambda", region_name="us-east-1")
    assert ensure_stream_mappings(client, "mysite-production", events) == [(stream_arn, "created")]
    [mapping] = client.list_event_source_mappings(FunctionName="mysite-production")["EventSourceMappings"]
    assert mapping["EventSourceArn"] == stream_arn
    assert mapping["BatchSize"] == 25
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert ensure_stream_mappings(client, "mysite-production", events) == []
    assert len(client.list_event_source_mappings(FunctionName="mysite-production")["EventSourceMappings"]) == 1


def test_the_post_callback_uses_zappas_session(function_and_stream, capsys):
    stream_arn, events = function_and_stream
    session = boto3.Session(region_name="us-east-1")
    post_deploy(
        cli(
            "deploy",
            {"aws_region": "us-east-1", "events": events},
            lambda_name="mysite-production",
            zappa=SimpleNamespace(boto_session=session),
        )
    )
    assert f"Created the event source mapping for {stream_arn}" in capsys.readouterr().out


def test_a_stream_mapping_bounds_retries_bisects_reports_partial_failures_and_dead_letters(function_and_stream):
    _stream_arn, events = function_and_stream
    client = boto3.client("lambda", region_name="us-east-1")
    ensure_stream_mappings(client, "mysite-production", events)
    [mapping] = client.list_event_source_mappings(FunctionName="mysite-production")["EventSourceMappings"]
    queue_arn = events[0]["event_source"]["on_failure_destination"]
    assert mapping["MaximumRetryAttempts"] == STREAM_FAILURES.maximum_retry_attempts == 2
    assert mapping["MaximumRecordAgeInSeconds"] == STREAM_FAILURES.maximum_record_age_seconds == 21600
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn
    assert queue_arn.endswith(":prod-dead-letters")


def test_an_existing_mapping_without_failure_handling_is_updated_once(function_and_stream):
    """A mapping from an earlier deploy (5 retries, no destination) gets the declared policy on the next update."""
    stream_arn, events = function_and_stream
    client = boto3.client("lambda", region_name="us-east-1")
    client.create_event_source_mapping(
        FunctionName="mysite-production",
        EventSourceArn=stream_arn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=25,
        MaximumRetryAttempts=5,
        BisectBatchOnFunctionError=True,
    )
    assert ensure_stream_mappings(client, "mysite-production", events) == [(stream_arn, "updated")]
    [mapping] = client.list_event_source_mappings(FunctionName="mysite-production")["EventSourceMappings"]
    assert mapping["MaximumRetryAttempts"] == 2
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(":prod-dead-letters")
    assert ensure_stream_mappings(client, "mysite-production", events) == []


def test_s3_and_schedule_invocations_retry_as_declared_then_go_to_the_dead_letter_queue(function_and_stream):
    _stream_arn, events = function_and_stream
    client = boto3.client("lambda", region_name="us-east-1")
    rendered = stages.read_stage("production")["async_event_failures"]
    queue_arn = events[0]["event_source"]["on_failure_destination"]
    config = {**rendered, "on_failure_destination": queue_arn}
    assert ensure_async_failures(client, "mysite-production", config) is True
    current = client.get_function_event_invoke_config(FunctionName="mysite-production")
    assert current["MaximumRetryAttempts"] == ASYNC_FAILURES.maximum_retry_attempts == 2
    assert current["MaximumEventAgeInSeconds"] == ASYNC_FAILURES.maximum_record_age_seconds
    assert current["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn
    assert ensure_async_failures(client, "mysite-production", config) is False
