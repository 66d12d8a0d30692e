"""TUF keys as the specification intends: an offline root, separate online keys per role, none of them Sparkle's.

- **Root** keys are Ed25519 key files on the operator's machine (`manage.py tuf_root`), a threshold
  of them (e.g. 2 of 3) signing each root version. They are never in settings, Secrets Manager or
  the Lambda package. A product's repository starts with a *bootstrap* root whose root key is online
  (so a product works the moment it is created); `tuf_root` replaces it, and from then on the
  function cannot sign root metadata.
- **Online** keys sign targets, snapshot and timestamp, one key per role: KMS keys in production
  (`UPDATES_TUF_KMS_KEYS = {"targets": ["<key id>", ...], ...}`, ECC_NIST_P256), key files under
  `$DEVDATA_DIR/tuf-online-keys/` locally. A role is signed by whichever of its configured keys the
  current root lists, so rotating a key is: configure the new key next to the old one, publish a
  root that lists only the new one (`manage.py tuf_rotate_online`), then drop the old one.
- The artifact key (`updates.signing`, Sparkle's EdDSA) signs no TUF metadata.

Signers are built per call from immutable key material: safe with any processes and threads.
"""

from __future__ import annotations

import copy
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from securesystemslib.signer import CryptoSigner, Key, Signature, Signer, SSlibKey
from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import Metadata, Root
from tuf.api.serialization.json import CanonicalJSONSerializer

from mysite import aws

ONLINE_ROLES = ("targets", "snapshot", "timestamp")
BOOTSTRAP_ROOT = "root"  # the online key of a product's first root, until `tuf_root` takes root offline
LOCAL_ONLINE_DIR = "tuf-online-keys"
KMS_RAW_LIMIT = 4096  # KMS signs messages up to 4 KiB as they are; longer ones as their SHA-256 digest


class KmsSigner(Signer):
    """An ECDSA P-256 key in AWS KMS (the private key never leaves KMS)."""

    def __init__(self, key_id: str, public_key: Key):
        self.key_id = key_id
        self._public_key = public_key

    @classmethod
    def for_key(cls, key_id: str) -> KmsSigner:
        der = aws.client("kms").get_public_key(KeyId=key_id)["PublicKey"]
        public = serialization.load_der_public_key(der)
        return cls(key_id, SSlibKey.from_crypto(public, scheme="ecdsa-sha2-nistp256"))

    @classmethod
    def from_priv_key_uri(cls, priv_key_uri, public_key, secrets_handler=None):  # pragma: no cover - not by URI
        raise NotImplementedError("Build a KmsSigner with KmsSigner.for_key(key_id).")

    @property
    def public_key(self) -> Key:
        return self._public_key

    def sign(self, payload: bytes) -> Signature:
        params = {"KeyId": self.key_id, "SigningAlgorithm": "ECDSA_SHA_256"}
        if len(payload) <= KMS_RAW_LIMIT:
            params.update(Message=payload, MessageType="RAW")
        else:
            params.update(Message=hashlib.sha256(payload).digest(), MessageType="DIGEST")
        signature = aws.client("kms").sign(**params)["Signature"]  # DER, as securesystemslib verifies it
        return Signature(self._public_key.keyid, signature.hex())


def kms_key_create(*, role: str) -> str:
    """A new KMS signing key for an online role (run by the operator, not by the function); its key id."""
    created = aws.client("kms").create_key(
        KeySpec="ECC_NIST_P256",
        KeyUsage="SIGN_VERIFY",
        Description=f"TUF {role} key ({settings.DYNAMODB_TABLE_PREFIX})",
    )
    return created["KeyMetadata"]["KeyId"]


# --- Key files -----------------------------------------------------------------------------------


