"""The S3 handler with the exact notification shape AWS delivers, and the TUF re-signing schedule."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus

from mysite import aws, storage
from updates import services
from updates.events import EVENT_SOURCES, artifact_uploaded_handler, tuf_refresh_handler
from updates.models import TufRepository


def s3_event(key: str, size: int) -> dict:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-01-01T00:00:00.000Z",
                "eventName": "ObjectCreated:CompleteMultipartUpload",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": storage.bucket(), "arn": f"arn:aws:s3:::{storage.bucket()}"},
                    "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": "x", "sequencer": "1"},
                },
            }
        ]
    }


def test_upload_sources_are_declared_for_zappa_and_the_dispatcher():
    assert next((s.function, getattr(s, "prefix", None)) for s in EVENT_SOURCES) == (
        "updates.events.artifact_uploaded_handler",
        "uploads/updates/",
    )


def test_handler_decodes_the_key_verifies_and_is_idempotent(catalog):
    product = catalog.product()
    services.release_create(product=product.slug, version="1.0.0-beta.1+build.7", channel="beta")
    content = b"handler bytes"
    start = services.artifact_upload_start(
        product=product.slug,
        version="1.0.0-beta.1+build.7",
        platform="linux-x64",
        filename="app.tar.gz",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    aws.client("s3").put_object(Bucket=storage.bucket(), Key=start["key"], Body=content)
    event = s3_event(start["key"], len(content))
    assert artifact_uploaded_handler(event, None) == {start["key"]: "ready"}
    assert artifact_uploaded_handler(event, None) == {start["key"]: "ignored"}


def test_schedule_re_signs_a_timestamp_close_to_expiry(catalog):
    product = catalog.product()
    catalog.release(product, "1.0.0")
    assert services.tuf_refresh(product=product.slug) is False
    later = datetime.now(UTC) + timedelta(hours=13)
    assert services.tuf_refresh(product=product.slug, now=later) is True
    state = TufRepository.get(product.slug)
    assert (state.targets_version, state.snapshot_version, state.timestamp_version) == (1, 1, 2)
    assert state.timestamp_expires > later
    assert product.slug not in tuf_refresh_handler({}, None)["refreshed"]
