"""Cognito's own protections in the provisioned pool: no user-existence errors; advanced security on request."""

from __future__ import annotations

import boto3
import pytest

from tests.moto_aws import on_aws
from tests.mysite.test_provision import provision


def _pool_and_client() -> tuple[dict, dict]:
    idp = boto3.client("cognito-idp")
    (pool,) = idp.list_user_pools(MaxResults=10)["UserPools"]
    described = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    (client,) = idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    client = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
    return described, client


@pytest.mark.usefixtures("_stack")
def test_the_app_client_prevents_user_existence_errors_and_advanced_security_is_off_by_default(settings, monkeypatch):
    with on_aws(settings, monkeypatch):
        provision()
        pool, client = _pool_and_client()
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    assert pool.get("UserPoolAddOns", {}).get("AdvancedSecurityMode", "OFF") == "OFF"


@pytest.mark.usefixtures("_stack")
def test_advanced_security_is_enforced_when_the_setting_asks(settings, monkeypatch):
    settings.COGNITO_ADVANCED_SECURITY = True
    with on_aws(settings, monkeypatch):
        provision()
        pool, _ = _pool_and_client()
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
