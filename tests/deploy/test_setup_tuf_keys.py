"""`setup_tuf_keys` against moto: one P-256 key per TUF role by alias, only the function signs, the stage knows them."""

from __future__ import annotations

import json

import boto3
import pytest
from django.core.management.base import CommandError

from mysite.deploy import kms, stages
from mysite.deploy.permissions import Need, allowed
from tests.deploy.conftest import run

ACCOUNT = "123456789012"  # moto's
ROLES = ("root", "snapshot", "targets", "timestamp")
FUNCTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/mysite-production-ZappaLambdaExecutionRole"
OPERATOR = f"arn:aws:iam::{ACCOUNT}:role/tuf-operator"


@pytest.fixture
def settings_file(tmp_path, settings):
    """A copy of the repository's zappa_settings.json (and role policies) that the command may rewrite."""
    repository = json.loads(stages.settings_path().read_text())
    path = tmp_path / "zappa_settings.json"
    path.write_text(stages.dumps(repository))
    for stage in repository.values():
        policy = tmp_path / stage["attach_policy"]
        policy.parent.mkdir(parents=True, exist_ok=True)
        policy.write_text((stages.settings_path().parent / stage["attach_policy"]).read_text())
    settings.ZAPPA_SETTINGS_FILE = str(path)
    return path


@pytest.fixture
def client(aws_account, settings_file):
    return boto3.client("kms", region_name="us-east-1")


def aliases(client) -> dict[str, str]:
    """The stage's TUF aliases (moto lists AWS-managed aliases too)."""
    return {a["AliasName"]: a["TargetKeyId"] for a in client.list_aliases()["Aliases"] if "tuf-" in a["AliasName"]}


def configured(path) -> dict:
    env = stages.read_all(path)["production"]["environment_variables"]
    return json.loads(env["UPDATES_TUF_KMS_KEYS"])


def may_sign(policy: dict, principal: str, key_id: str) -> bool:
    need = Need("kms:Sign", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}", (("aws:PrincipalArn", principal),))
    return allowed(policy["Statement"], need)


def test_one_signing_key_per_role_is_created_and_written_into_the_stage(client, settings_file):
    output = run("setup_tuf_keys", "--stage", "production")
    found = aliases(client)
    assert sorted(found) == [f"alias/prod-tuf-{role}" for role in ROLES]
    assert len(set(found.values())) == 4
    for role in ROLES:
        meta = client.describe_key(KeyId=found[f"alias/prod-tuf-{role}"])["KeyMetadata"]
        assert (meta["KeySpec"], meta["KeyUsage"], meta["KeyState"]) == ("ECC_NIST_P256", "SIGN_VERIFY", "Enabled")
        assert f"applying create alias/prod-tuf-{role} (ECC_NIST_P256 SIGN_VERIFY)" in output
    assert configured(settings_file) == {role: [found[f"alias/prod-tuf-{role}"]] for role in ROLES}
    assert "5 change(s) applied." in output  # four keys and the stage's setting


def test_the_function_role_may_sign_with_the_keys_and_nothing_else(client, settings_file):
    run("setup_tuf_keys", "--stage", "production")
    stage = stages.read_all(settings_file)["production"]
    statement = next(s for s in stage["extra_permissions"] if s["Sid"] == "TufOnlineKeys")
    key_ids = sorted(aliases(client).values())
    assert [arn.split(":key/", 1)[1] for arn in statement["Resource"]] == key_ids
    for key_id in key_ids:
        policy = kms.key_policy(key_id)
        assert may_sign(policy, FUNCTION_ROLE, key_id)
        assert not may_sign(policy, "arn:aws:iam::123456789012:user/moto", key_id)  # the deploying identity
        assert not may_sign(policy, f"arn:aws:iam::{ACCOUNT}:role/Admin", key_id)
        public = Need("kms:GetPublicKey", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}")
        assert allowed(policy["Statement"], public)


