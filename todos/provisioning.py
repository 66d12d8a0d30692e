"""Provision steps of the todos app: the upload prefix's lifecycle rule, and the identity pool and role
behind temporary S3 credentials.

The identity pool's classic flow is used: the API exchanges the user's ID token for
an OpenID token and assumes the role itself, passing a session policy that names
the user's own prefix (`users/<sub>/`). The role's own policy admits `users/*`
only, and its trust policy admits only authenticated identities of this pool.
Both names carry the stage's prefix, so stages sharing an account share neither.
Locally the same calls go to moto's server (the devstack's stand-in for Cognito
Identity, STS and IAM), and the ids land in the stack outputs the local settings read.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.provisioning import Change, Step, apply_outputs, find_app_client, find_user_pool, write_outputs
from todos.services.credentials import identity_provider_name

ROLE_POLICY_NAME = "user-files"


def _stage_name(name: str) -> str:
    return f"{settings.DYNAMODB_TABLE_PREFIX}{name}".strip("-")


def identity_pool_name() -> str:
    """The stage's identity pool, e.g. `prod-todos-user-files`."""
    return _stage_name("todos-user-files")


def role_name() -> str:
    """The stage's role for a user's files, e.g. `prod-todos-user-files`."""
    return _stage_name("todos-user-files")


def identity_pool_find(name: str) -> str | None:
    """The id of the identity pool called `name`, if there is one."""
    identity = aws.client("cognito-identity")
    kwargs: dict = {"MaxResults": 60}
    while True:
        page = identity.list_identity_pools(**kwargs)
        for pool in page.get("IdentityPools", []):
            if pool["IdentityPoolName"] == name:
                return pool["IdentityPoolId"]
        if not page.get("NextToken"):
            return None
        kwargs["NextToken"] = page["NextToken"]


def trust_policy(identity_pool_id: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": identity_pool_id},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
            }
        ],
    }


