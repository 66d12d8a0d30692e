"""What every todos API view shares; the protocol pieces live in the core (mysite.apis, mysite.concurrency).

Every class and function here is stateless (nothing kept across requests): right with any number of
processes and threads.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from mysite.apis import PrivateApi, StrictSerializer, validated
from mysite.concurrency import expected_version, item_etag, private_response
from todos.apis.serializers import CURRENT_OUTPUTS

__all__ = [
    "FORMAT_JSON",
    "BrowsableFilter",
    "StrictSerializer",
    "TodosApi",
    "expected_version",
    "item_etag",
    "item_response",
    "private_response",
    "results_response",
    "unstored_response",
    "validated",
]


class BrowsableFilter(StrictSerializer):
    """A list's query that also takes `?format=api`: DRF's browsable page, a convenience for people.

    The schema states only JSON: name `FORMAT_JSON` after the filter in the operation's parameters.
    """

    format = serializers.ChoiceField(choices=["json", "api"], required=False)


FORMAT_JSON = OpenApiParameter("format", str, enum=["json"], required=False)


class TodosApi(PrivateApi):
    # A todos endpoint for a signed-in user; a 409 carries the list, task or file as it is now, in the
    # shape GET gives it, whichever of them the write lost to. (No docstring: it would be every
    # subclass's description in the schema.)

    def current_body(self, current):
        return None if current is None else CURRENT_OUTPUTS[type(current).__name__](current).data


def item_response(
    request,
    item,
    output: type[serializers.Serializer],
    *,
    status: int = 200,
    context: dict | None = None,
    location: str | None = None,
) -> Response:
    """One versioned item for its owner: its body and `ETag: "v<N>"` (304 to a matching If-None-Match).

    `location`: the URL of a created item (a 201's `Location`).
    """
    body = output(item, context=context or {}).data
    return private_response(request, body, status=status, etag=item_etag(item.version), location=location)


def results_response(
    request, items, output: type[serializers.Serializer], *, context: dict | None = None, **extra
) -> Response:
    """A list for its owner: `{"results": [...], **extra}`, with an ETag of its content."""
    results = output(items, many=True, context=context or {}).data
    return private_response(request, {"results": results, **extra})


def unstored_response(body: dict) -> Response:
    """An answer no cache may keep (`private, no-store`): secrets, one-time links, sync state."""
    response = Response(body)
    response["Cache-Control"] = "private, no-store"
    return response
