"""The Cognito user pool, its web app client and the groups that give roles."""

from __future__ import annotations

from django.conf import settings

from mysite import aws, cognito
from mysite.provisioning.base import Change, Step

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
            Policies={"PasswordPolicy": cognito.PASSWORD_POLICY},
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