def role_policy() -> dict:
    """The role's ceiling: the users/ prefix; each session narrows it to one user's folder."""
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/users/*"],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [f"arn:aws:s3:::{bucket}"],
                "Condition": {"StringLike": {"s3:prefix": ["users/*"]}},
            },
        ],
    }


def _document(value: str | dict | None) -> dict | None:
    """A policy document as IAM returned it: decoded by boto3, or still JSON text."""
    return json.loads(value) if isinstance(value, str) else value


class IdentityPoolStep(Step):
    """The stage's identity pool (classic flow, its own user pool as provider) and the role it hands out."""

    def __init__(self):
        self.pool_name = identity_pool_name()
        self.name = f"identity pool {self.pool_name}"

    def plan(self) -> list[Change]:
        changes = []
        pool_id = identity_pool_find(self.pool_name)
        if pool_id is None:
            changes.append(Change("create identity pool (classic flow, user pool sign-in only)", self._create_pool))
        elif self._current_providers(pool_id) != self._providers():
            changes.append(Change("trust this stage's user pool", lambda: self._update_pool(pool_id)))
        iam = aws.client("iam")
        try:
            role = iam.get_role(RoleName=role_name())["Role"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
                raise
            changes.append(Change(f"create role {role_name()} trusted by the identity pool", self._create_role))
            changes.append(Change("allow the role users/* of the bucket", self._put_role_policy))
            return self._with_outputs(changes, pool_id, None)
        if pool_id is None or _document(role["AssumeRolePolicyDocument"]) != trust_policy(pool_id):
            changes.append(Change(f"let role {role_name()} trust only this identity pool", self._update_trust))
        try:
            current = iam.get_role_policy(RoleName=role_name(), PolicyName=ROLE_POLICY_NAME)["PolicyDocument"]
        except ClientError:
            current = None
        if _document(current) != role_policy():
            changes.append(Change("allow the role users/* of the bucket", self._put_role_policy))
        return self._with_outputs(changes, pool_id, role["Arn"])

    def _with_outputs(self, changes: list[Change], pool_id: str | None, role_arn: str | None) -> list[Change]:
        """Locally, the ids go to the stack outputs (on AWS `zappa_settings` looks them up)."""
        if not getattr(settings, "STACK_OUTPUTS_FILE", None):
            return changes
        recorded = (settings.COGNITO_IDENTITY_POOL_ID, settings.COGNITO_IDENTITY_ROLE_ARN)
        if changes or recorded != (pool_id, role_arn):
            changes.append(Change("record the identity pool id and role ARN in the stack outputs", self._record))
        return changes

    def _user_pool(self) -> tuple[str, str] | None:
        """The stage's user pool and app client: the pool of the stage's name, else the configured ids.

        The name comes first: it is what the user pool step just created or found, while
        the configured ids may still be another stack's (or absent) during the first run.
        """
        pool_id = find_user_pool(settings.COGNITO_USER_POOL_NAME)
        if pool_id:
            return pool_id, find_app_client(pool_id) or ""
        if settings.COGNITO_USER_POOL_ID:
            return settings.COGNITO_USER_POOL_ID, settings.COGNITO_CLIENT_ID
        return None

    def _providers(self) -> list[dict]:
        user_pool = self._user_pool()
        if not user_pool:
            return []
        pool_id, client_id = user_pool
        return [{"ProviderName": identity_provider_name(pool_id), "ClientId": client_id, "ServerSideTokenCheck": True}]

    def _current_providers(self, pool_id: str) -> list[dict]:
        pool = aws.client("cognito-identity").describe_identity_pool(IdentityPoolId=pool_id)
        return pool.get("CognitoIdentityProviders", [])

    def _pool_definition(self) -> dict:
        return {
            "IdentityPoolName": self.pool_name,
            "AllowUnauthenticatedIdentities": False,
            "AllowClassicFlow": True,
            "CognitoIdentityProviders": self._providers(),
        }

    def _create_pool(self) -> str:
        return aws.client("cognito-identity").create_identity_pool(**self._pool_definition())["IdentityPoolId"]

    def _update_pool(self, pool_id: str) -> None:
        # UpdateIdentityPool replaces the definition, so all of it is sent again.
        aws.client("cognito-identity").update_identity_pool(IdentityPoolId=pool_id, **self._pool_definition())

    def _create_role(self) -> str:
        pool_id = identity_pool_find(self.pool_name)
        role = aws.client("iam").create_role(
            RoleName=role_name(),
            AssumeRolePolicyDocument=json.dumps(trust_policy(pool_id)),
            Description="Temporary credentials for a signed-in user's own S3 prefix (todos attachments).",
            MaxSessionDuration=3600,
        )
        return role["Role"]["Arn"]

    def _update_trust(self) -> None:
        aws.client("iam").update_assume_role_policy(
            RoleName=role_name(), PolicyDocument=json.dumps(trust_policy(identity_pool_find(self.pool_name)))
        )

    def _put_role_policy(self) -> None:
        aws.client("iam").put_role_policy(
            RoleName=role_name(), PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(role_policy())
        )

    def _record(self) -> None:
        outputs = {
            "COGNITO_IDENTITY_POOL_ID": identity_pool_find(self.pool_name),
            "COGNITO_IDENTITY_ROLE_ARN": aws.client("iam").get_role(RoleName=role_name())["Role"]["Arn"],
        }
        apply_outputs(outputs)
        write_outputs(outputs)


# --- Lifecycle of the upload prefix -------------------------------------------------------

UPLOAD_PREFIX = "users/"
LIFECYCLE_RULE_ID = "todos-abort-incomplete-uploads"


def upload_lifecycle_rule() -> dict:
    """S3 aborts multipart uploads under users/ left incomplete for a day (their parts are billed, never listed).

    Browser uploads are single POSTs: one that fails leaves no object, and its pending record
    expires by TTL. Clients using the temporary credentials may upload in parts; this rule is what
    cleans those up. An object that arrives after its record is gone is deleted by the upload event.
    """
    return {
        "ID": LIFECYCLE_RULE_ID,
        "Filter": {"Prefix": UPLOAD_PREFIX},
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
    }


class UploadLifecycleStep(Step):
    """The bucket's lifecycle rule for the upload prefix; other rules on the bucket are kept as they are.

    On AWS only: s3rver has no lifecycle API (it answers NotImplemented), so locally the pending
    records' TTL and the upload event's orphan check are all there is.
    """

    def __init__(self):
        self.bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.name = f"lifecycle of s3://{self.bucket}/{UPLOAD_PREFIX}"

    def _rules(self) -> list[dict]:
        try:
            return aws.client("s3").get_bucket_lifecycle_configuration(Bucket=self.bucket)["Rules"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchLifecycleConfiguration", "NoSuchBucket"}:
                return []
            raise

    def plan(self) -> list[Change]:
        if settings.S3_ENDPOINT_URL:
            return []
        current = next((r for r in self._rules() if r.get("ID") == LIFECYCLE_RULE_ID), None)
        if current == upload_lifecycle_rule():
            return []
        return [Change("abort multipart uploads under users/ left incomplete for 1 day", self._put)]

    def _put(self) -> None:
        others = [r for r in self._rules() if r.get("ID") != LIFECYCLE_RULE_ID]
        aws.client("s3").put_bucket_lifecycle_configuration(
            Bucket=self.bucket, LifecycleConfiguration={"Rules": [*others, upload_lifecycle_rule()]}
        )


STEPS = [UploadLifecycleStep, IdentityPoolStep]


def stage_lookups(*, region: str, prefix: str) -> dict[str, str]:
    """The identity pool and role ids `zappa_settings` writes into a stage (their names for its prefix)."""
    from django.test.utils import override_settings

    from mysite.deploy.lookups import identity_pool_ids

    with override_settings(DYNAMODB_TABLE_PREFIX=prefix):
        pool_name, role = identity_pool_name(), role_name()
    return identity_pool_ids(region=region, pool_name=pool_name, role_name=role)


STAGE_LOOKUPS = [stage_lookups]
