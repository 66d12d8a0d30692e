"""`manage.py provision`: everything the stage needs, idempotent, on the emulators and on AWS (moto)."""

from __future__ import annotations

import io

import boto3
import pytest
from django.core.management import call_command

from mysite import aws
from mysite.dynamo import all_models
from tests.moto_aws import on_aws


def provision(*args: str) -> str:
    out = io.StringIO()
    call_command("provision", *args, stdout=out)
    return out.getvalue()


def test_second_run_on_the_local_stack_changes_nothing():
    provision()  # whatever another test may have left to do
    output = provision()
    assert "No changes: everything is already provisioned." in output
    assert "applying" not in output


def test_dry_run_on_a_provisioned_stack_plans_nothing():
    assert "No changes" in provision("--dry-run")


def test_every_model_table_exists_with_its_stream_and_ttl():
    client = aws.client("dynamodb")
    for model in all_models():
        table = client.describe_table(TableName=model.Meta.table_name)["Table"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        if getattr(model.Meta, "stream_view_type", None):
            assert table["StreamSpecification"] == {
                "StreamEnabled": True,
                "StreamViewType": model.Meta.stream_view_type,
            }
        if model._ttl_attribute():
            ttl = client.describe_time_to_live(TableName=model.Meta.table_name)["TimeToLiveDescription"]
            assert ttl["TimeToLiveStatus"] == "ENABLED"
            assert ttl["AttributeName"] == model._ttl_attribute().attr_name


@pytest.mark.usefixtures("_stack")
def test_provision_against_aws_creates_everything_once(settings, monkeypatch):
    with on_aws(settings, monkeypatch):
        dry = provision("--dry-run")
        assert "would    user pool mysite: create user pool" in dry
        assert boto3.client("dynamodb").list_tables()["TableNames"] == []

        first = provision()
        second = provision()

        tables = boto3.client("dynamodb").list_tables()["TableNames"]
        assert sorted(tables) == sorted(m.Meta.table_name for m in all_models())
        s3 = boto3.client("s3")
        block = s3.get_public_access_block(Bucket="mysite-prod-test")["PublicAccessBlockConfiguration"]
        assert all(block.values())
        assert s3.get_bucket_cors(Bucket="mysite-prod-test")["CORSRules"][0]["AllowedMethods"] == [
            "GET",
            "PUT",
            "POST",
            "HEAD",
        ]
        idp = boto3.client("cognito-idp")
        pools = idp.list_user_pools(MaxResults=10)["UserPools"]
        assert [p["Name"] for p in pools] == ["mysite"]
        groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=pools[0]["Id"])["Groups"]}
        assert groups == {"contributors", "authors", "editors", "administrators", "release-managers"}
        assert "applying" in first
        assert "No changes: everything is already provisioned." in second


def test_unreachable_endpoint_is_a_clear_command_error(settings):
    from django.core.management.base import CommandError

    settings.COGNITO_ENDPOINT_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(CommandError) as error:
        provision()
    assert "could not be reached" in str(error.value)


def hash_first(key_schema: list[dict]) -> list[dict]:
    return sorted(key_schema, key=lambda k: k["KeyType"] != "HASH")


def test_indexes_added_to_an_existing_table_keep_their_projection_one_at_a_time():
    """A table made before its model grew indexes gets each one, INCLUDE projections with their attributes,
    waiting for each to be ACTIVE before the next (DynamoDB builds one new index of a table at a time)."""
    from mysite.provisioning.tables import TableStep
    from todos.models import Task

    class EarlierTasks(Task):
        class Meta(Task.Meta):
            table_name = "test-provision-earlier-tasks"

    client = aws.client("dynamodb")
    schema = EarlierTasks._get_schema()
    earlier = [i for i in schema["global_secondary_indexes"] if i["index_name"] not in ("by-task", "by-list-changed")]
    client.create_table(
        TableName=EarlierTasks.Meta.table_name,
        KeySchema=hash_first(schema["key_schema"]),
        AttributeDefinitions=list(
            {
                a["AttributeName"]: a
                for i in earlier
                for a in i["attribute_definitions"] + schema["attribute_definitions"]
            }.values()
        ),
        GlobalSecondaryIndexes=[
            {"IndexName": i["index_name"], "KeySchema": hash_first(i["key_schema"]), "Projection": i["projection"]}
            for i in earlier
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        step = TableStep(EarlierTasks)
        changes = [c for c in step.plan() if c.description.startswith("add index")]
        assert sorted(c.description for c in changes) == ["add index by-list-changed", "add index by-task"]
        for change in changes:
            change.apply()
        table = client.describe_table(TableName=EarlierTasks.Meta.table_name)["Table"]
        indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
        assert set(indexes) == {i.Meta.index_name for i in Task._indexes.values()}
        assert {i["IndexStatus"] for i in indexes.values()} == {"ACTIVE"}
        assert indexes["by-task"]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["list_id"]}
        assert indexes["by-list"]["Projection"] == {"ProjectionType": "ALL"}
        assert not [c for c in step.plan() if c.description.startswith("add index")]
    finally:
        client.delete_table(TableName=EarlierTasks.Meta.table_name)
