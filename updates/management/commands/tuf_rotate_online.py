"""Replace the online key of one TUF role (targets, snapshot or timestamp) with a new one, through a new root."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from updates import tuf_keys
from updates.tuf_rotation import next_root_signed, root_publish


class Command(BaseCommand):
    help = (
        "Publish PRODUCT's next root listing a new key for ROLE, signed by the root key files in --root-keys-dir. "
        "Locally the new key is a file; with UPDATES_TUF_KMS_KEYS pass --kms-key-id of a key already added there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--product", required=True)
        parser.add_argument("--role", required=True, choices=tuf_keys.ONLINE_ROLES)
        parser.add_argument("--root-keys-dir", required=True, type=Path)
        parser.add_argument("--kms-key-id", help="The new KMS key (production)")

    def handle(self, *, product, role, root_keys_dir, kms_key_id=None, **options):
        configured = getattr(settings, "UPDATES_TUF_KMS_KEYS", None) or {}
        if configured:
            if not kms_key_id or kms_key_id not in configured.get(role, []):
                raise CommandError(f"Add the new key to UPDATES_TUF_KMS_KEYS[{role!r}] and pass it as --kms-key-id.")
            new = tuf_keys.KmsSigner.for_key(kms_key_id)
        else:
            new = tuf_keys.online_key_add(role=role)
        try:
            metadata = next_root_signed(
                product=product, signers=tuf_keys.key_dir_signers(root_keys_dir), online={role: new.public_key}
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        root_publish(product=product, metadata=metadata)
        self.stdout.write(f"Published root v{metadata.signed.version}: {role} is now signed by {new.public_key.keyid}.")
