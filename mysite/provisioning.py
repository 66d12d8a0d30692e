"""What the stage needs to exist on AWS (or the emulators), as idempotent steps.

Each step can say whether anything is missing (`plan`) and make it so (`apply`).
`manage.py provision` runs them; a second run finds nothing to do.
Apps add their own steps in `<app>/provisioning.py` as `STEPS`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from botocore.exceptions import ClientError
from django.apps import apps
from django.conf import settings

from mysite import aws
from mysite.dynamo import all_models


@dataclass
class Change:
    """One thing a step will do (or did)."""

    description: str
    apply: Callable[[], object]


class Step:
    name = "step"

    def plan(self) -> list[Change]:
        raise NotImplementedError


def _error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


# --- DynamoDB -------------------------------------------------------------------


class TableStep(Step):
    def __init__(self, model):
        self.model = model
        self.name = f"table {model.Meta.table_name}"

    def plan(self) -> list[Change]:
        meta = self.model.Meta
        client = aws.client("dynamodb")
        try:
            table = client.describe_table(TableName=meta.table_name)["Table"]
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise
            parts = ["on-demand"]
            if getattr(meta, "stream_view_type", None):
                parts.append(f"stream {meta.stream_view_type}")
            indexes = [i.Meta.index_name for i in self.model._indexes.values()]
            if indexes:
                parts.append(f"indexes {', '.join(indexes)}")
            if self.model._ttl_attribute():
                parts.append(f"TTL on {self.model._ttl_attribute().attr_name}")
            return [Change(f"create table ({'; '.join(parts)})", self._create)]
        changes = []
        wanted_stream = getattr(meta, "stream_view_type", None)
        stream = table.get("StreamSpecification") or {}
        if wanted_stream and not (stream.get("StreamEnabled") and stream.get("StreamViewType") == wanted_stream):
            changes.append(
                Change(
                    f"enable stream {wanted_stream}",
                    lambda: client.update_table(
                        TableName=meta.table_name,
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": wanted_stream},
                    ),
                )
            )
        existing_indexes = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        missing = [i for i in self.model._indexes.values() if i.Meta.index_name not in existing_indexes]
        for index in missing:
            changes.append(Change(f"add index {index.Meta.index_name}", lambda index=index: self._add_index(index)))
        ttl = self.model._ttl_attribute()
        if ttl:
            status = client.describe_time_to_live(TableName=meta.table_name)["TimeToLiveDescription"]
            if status.get("TimeToLiveStatus") not in {"ENABLED", "ENABLING"}:
                changes.append(Change(f"enable TTL on {ttl.attr_name}", lambda: self.model.update_ttl(False)))
        return changes

    def _create(self) -> None:
        self.model.create_table(wait=True)

    def _add_index(self, index) -> None:
        schema = self.model._get_schema()
        definition = next(i for i in schema["global_secondary_indexes"] if i["index_name"] == index.Meta.index_name)
        key_names = {k["attribute_name"] for k in definition["key_schema"]}
        aws.client("dynamodb").update_table(
            TableName=self.model.Meta.table_name,
            AttributeDefinitions=[
                {"AttributeName": a["attribute_name"], "AttributeType": a["attribute_type"]}
                for a in schema["attribute_definitions"]
                if a["attribute_name"] in key_names
            ],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": definition["index_name"],
                        "KeySchema": [
                            {"AttributeName": k["attribute_name"], "KeyType": k["key_type"]}
                            for k in definition["key_schema"]
                        ],
                        "Projection": {"ProjectionType": definition["projection"]["ProjectionType"]},
                    }
                }
            ],
        )


# --- S3 -----------------------------------------------------------------------------


def bucket_cors_rules() -> list[dict]:
    return [
        {
            "AllowedOrigins": list(settings.UPLOAD_ALLOWED_ORIGINS),
            "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
            "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3600,
        }
    ]


class BucketStep(Step):
    def __init__(self):
        self.bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.name = f"bucket {self.bucket}"

    def plan(self) -> list[Change]:
        s3 = aws.client("s3")
        try:
            s3.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if _error_code(error) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            changes = [
                Change("create private bucket", self._create),
                Change("block all public access", self._block_public_access),
                Change("allow browser uploads (CORS)", self._put_cors),
            ]
            if getattr(settings, "S3_TRANSFER_ACCELERATION", False) and not settings.S3_ENDPOINT_URL:
                changes.append(Change("enable Transfer Acceleration", self._accelerate))
            return changes
        changes = []
        if not settings.S3_ENDPOINT_URL:  # s3rver has no public-access-block API
            try:
                config = s3.get_public_access_block(Bucket=self.bucket)["PublicAccessBlockConfiguration"]
                blocked = all(config.values())
            except ClientError:
                blocked = False
            if not blocked:
                changes.append(Change("block all public access", self._block_public_access))
        try:
            current = s3.get_bucket_cors(Bucket=self.bucket)["CORSRules"]
        except ClientError:
            current = []
        if [_normalise_cors(r) for r in current] != [_normalise_cors(r) for r in bucket_cors_rules()]:
            changes.append(Change("allow browser uploads (CORS)", self._put_cors))
        if getattr(settings, "S3_TRANSFER_ACCELERATION", False) and not settings.S3_ENDPOINT_URL:
            status = s3.get_bucket_accelerate_configuration(Bucket=self.bucket).get("Status")
            if status != "Enabled":
                changes.append(Change("enable Transfer Acceleration", self._accelerate))
        return changes

    def _create(self) -> None:
        s3 = aws.client("s3")
        kwargs = {}
        if settings.AWS_REGION != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": settings.AWS_REGION}
        s3.create_bucket(Bucket=self.bucket, **kwargs)

    def _block_public_access(self) -> None:
        if settings.S3_ENDPOINT_URL:
            return  # the emulator serves nothing publicly anyway
        aws.client("s3").put_public_access_block(
            Bucket=self.bucket,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )

    def _put_cors(self) -> None:
        aws.client("s3").put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": bucket_cors_rules()})

    def _accelerate(self) -> None:
        aws.client("s3").put_bucket_accelerate_configuration(
            Bucket=self.bucket, AccelerateConfiguration={"Status": "Enabled"}
        )


def _normalise_cors(rule: dict) -> dict:
    return {k: sorted(v) if isinstance(v, list) else v for k, v in rule.items() if k != "ID"}


# --- Cognito ------------------------------------------------------------------------

APP_CLIENT_NAME = "web"


def find_user_pool(name: str) -> str | None:
    idp = aws.client("cognito-idp")
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return pool["Id"]
    return None


def find_app_client(pool_id: str) -> str | None:
    idp = aws.client("cognito-idp")
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    return next((c["ClientId"] for c in clients if c["ClientName"] == APP_CLIENT_NAME), None)


def _advanced_security() -> dict:
    """Cognito's threat protection (compromised credentials, adaptive sign-in), when `COGNITO_ADVANCED_SECURITY`.

    Off by default: it needs the Plus feature plan, billed per monthly active user on top of the
    Essentials price. On, the pool is created on that plan with the protection enforcing.
    """
    if not getattr(settings, "COGNITO_ADVANCED_SECURITY", False):
        return {}
    return {"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}}


class UserPoolStep(Step):
    """The user pool, its app client and the role groups; ids are recorded as stack outputs."""

    def __init__(self, outputs: dict):
        self.pool_name = settings.COGNITO_USER_POOL_NAME
        self.name = f"user pool {self.pool_name}"
        self.outputs = outputs

    def plan(self) -> list[Change]:
        idp = aws.client("cognito-idp")
        pool_id = find_user_pool(self.pool_name)
        if pool_id is None:
            return [
                Change(
                    "create user pool, app client and groups " + ", ".join(settings.COGNITO_GROUPS), self._create_all
                )
            ]
        self.outputs["COGNITO_USER_POOL_ID"] = pool_id
        changes = []
        client_id = find_app_client(pool_id)
        if client_id is None:
            changes.append(Change(f"create app client {APP_CLIENT_NAME}", lambda: self._create_client(pool_id)))
        else:
            self.outputs["COGNITO_CLIENT_ID"] = client_id
        existing = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
        for group in settings.COGNITO_GROUPS:
            if group not in existing:
                changes.append(Change(f"create group {group}", lambda g=group: self._create_group(pool_id, g)))
        return changes

    def _create_all(self) -> None:
        idp = aws.client("cognito-idp")
        pool = idp.create_user_pool(
            PoolName=self.pool_name,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 10,
                    "RequireUppercase": False,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                }
            },
            Schema=[{"Name": "name", "AttributeDataType": "String", "Mutable": True, "Required": False}],
            AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            **_advanced_security(),
        )["UserPool"]
        self.outputs["COGNITO_USER_POOL_ID"] = pool["Id"]
        self._create_client(pool["Id"])
        for group in settings.COGNITO_GROUPS:
            self._create_group(pool["Id"], group)

    def _create_client(self, pool_id: str) -> None:
        client = aws.client("cognito-idp").create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=APP_CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            AccessTokenValidity=60,
            IdTokenValidity=60,
            RefreshTokenValidity=30,
            TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            PreventUserExistenceErrors="ENABLED",
            EnableTokenRevocation=True,
        )["UserPoolClient"]
        self.outputs["COGNITO_CLIENT_ID"] = client["ClientId"]

    def _create_group(self, pool_id: str, group: str) -> None:
        aws.client("cognito-idp").create_group(UserPoolId=pool_id, GroupName=group)


# --- AWS only: secrets ----------------------------------------------------------------------
# The emulators have no Secrets Manager; locally the secret key comes from the environment
# and the updates signing key from a file.


def on_aws() -> bool:
    return not settings.DYNAMODB_ENDPOINT_URL


def django_secret_key() -> str:
    return secrets.token_urlsafe(50)


def ed25519_private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


class SecretStep(Step):
    """A generated secret in Secrets Manager; never rotated or overwritten by a re-run."""

    def __init__(self, setting: str, generate: Callable[[], str], description: str):
        self.secret_id = getattr(settings, setting, "")
        self.generate = generate
        self.description = description
        self.name = f"secret {self.secret_id or setting}"

    def plan(self) -> list[Change]:
        if not self.secret_id:
            return []
        try:
            aws.client("secretsmanager").describe_secret(SecretId=self.secret_id)
            return []
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                raise
        return [Change(f"create {self.description}", self._create)]

    def _create(self) -> None:
        aws.client("secretsmanager").create_secret(
            Name=self.secret_id, Description=self.description, SecretString=self.generate()
        )


# Long enough to look at a failure after a weekend and redrive it (SQS allows at most 14 days).
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


class DeadLetterQueueStep(Step):
    """The stage's SQS queue that Lambda sends given-up stream batches and asynchronous events to.

    Locally the dispatcher writes them to the dead-letter table instead (no SQS emulator).
    """

    def __init__(self):
        from mysite.deploy.naming import dead_letter_queue_name

        self.queue = dead_letter_queue_name(settings.DYNAMODB_TABLE_PREFIX)
        self.name = f"dead-letter queue {self.queue}"

    def plan(self) -> list[Change]:
        sqs = aws.client("sqs")
        try:
            url = sqs.get_queue_url(QueueName=self.queue)["QueueUrl"]
        except ClientError as error:
            if _error_code(error) not in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
                raise
            return [Change(f"create queue (messages kept {DEAD_LETTER_RETENTION_SECONDS // 86400} days)", self._create)]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
        if int(attributes.get("MessageRetentionPeriod", 0)) != DEAD_LETTER_RETENTION_SECONDS:
            return [Change("keep messages 14 days", lambda: self._set_retention(url))]
        return []

    def _create(self) -> None:
        aws.client("sqs").create_queue(
            QueueName=self.queue,
            Attributes={"MessageRetentionPeriod": str(DEAD_LETTER_RETENTION_SECONDS), "SqsManagedSseEnabled": "true"},
        )

    def _set_retention(self, url: str) -> None:
        aws.client("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"MessageRetentionPeriod": str(DEAD_LETTER_RETENTION_SECONDS)}
        )


def aws_only_steps(outputs: dict) -> list[Step]:
    if not on_aws():
        return []
    # The identity pool and its role are todos' own step (todos/provisioning.py).
    return [
        SecretStep("DJANGO_SECRET_KEY_SECRET_ID", django_secret_key, "Django secret key (sessions, CSRF, cursors)"),
        SecretStep("UPDATES_SIGNING_KEY_SECRET_ID", ed25519_private_key_pem, "updates Ed25519 signing key"),
        DeadLetterQueueStep(),
    ]


# --- The whole plan -------------------------------------------------------------------


def app_steps() -> list[Step]:
    steps: list[Step] = []
    for app in apps.get_app_configs():
        if app.name == "mysite":
            continue
        try:
            module = import_module(f"{app.name}.provisioning")
        except ModuleNotFoundError as error:
            if error.name != f"{app.name}.provisioning":
                raise
            continue
        steps.extend(factory() for factory in getattr(module, "STEPS", []))
    return steps


def all_steps(outputs: dict) -> list[Step]:
    return [
        *(TableStep(model) for model in all_models()),
        BucketStep(),
        UserPoolStep(outputs),
        *aws_only_steps(outputs),
        *app_steps(),
    ]


def write_outputs(outputs: dict) -> Path | None:
    """Locally, record the created ids where the local settings read them."""
    path = getattr(settings, "STACK_OUTPUTS_FILE", None)
    if not path:
        return None
    path = Path(path)
    current = json.loads(path.read_text()) if path.exists() else {}
    if current == {**current, **outputs}:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**current, **outputs}, indent=2) + "\n")
    return path


def apply_outputs(outputs: dict) -> None:
    """Make the ids visible to this process at once (settings were read before they existed)."""
    for name, value in outputs.items():
        setattr(settings, name, value)
