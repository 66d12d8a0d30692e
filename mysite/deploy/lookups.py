"""What already exists on AWS for a stage: the values `zappa_settings` writes into the stage."""

from __future__ import annotations

from botocore.exceptions import ClientError

from mysite.deploy import naming
from mysite.deploy.aws import GLOBAL_REGION, account_id, client, error_code
from mysite.deploy.render import Lookups, stage_table
from mysite.event_sources import StreamSource, all_event_sources
from mysite.registry import declared


def stream_arns(*, region: str, prefix: str) -> dict[str, str]:
    """LatestStreamArn of every table an event source reads, for the tables that exist."""
    dynamodb = client("dynamodb", region)
    found = {}
    for source in all_event_sources():
        if not isinstance(source, StreamSource):
            continue
        table = stage_table(source.table_model(), prefix)
        try:
            arn = dynamodb.describe_table(TableName=table)["Table"].get("LatestStreamArn")
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise
            continue
        if arn:
            found[table] = arn
    return found


def user_pool_ids(*, region: str, pool_name: str) -> dict[str, str]:
    idp = client("cognito-idp", region)
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == pool_name:
                clients = idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]
                web = next((c["ClientId"] for c in clients if c["ClientName"] == "web"), "")
                return {"COGNITO_USER_POOL_ID": pool["Id"], "COGNITO_CLIENT_ID": web}
    return {}


def identity_pool_ids(*, region: str, pool_name: str, role_name: str) -> dict[str, str]:
    """The ids of a Cognito identity pool and its IAM role found by name (apps name them in STAGE_LOOKUPS)."""
    identity = client("cognito-identity", region)
    found = {}
    for page in identity.get_paginator("list_identity_pools").paginate(MaxResults=60):
        for pool in page["IdentityPools"]:
            if pool["IdentityPoolName"] == pool_name:
                found["COGNITO_IDENTITY_POOL_ID"] = pool["IdentityPoolId"]
    try:
        role = client("iam", GLOBAL_REGION).get_role(RoleName=role_name)["Role"]
        found["COGNITO_IDENTITY_ROLE_ARN"] = role["Arn"]
    except ClientError as error:
        if error_code(error) != "NoSuchEntity":
            raise
    return found


def distribution_ids(*, bucket: str) -> dict[str, str]:
    cloudfront = client("cloudfront", GLOBAL_REGION)
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in page.get("DistributionList", {}).get("Items", []):
            if item.get("Comment") == naming.distribution_comment(bucket):
                return {"CLOUDFRONT_DISTRIBUTION_ID": item["Id"], "CDN_DOMAIN": item["DomainName"]}
    return {}


def aws_lookups(stage_config: dict) -> Lookups:
    """Everything `render_stage` needs to know from the stage's account."""
    env = stage_config.get("environment_variables", {})
    region = stage_config.get("aws_region", "us-east-1")
    values: dict[str, str] = {}
    values.update(user_pool_ids(region=region, pool_name=env["COGNITO_USER_POOL_NAME"]))
    for lookup in declared("provisioning", "STAGE_LOOKUPS"):  # what apps provision for themselves
        values.update(lookup(region=region, prefix=env["DYNAMODB_TABLE_PREFIX"]))
    values.update(distribution_ids(bucket=env["AWS_STORAGE_BUCKET_NAME"]))
    return Lookups(
        account=account_id(),
        stream_arns=stream_arns(region=region, prefix=env["DYNAMODB_TABLE_PREFIX"]),
        values=values,
    )
