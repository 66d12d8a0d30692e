"""The Ed25519 signing key: AWS Secrets Manager in production, a file in the data folder locally."""

from __future__ import annotations

import base64
import functools
import hashlib
import mmap
import os
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from securesystemslib.signer import SSlibKey

from mysite import aws

LOCAL_KEY_FILE = "updates-signing-key.pem"


def _parse_private_key(material: str | bytes) -> Ed25519PrivateKey:
    """A PEM (PKCS#8) key, or the base64 of the raw 32-byte seed, as Sparkle's tools export it."""
    data = material.encode() if isinstance(material, str) else material
    if b"BEGIN" in data:
        key = serialization.load_pem_private_key(data, password=None)
    else:
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(data.strip())[:32])
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The updates signing key must be an Ed25519 key.")
    return key


def _from_secrets_manager(secret_id: str) -> Ed25519PrivateKey:
    secret = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)
    return _parse_private_key(secret.get("SecretString") or secret["SecretBinary"])


def _from_local_file(folder: Path) -> Ed25519PrivateKey:
    """Generate the key on first use; O_EXCL so that concurrent first runs agree on one key."""
    path = folder / LOCAL_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
    return _parse_private_key(path.read_bytes())


@functools.cache
def _load(secret_id: str, folder: str | None) -> Ed25519PrivateKey:
    """One key per process, immutable, so safe to share across threads."""
    if secret_id:
        return _from_secrets_manager(secret_id)
    if folder:
        return _from_local_file(Path(folder))
    raise ImproperlyConfigured("Set UPDATES_SIGNING_KEY_SECRET_ID to the Secrets Manager id of the signing key.")


def private_key() -> Ed25519PrivateKey:
    """The signing key for the current settings (cached per secret id / data folder)."""
    folder = getattr(settings, "DEVDATA_DIR", None)
    return _load(settings.UPDATES_SIGNING_KEY_SECRET_ID, str(folder) if folder else None)


def public_key() -> Ed25519PublicKey:
    return private_key().public_key()


def public_key_raw() -> bytes:
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def tuf_key() -> SSlibKey:
    """The public key as securesystemslib sees it (its keyid is a hash of the key); it signs no TUF metadata."""
    return SSlibKey.from_crypto(public_key())


def published_keys() -> list[dict]:
    """What clients pin: Sparkle's SUPublicEDKey is `public_key_base64` (TUF clients pin the root, not this key)."""
    raw = public_key_raw()
    pem = public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return [
        {
            "keyid": tuf_key().keyid,
            "algorithm": "ed25519",
            "public_key_base64": base64.b64encode(raw).decode(),
            "public_key_hex": raw.hex(),
            "public_key_pem": pem.decode(),
            "fingerprint_sha256": hashlib.sha256(raw).hexdigest(),
        }
    ]


def sign_file(file: BinaryIO) -> str:
    """Base64 Ed25519 signature over the whole file, as Sparkle's `sign_update` makes it.

    Ed25519 is not a streaming signature, so the file is memory-mapped rather than read into a bytes object.
    """
    file.flush()
    if os.fstat(file.fileno()).st_size == 0:
        return base64.b64encode(private_key().sign(b"")).decode()
    with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return base64.b64encode(private_key().sign(mapped)).decode()


def sign_bytes(data: bytes) -> str:
    return base64.b64encode(private_key().sign(data)).decode()
