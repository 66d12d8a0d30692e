"""Signing keys: a generated file locally, AWS Secrets Manager in production (moto)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from moto import mock_aws

from mysite import aws
from updates import signing


def test_local_key_is_generated_once_in_the_data_folder(settings, tmp_path):
    settings.DEVDATA_DIR = tmp_path
    first = signing.public_key_raw()
    assert (tmp_path / signing.LOCAL_KEY_FILE).exists()
    signing._load.cache_clear()
    assert signing.public_key_raw() == first


def test_production_key_comes_from_secrets_manager(settings, monkeypatch):
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with mock_aws():
        monkeypatch.setattr(aws, "endpoint_url", lambda service: None)
        aws._client.cache_clear()  # clients made before the mock would talk to the real endpoint
        aws.client("secretsmanager").create_secret(Name="updates/signing-key", SecretString=pem)
        settings.UPDATES_SIGNING_KEY_SECRET_ID = "updates/signing-key"
        signature = signing.sign_bytes(b"artifact")
        published = signing.published_keys()[0]
    aws._client.cache_clear()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert published["public_key_base64"] == base64.b64encode(raw).decode()
    key.public_key().verify(base64.b64decode(signature), b"artifact")


def test_missing_production_key_setting_fails_loudly(settings):
    settings.UPDATES_SIGNING_KEY_SECRET_ID = ""
    del settings.DEVDATA_DIR
    with pytest.raises(Exception, match="UPDATES_SIGNING_KEY_SECRET_ID"):
        signing.private_key()
