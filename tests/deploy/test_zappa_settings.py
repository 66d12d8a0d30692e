"""zappa_settings.json is rendered from the code: in sync, complete, scoped; `zappa_settings` fills in AWS's values."""

from __future__ import annotations

import json

import boto3
import pytest
from django.conf import settings
from django.core.management.base import CommandError

from mysite.deploy import package_excludes, stages
from mysite.deploy.policies import wildcard_resources
from mysite.deploy.render import UPLOAD_ROUTER, current_lookups, render_stage
from mysite.dynamo import all_models
from mysite.event_sources import ScheduleSource, StreamSource, UploadSource, all_event_sources
from tests.deploy.conftest import run


@pytest.fixture
def repository_stages() -> dict:
    return json.loads(stages.settings_path().read_text())


@pytest.fixture
def settings_file(tmp_path, settings, repository_stages):
    """A copy of the repository's zappa_settings.json that a test may rewrite."""
    path = tmp_path / "zappa_settings.json"
    path.write_text(stages.dumps(repository_stages))
    for stage in repository_stages.values():  # the role policies live beside it, as in the repository
        policy = tmp_path / stage["attach_policy"]
        policy.parent.mkdir(parents=True, exist_ok=True)
        policy.write_text((stages.settings_path().parent / stage["attach_policy"]).read_text())
    settings.ZAPPA_SETTINGS_FILE = str(path)
    return path


def test_the_repository_file_matches_the_declared_sources_and_models():
    """Add an event source or a table and this fails until `manage.py zappa_settings --offline` is run."""
    assert "No changes: zappa_settings.json matches the code." in run("zappa_settings", "--check")


@pytest.mark.parametrize("stage", stages.STAGES)
def test_every_declared_event_source_is_wired(stage):
    config = stages.read_stage(stage)
    events = config["events"]
    prefix = config["environment_variables"]["DYNAMODB_TABLE_PREFIX"]
    bucket = config["environment_variables"]["AWS_STORAGE_BUCKET_NAME"]
    for source in all_event_sources():
        if isinstance(source, StreamSource):
            table = prefix + source.table_model().Meta.table_name.removeprefix(settings.DYNAMODB_TABLE_PREFIX)
            [event] = [e for e in events if e["function"] == source.function]
            assert f":table/{table}/stream/" in event["event_source"]["arn"]
            assert event["event_source"]["batch_size"] == source.batch_size
        elif isinstance(source, ScheduleSource):
            assert {"function": source.function, "expression": source.rate} in events
        elif isinstance(source, UploadSource):
            [router] = [e for e in events if e["function"] == UPLOAD_ROUTER]
            assert router["event_source"]["arn"] == f"arn:aws:s3:::{bucket}"
            assert source.prefix.startswith(router["event_source"]["prefix"])
    routers = [e for e in events if e["function"] == UPLOAD_ROUTER]
    assert len(routers) == 1  # Zappa names S3 notifications after the function: one per bucket


@pytest.mark.parametrize("stage", stages.STAGES)
def test_the_stage_settings_are_as_documented(stage):
    config = stages.read_stage(stage)
    assert config["django_settings"] == "mysite.settings.production"
    assert config["runtime"] == "python3.13"
    assert config["binary_support"] is True
    assert {".venv", "devstack", "node_modules"} <= set(config["exclude"])
    assert {"tests/", "docs/", "benchmarks/"} <= set(config["exclude_glob"])
    first_letters = "".join(sorted({service[0] for service in package_excludes.BOTOCORE_SERVICES}))
    assert f"botocore/data/[!{first_letters}]*/" in config["exclude_glob"]  # every other service's model is left out
    assert config["cache_cluster_enabled"] is False  # tests/deploy/test_api_cache.py
    if stage == "production":
        assert config["keep_warm"] is True


@pytest.mark.parametrize("stage", stages.STAGES)
def test_every_permission_names_this_stages_resources(stage):
    config = stages.read_stage(stage)
    env = config["environment_variables"]
    statements = config["extra_permissions"]
    assert wildcard_resources(statements) == []
    by_sid = {s["Sid"]: s for s in statements}
    own_prefix = settings.DYNAMODB_TABLE_PREFIX
    tables = {env["DYNAMODB_TABLE_PREFIX"] + m.Meta.table_name.removeprefix(own_prefix) for m in all_models()}
    table_arns = by_sid["StageTables"]["Resource"]
    assert {arn.split(":table/")[1].split("/")[0] for arn in table_arns} == tables
    assert all(arn.startswith(f"arn:aws:dynamodb:{config['aws_region']}:") for arn in table_arns)
    assert all(
        r.startswith(f"arn:aws:s3:::{env['AWS_STORAGE_BUCKET_NAME']}/") for r in by_sid["BucketObjects"]["Resource"]
    )
    assert by_sid["BucketListing"]["Resource"] == [f"arn:aws:s3:::{env['AWS_STORAGE_BUCKET_NAME']}"]
    domain = env["DEFAULT_FROM_EMAIL"].split("@")[1].rstrip(">")
    region, account = config["aws_region"], stages.ACCOUNT_PLACEHOLDER
    assert by_sid["SendEmail"]["Resource"] == [f"arn:aws:ses:{region}:{account}:identity/{domain}"]
    assert [r.rsplit(":secret:", 1)[1] for r in by_sid["Secrets"]["Resource"]] == [
        f"{env['DJANGO_SECRET_KEY_SECRET_ID']}-??????",
        f"{env['UPDATES_SIGNING_KEY_SECRET_ID']}-??????",
    ]
    assert all(":userpool/" in r for r in by_sid["UserPool"]["Resource"])
    assert all(not action.endswith("*") for s in statements for action in s["Action"])


