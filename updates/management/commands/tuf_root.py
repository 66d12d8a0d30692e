"""Create and sign a product's next TUF root offline: new root keys (files) with a threshold, e.g. 2 of 3."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from updates import tuf_keys
from updates.tuf_rotation import next_root_signed, root_publish


class Command(BaseCommand):
    help = (
        "Publish PRODUCT's next root with the root keys in --keys-dir (generated there when it holds none), "
        "signed by them and by the current root's keys (--previous-keys-dir; a bootstrap root signs itself). "
        "Run it on the operator's machine: the key files never leave it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--product", required=True)
        parser.add_argument("--keys-dir", required=True, type=Path, help="Folder of the new root's Ed25519 key files")
        parser.add_argument("--count", type=int, default=3, help="Keys to generate into an empty --keys-dir")
        parser.add_argument("--threshold", type=int, default=2)
        parser.add_argument("--previous-keys-dir", type=Path, help="Key files of the current root (a threshold)")
        parser.add_argument("--dry-run", action="store_true", help="Sign and check, but publish nothing")

    def handle(self, *, product, keys_dir, count, threshold, previous_keys_dir=None, dry_run=False, **options):
        if not sorted(keys_dir.glob("*.pem")):
            if not 1 <= threshold <= count <= 10:
                raise CommandError("Use 1 <= threshold <= count <= 10.")
            for number in range(1, count + 1):
                tuf_keys.key_file_write(keys_dir / f"root-{number}.pem")
            self.stdout.write(f"Generated {count} root keys in {keys_dir}; keep them offline, apart.")
        new = tuf_keys.key_dir_signers(keys_dir)
        previous = tuf_keys.key_dir_signers(previous_keys_dir) if previous_keys_dir else []
        try:
            metadata = next_root_signed(
                product=product,
                signers=new + previous,
                root_keys=[s.public_key for s in new],
                threshold=threshold,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        root = metadata.signed
        summary = (
            f"root v{root.version}: {len(new)} root keys, threshold {threshold}, {len(metadata.signatures)} signatures"
        )
        if dry_run:
            self.stdout.write(f"Would publish {summary}.")
            return
        root_publish(product=product, metadata=metadata)
        self.stdout.write(f"Published {summary}.")
