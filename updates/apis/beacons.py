"""The outcome beacon: `POST /api/updates/beacons`, no authentication, small bodies, per-address limit."""

from __future__ import annotations

import json

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from mysite.apis import StrictSerializer, validated
from mysite.auth import client_ip
from mysite.errors import InvalidInput, Throttled
from mysite.parsers import JSONObject
from mysite.schema import ErrorSerializer
from updates import beacons
from updates.apis.fields import SemVerField
from updates.constants import MAX_BEACON_BYTES, PLATFORMS
from updates.errors import BeaconTooLarge


class BeaconApi(APIView):
    """One client's report of an update outcome; counted, never stored as an event (no personal data)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes: list = []  # the body is read here, bounded, before anything parses it

    class InputSerializer(StrictSerializer):
        product = serializers.SlugField(max_length=50)
        version = SemVerField()
        platform = serializers.ChoiceField(choices=PLATFORMS)
        outcome = serializers.ChoiceField(choices=beacons.OUTCOMES)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, Throttled):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @extend_schema(
        operation_id="updates_beacon",
        summary="Report an update outcome (downloaded, installed, failed, rolled-back)",
        # Read by the view itself (no parser): documented as the JSON object it must be.
        request={"application/json": InputSerializer},
        responses={
            204: None,
            429: OpenApiResponse(ErrorSerializer, description="Too many beacons; retry after Retry-After seconds"),
        },
    )
    def post(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not (length.isascii() and length.isdigit()) or int(length) > MAX_BEACON_BYTES:
            raise BeaconTooLarge()
        beacons.beacon_throttle(client=client_ip(request))
        body = request._request.read(MAX_BEACON_BYTES + 1)
        if len(body) > MAX_BEACON_BYTES:
            raise BeaconTooLarge()
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise InvalidInput("The body is not a JSON object.") from None
        if not isinstance(document, dict):
            raise InvalidInput("The body is not a JSON object.")
        unknown = sorted(set(document) - set(self.InputSerializer().fields))
        if unknown:
            # Anything beyond the four fields could carry personal data: refuse rather than drop it silently.
            raise InvalidInput(
                "A beacon holds product, version, platform and outcome only.",
                fields={name: ["Not a beacon field."] for name in unknown[:10]},
            )
        beacons.beacon_record(**validated(self.InputSerializer, JSONObject(document)))
        return Response(status=status.HTTP_204_NO_CONTENT)
