"""What every todos API view shares; the protocol pieces live in the core (mysite.apis, mysite.concurrency).

Every function here is pure (no state across requests): right with any number of processes and threads.
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.response import Response

from mysite.apis import StrictSerializer, validated
from mysite.concurrency import expected_version, item_etag, private_response

__all__ = [
    "StrictSerializer",
    "expected_version",
    "item_etag",
    "item_response",
    "private_response",
    "results_response",
    "unstored_response",
    "validated",
]


def item_response(request, item, as_dict: Callable[..., dict], *, status: int = 200) -> Response:
    """One versioned item for its owner: its body and `ETag: "v<N>"` (304 to a matching If-None-Match)."""
    return private_response(request, as_dict(item), status=status, etag=item_etag(item.version))


def results_response(request, items, as_dict: Callable[..., dict], **extra) -> Response:
    """A list for its owner: `{"results": [...], **extra}`, with an ETag of its content."""
    return private_response(request, {"results": [as_dict(item) for item in items], **extra})


def unstored_response(body: dict) -> Response:
    """An answer no cache may keep (`private, no-store`): secrets, one-time links, sync state."""
    response = Response(body)
    response["Cache-Control"] = "private, no-store"
    return response
