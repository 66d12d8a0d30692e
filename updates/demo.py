"""Demo catalog for a new local stack: one product with a stable and a beta release."""

from __future__ import annotations

import hashlib

from mysite import aws, storage
from updates import services
from updates.errors import ProductExists

DEMO_RELEASES = [
    ("1.0.0", "stable", "## First release\n\n- Shows the time\n- Chimes on the hour", 100),
    ("1.1.0", "stable", "## Alarms\n\n- Set several alarms\n- Snooze", 100),
    ("1.2.0-beta.1", "beta", "## Dark mode (beta)\n\nFollows the system appearance.", 50),
]


def _artifact(product: str, version: str, platform: str) -> None:
    content = f"Desk Clock {version} for {platform}\n".encode() * 1000
    upload = services.artifact_upload_start(
        product=product,
        version=version,
        platform=platform,
        filename=f"DeskClock-{version}-{platform}.zip",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        minimum_os_version="12.0" if platform.startswith("darwin") else None,
    )
    aws.client("s3").put_object(Bucket=storage.bucket(), Key=upload["key"], Body=content)
    services.artifact_process(upload_key=upload["key"])  # what the S3 event handler does


def seed(*, stdout) -> None:
    try:
        product = services.product_create(
            slug="desk-clock", name="Desk Clock", description="A small clock for your desktop."
        )
    except ProductExists:
        return
    for version, channel, notes, rollout in DEMO_RELEASES:
        services.release_create(product=product.slug, version=version, channel=channel, notes=notes, rollout=rollout)
        for platform in ("darwin-universal", "windows-x64", "linux-x64"):
            _artifact(product.slug, version, platform)
        services.release_publish(product=product.slug, version=version)
    stdout.write("  Updates: demo product /updates/desk-clock/ with 3 releases.\n")