@pytest.mark.parametrize("stage", stages.STAGES)
def test_zappas_default_role_policy_is_replaced_by_the_functions_own_logs(stage):
    config = stages.read_stage(stage)
    policy = json.loads((stages.settings_path().parent / config["attach_policy"]).read_text())
    [statement] = policy["Statement"]
    group = f"arn:aws:logs:{config['aws_region']}:{stages.ACCOUNT_PLACEHOLDER}:log-group:/aws/lambda/mysite-{stage}"
    assert statement["Resource"] == [group, f"{group}:log-stream:*"]
    assert wildcard_resources(policy["Statement"]) == []


@pytest.mark.parametrize("stage", stages.STAGES)
def test_only_the_streams_that_feed_the_function_are_readable(stage):
    config = stages.read_stage(stage)
    prefix = config["environment_variables"]["DYNAMODB_TABLE_PREFIX"]
    streams = {s["Sid"]: s for s in config["extra_permissions"]}["StageStreams"]["Resource"]
    expected = {
        prefix + s.table_model().Meta.table_name.removeprefix(settings.DYNAMODB_TABLE_PREFIX)
        for s in all_event_sources()
        if isinstance(s, StreamSource)
    }
    assert {arn.split(":table/")[1].split("/stream/")[0] for arn in streams} == expected


def test_the_upload_prefixes_are_all_inside_the_functions_bucket_permissions():
    config = stages.read_stage("production")
    objects = {s["Sid"]: s for s in config["extra_permissions"]}["BucketObjects"]["Resource"]
    allowed = [r.split(":::", 1)[1].split("/", 1)[1].removesuffix("*") for r in objects]
    for source in all_event_sources():
        if isinstance(source, UploadSource):
            assert any(source.prefix.startswith(prefix) for prefix in allowed), source.prefix


def make_stale(settings_file) -> None:
    content = json.loads(settings_file.read_text())
    content["production"]["events"] = []
    settings_file.write_text(json.dumps(content))


def test_check_fails_when_a_stage_is_stale_and_dry_run_writes_nothing(settings_file):
    make_stale(settings_file)
    with pytest.raises(CommandError, match="out of date for production"):
        run("zappa_settings", "--check")
    assert "Would update production (--dry-run)." in run("zappa_settings", "--dry-run", "--offline")
    assert json.loads(settings_file.read_text())["production"]["events"] == []


def test_offline_render_restores_a_stale_stage_and_is_then_stable(settings_file, repository_stages):
    make_stale(settings_file)
    assert "applying production" in run("zappa_settings", "--offline")
    assert json.loads(settings_file.read_text()) == repository_stages
    assert "No changes" in run("zappa_settings", "--offline")


def test_the_stage_is_filled_in_from_what_exists_on_aws(aws_account, settings_file, repository_stages):
    """After provision: the real stream ARN, the account, the pool ids; a second run changes nothing."""
    prefix = stages.read_stage("production")["environment_variables"]["DYNAMODB_TABLE_PREFIX"]
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    table = dynamodb.create_table(
        TableName=f"{prefix}profiles",
        KeySchema=[{"AttributeName": "sub", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "sub", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    idp = boto3.client("cognito-idp", region_name="us-east-1")
    pool = idp.create_user_pool(PoolName="mysite-production")["UserPool"]
    web = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web")["UserPoolClient"]
    account = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"]

    output = run("zappa_settings", "--stage", "production")
    assert "applying production" in output
    config = stages.read_stage("production", settings_file)
    [stream] = [e for e in config["events"] if e["function"] == "accounts.events.profile_stream_handler"]
    assert stream["event_source"]["arn"] == table["LatestStreamArn"]
    env = config["environment_variables"]
    assert (env["COGNITO_USER_POOL_ID"], env["COGNITO_CLIENT_ID"]) == (pool["Id"], web["ClientId"])
    assert stages.ACCOUNT_PLACEHOLDER not in json.dumps(config)
    assert f"arn:aws:cognito-idp:us-east-1:{account}:userpool/{pool['Id']}" in json.dumps(config["extra_permissions"])
    assert wildcard_resources(config["extra_permissions"]) == []
    assert "No changes" in run("zappa_settings", "--stage", "production")
    # The other stage was not touched.
    assert stages.read_stage("dev", settings_file) == repository_stages["dev"]


def test_a_new_stage_gets_its_own_resource_names(settings_file):
    assert "applying staging" in run("zappa_settings", "--stage", "staging", "--offline")
    config = stages.read_stage("staging", settings_file)
    assert config == render_stage("staging", config, current_lookups(config))
    env = config["environment_variables"]
    assert (env["DYNAMODB_TABLE_PREFIX"], env["AWS_STORAGE_BUCKET_NAME"]) == ("staging-", "mysite-staging-site")
