"""Steps only a real AWS account needs: the secrets and the dead-letter queue."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.provisioning.base import Change, Step, error_code

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
            if error_code(error) != "ResourceNotFoundException":
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
            if error_code(error) not in {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}:
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