def test_the_keys_sign_tuf_metadata_with_the_production_signer(client, settings_file):
    from tuf.api.metadata import Metadata, Timestamp
    from tuf.api.serialization.json import CanonicalJSONSerializer

    from updates.tuf_keys import KmsSigner

    run("setup_tuf_keys", "--stage", "production")
    signer = KmsSigner.for_key(configured(settings_file)["timestamp"][0])
    metadata = Metadata(Timestamp())
    metadata.sign(signer)
    payload = CanonicalJSONSerializer().serialize(metadata.signed)
    signer.public_key.verify_signature(metadata.signatures[signer.public_key.keyid], payload)
    with pytest.raises(Exception, match=r"(?i)verif"):
        signer.public_key.verify_signature(metadata.signatures[signer.public_key.keyid], payload + b" ")


def test_a_second_run_changes_nothing(client, settings_file):
    run("setup_tuf_keys", "--stage", "production")
    before = settings_file.read_text()
    output = run("setup_tuf_keys", "--stage", "production")
    assert "applying" not in output
    assert "No changes: the keys, their policies and the stage setting are as configured." in output
    assert settings_file.read_text() == before
    assert len(aliases(client)) == 4


def test_dry_run_creates_and_writes_nothing(client, settings_file):
    before = settings_file.read_text()
    output = run("setup_tuf_keys", "--stage", "production", "--dry-run")
    assert "would    create alias/prod-tuf-targets (ECC_NIST_P256 SIGN_VERIFY)" in output
    assert "nothing was changed (--dry-run)" in output
    assert aliases(client) == {}
    assert settings_file.read_text() == before


def test_a_loosened_policy_is_restored_and_a_rotation_key_stays_configured(client, settings_file):
    run("setup_tuf_keys", "--stage", "production")
    key_id = aliases(client)["alias/prod-tuf-snapshot"]
    kms.key_policy_put(key_id, kms.signing_key_policy(account=ACCOUNT, signers=["*"]))
    path_stages = stages.read_all(settings_file)
    keys = configured(settings_file)
    keys["snapshot"].append("rotation-key-id")
    path_stages["production"]["environment_variables"]["UPDATES_TUF_KMS_KEYS"] = json.dumps(keys)
    settings_file.write_text(stages.dumps(path_stages))

    output = run("setup_tuf_keys", "--stage", "production")
    assert "applying key policy of alias/prod-tuf-snapshot" in output
    assert not may_sign(kms.key_policy(key_id), f"arn:aws:iam::{ACCOUNT}:role/Admin", key_id)
    assert configured(settings_file)["snapshot"] == [key_id, "rotation-key-id"]


def test_an_operator_may_also_sign_but_never_the_deploying_identity(client, settings_file):
    run("setup_tuf_keys", "--stage", "production", "--operator-arn", OPERATOR)
    key_id = aliases(client)["alias/prod-tuf-root"]
    assert may_sign(kms.key_policy(key_id), OPERATOR, key_id)
    assert may_sign(kms.key_policy(key_id), FUNCTION_ROLE, key_id)
    deployer = boto3.client("sts", region_name="us-east-1").get_caller_identity()["Arn"]
    with pytest.raises(CommandError, match="deploying identity must not be able to sign"):
        run("setup_tuf_keys", "--stage", "production", "--operator-arn", deployer)


def test_an_alias_on_a_key_that_cannot_sign_is_refused(client, settings_file):
    other = client.create_key(KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    client.create_alias(AliasName="alias/prod-tuf-targets", TargetKeyId=other)
    with pytest.raises(CommandError, match="expected an enabled ECC_NIST_P256 SIGN_VERIFY key"):
        run("setup_tuf_keys", "--stage", "production")


def test_an_assumed_role_session_is_its_role():
    caller = f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/session-1"
    assert kms.principal_arn(caller) == f"arn:aws:iam::{ACCOUNT}:role/deployer"
    assert kms.principal_arn(f"arn:aws:iam::{ACCOUNT}:user/ci") == f"arn:aws:iam::{ACCOUNT}:user/ci"
