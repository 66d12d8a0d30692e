"""What every todos API view shares; the pieces now live in the core (mysite.apis, mysite.concurrency)."""

from __future__ import annotations

from mysite.apis import StrictSerializer, validated
from mysite.concurrency import expected_version, item_etag, private_response

__all__ = ["StrictSerializer", "expected_version", "item_etag", "private_response", "validated"]
