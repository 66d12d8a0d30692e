"""Provision steps of the todos app: the identity pool and role behind temporary S3 credentials.

The identity pool's classic flow is used: the API exchanges the user's ID token for
an OpenID token and assumes the role itself, passing a session policy that names
the user's own prefix (`users/<sub>/`). The role's own policy admits `users/*`
only, and its trust policy admits only authenticated identities of this pool.
cognito-local has no identity pools, so against the emulators the step does nothing.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError
from django.conf import settings

from mysite import aws
from mysite.provisioning import Change, Step, find_app_client, find_user_pool

IDENTITY_POOL_NAME = "mysite_todos"
ROLE_POLICY_NAME = "user-files"


def role_name() -> str:
    return f"{settings.DYNAMODB_TABLE_PREFIX}todos-user-files".strip("-")


def identity_pool_find(name: str) -> str | None:
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


class IdentityPoolStep(Step):
    """The Cognito identity pool (classic flow, user pool as provider) and the role it hands out."""

    def __init__(self):
        self.name = f"identity pool {IDENTITY_POOL_NAME}"

    def plan(self) -> list[Change]:
        if settings.COGNITO_ENDPOINT_URL:
            return []
        changes = []
        pool_id = identity_pool_find(IDENTITY_POOL_NAME)
        if pool_id is None:
            changes.append(Change("create identity pool (classic flow, user pool sign-in only)", self._create_pool))
        iam = aws.client("iam")
        try:
            iam.get_role(RoleName=role_name())
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
                raise
            changes.append(Change(f"create role {role_name()} trusted by the identity pool", self._create_role))
            changes.append(Change("allow the role users/* of the bucket", self._put_role_policy))
            return changes
        try:
            current = iam.get_role_policy(RoleName=role_name(), PolicyName=ROLE_POLICY_NAME)["PolicyDocument"]
        except ClientError:
            current = None
        if isinstance(current, str):
            current = json.loads(current)
        if current != role_policy():
            changes.append(Change("allow the role users/* of the bucket", self._put_role_policy))
        return changes

    def _providers(self) -> list[dict]:
        pool_id = settings.COGNITO_USER_POOL_ID or find_user_pool(settings.COGNITO_USER_POOL_NAME)
        if not pool_id:
            return []
        client_id = settings.COGNITO_CLIENT_ID or find_app_client(pool_id)
        region = pool_id.split("_", 1)[0]
        return [
            {
                "ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
                "ClientId": client_id,
                "ServerSideTokenCheck": True,
            }
        ]

    def _create_pool(self) -> str:
        pool = aws.client("cognito-identity").create_identity_pool(
            IdentityPoolName=IDENTITY_POOL_NAME,
            AllowUnauthenticatedIdentities=False,
            AllowClassicFlow=True,
            CognitoIdentityProviders=self._providers(),
        )
        return pool["IdentityPoolId"]

    def _create_role(self) -> str:
        pool_id = identity_pool_find(IDENTITY_POOL_NAME)
        role = aws.client("iam").create_role(
            RoleName=role_name(),
            AssumeRolePolicyDocument=json.dumps(trust_policy(pool_id)),
            Description="Temporary credentials for a signed-in user's own S3 prefix (todos attachments).",
            MaxSessionDuration=3600,
        )
        return role["Role"]["Arn"]

    def _put_role_policy(self) -> None:
        aws.client("iam").put_role_policy(
            RoleName=role_name(), PolicyName=ROLE_POLICY_NAME, PolicyDocument=json.dumps(role_policy())
        )


STEPS = [IdentityPoolStep]
