"""KMS signing keys the deploy commands create: found again by alias, with a key policy naming who may sign."""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from mysite.deploy.aws import client

KEY_SPEC = "ECC_NIST_P256"
KEY_USAGE = "SIGN_VERIFY"
POLICY_NAME = "default"  # KMS keeps one key policy per key, always under this name


def lambda_role_arn(*, account: str, function_name: str) -> str:
    """The role Zappa creates for the function (`<project>-<stage>-ZappaLambdaExecutionRole`)."""
    return f"arn:aws:iam::{account}:role/{function_name}-ZappaLambdaExecutionRole"


def signing_key_policy(*, account: str, signers: list[str]) -> dict:
    """The account administers the key (and IAM grants its use); nobody outside `signers` may sign with it.

    The explicit Deny wins over any IAM policy, so an administrator's or the deploy identity's
    `kms:*` does not include `kms:Sign`; `kms:GetPublicKey` stays open to the account.
    """
    return {
        "Version": "2012-10-17",
        "Id": "signing-key",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "OnlyTheseSign",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "kms:Sign",
                "Resource": "*",
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": sorted(signers)}},
            },
        ],
    }


def key_by_alias(alias: str) -> str | None:
    """The key id an alias (`alias/...`) points at, or None."""
    for page in client("kms").get_paginator("list_aliases").paginate():
        for entry in page["Aliases"]:
            if entry["AliasName"] == alias and entry.get("TargetKeyId"):
                return entry["TargetKeyId"]
    return None


def check_signing_key(key_id: str, alias: str) -> None:
    """CommandError unless the key is an enabled P-256 signing key (an alias may point elsewhere by hand)."""
    meta = client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
    spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")
    if spec != KEY_SPEC or meta.get("KeyUsage") != KEY_USAGE or meta.get("KeyState") != "Enabled":
        raise CommandError(
            f"{alias} points at key {key_id} ({spec}, {meta.get('KeyUsage')}, {meta.get('KeyState')}); "
            f"expected an enabled {KEY_SPEC} {KEY_USAGE} key. Point the alias at one or delete it."
        )


def signing_key_create(*, alias: str, description: str, policy: dict) -> str:
    """A new P-256 signing key with `policy`, named by `alias`; its key id."""
    kms = client("kms")
    key_id = kms.create_key(KeySpec=KEY_SPEC, KeyUsage=KEY_USAGE, Description=description, Policy=json.dumps(policy))[
        "KeyMetadata"
    ]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def key_policy(key_id: str) -> dict:
    return json.loads(client("kms").get_key_policy(KeyId=key_id, PolicyName=POLICY_NAME)["Policy"])


def key_policy_put(key_id: str, policy: dict) -> None:
    client("kms").put_key_policy(KeyId=key_id, PolicyName=POLICY_NAME, Policy=json.dumps(policy))


def principal_arn(caller_arn: str) -> str:
    """The ARN a key policy's `aws:PrincipalArn` sees for a caller: an assumed role's session is its role."""
    head, _, rest = caller_arn.partition(":assumed-role/")
    if not rest:
        return caller_arn
    account = head.rsplit(":", 1)[-1]
    return f"arn:aws:iam::{account}:role/{rest.split('/', 1)[0]}"