def key_file_write(path: Path) -> CryptoSigner:
    """Generate an Ed25519 key into a new file (0600, never overwritten); its signer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return key_file_signer(path)


def key_file_signer(path: Path) -> CryptoSigner:
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} is not an Ed25519 key.")
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def key_dir_signers(folder: Path) -> list[CryptoSigner]:
    """Every key file (`*.pem`) in a folder, in name order."""
    return [key_file_signer(path) for path in sorted(Path(folder).glob("*.pem"))]


# --- Online keys ---------------------------------------------------------------------------------


def _local_dir() -> Path:
    folder = getattr(settings, "DEVDATA_DIR", None)
    if not folder:
        raise ImproperlyConfigured("Set UPDATES_TUF_KMS_KEYS: outside development the TUF online keys are in KMS.")
    return Path(folder) / LOCAL_ONLINE_DIR


def _kms_keys() -> dict[str, list[str]]:
    return getattr(settings, "UPDATES_TUF_KMS_KEYS", None) or {}


def online_signers(role: str) -> list[Signer]:
    """The configured keys of an online role (KMS in production, files locally; the first is generated there)."""
    kms = _kms_keys()
    if kms:
        return [KmsSigner.for_key(key_id) for key_id in kms.get(role, [])]
    signers = [key_file_signer(path) for path in sorted(_local_dir().glob(f"{role}-*.pem"))]
    if not signers:
        signers = [online_key_add(role=role)]
    return signers


def online_key_add(*, role: str) -> Signer:
    """A new local key file for an online role (locally; in production create a KMS key and configure it)."""
    if _kms_keys():
        raise ImproperlyConfigured("With KMS keys configured, create one with kms_key_create and add it to settings.")
    # A random file name first: concurrent first uses may each make a key; the root lists the one it was built with.
    temporary = _local_dir() / f".new-{role}-{os.urandom(8).hex()}"
    signer = key_file_write(temporary)
    final = _local_dir() / f"{role}-{signer.public_key.keyid[:16]}.pem"
    temporary.rename(final)
    return signer


def online_signer(role: str, root: Root) -> Signer:
    """The configured key of `role` that `root` lists for it; ImproperlyConfigured if none is."""
    listed = set(root.roles[role].keyids)
    for signer in online_signers(role):
        if signer.public_key.keyid in listed:
            return signer
    raise ImproperlyConfigured(f"No configured key signs {role} for this root (it lists {sorted(listed)}).")


def bootstrap_root_keys() -> dict[str, Key]:
    """The keys of a new product's first root: one online key per role, root's own included."""
    return {role: online_signers(role)[0].public_key for role in (BOOTSTRAP_ROOT, *ONLINE_ROLES)}


# --- Root versions -------------------------------------------------------------------------------


def root_next(
    current: Root,
    *,
    root_keys: list[Key] | None = None,
    threshold: int | None = None,
    online: dict[str, Key] | None = None,
    expires=None,
) -> Root:
    """The next root version: optionally new root keys and threshold, and new online keys per role."""
    root = copy.deepcopy(current)  # Root.from_dict(current.to_dict()) would share the roles' keyid lists
    root.version = current.version + 1
    if expires is not None:
        root.expires = expires
    if root_keys is not None:
        if threshold is None or not 1 <= threshold <= len(root_keys):
            raise ValueError("The threshold must be between 1 and the number of root keys.")
        for keyid in list(root.roles["root"].keyids):
            root.revoke_key(keyid, "root")
        for key in root_keys:
            root.add_key(key, "root")
        root.roles["root"].threshold = threshold
    for role, key in (online or {}).items():
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        root.add_key(key, role)
    return root


def root_sign(root: Root, *, previous: Root | None, signers: list[Signer]) -> Metadata[Root]:
    """Sign `root` with every signer whose key either root version trusts; checks both thresholds (spec 5.3.4)."""
    metadata = Metadata(root)
    trusted = set(root.roles["root"].keyids) | (set(previous.roles["root"].keyids) if previous else set())
    for signer in signers:
        if signer.public_key.keyid in trusted:
            metadata.sign(signer, append=True)
    payload = CanonicalJSONSerializer().serialize(metadata.signed)
    for verifier in (previous, root) if previous else (root,):
        try:
            verifier.verify_delegate("root", payload, metadata.signatures)
        except UnsignedMetadataError as error:
            raise ValueError(
                f"Root v{root.version} lacks a threshold of signatures trusted by v{verifier.version}."
            ) from error
    return metadata
