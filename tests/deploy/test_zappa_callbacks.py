"""Zappa callbacks: deploying placeholders is refused; the stream mappings Zappa cannot make are made, once."""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace

import boto3
import pytest

from mysite.deploy import stages
from mysite.deploy.zappa_callbacks import NotReadyError, check_ready, ensure_stream_mappings, post_deploy


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
    events = [
        {
            "function": "accounts.events.profile_stream_handler",
            "event_source": {"arn": table["LatestStreamArn"], "starting_position": "TRIM_HORIZON", "batch_size": 25},
        },
        {"function": "blog.events.publish_due_handler", "expression": "rate(1 minute)"},
    ]
    return table["LatestStreamArn"], events


def test_the_stream_mapping_is_created_with_a_starting_position_once(function_and_stream):
    stream_arn, events = function_and_stream
    client = boto3.client("lambda", region_name="us-east-1")
    assert ensure_stream_mappings(client, "mysite-production", events) == [stream_arn]
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
