"""Public client API: the JSON update check and the published signing keys (cacheable, no cookies)."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from mysite.apis import PublicApi
from mysite.errors import InvalidInput
from updates import signing
from updates.delivery import artifact_url
from updates.selectors import platform_check, product_get, release_offer, release_rollout_ladder
from updates.versions import OS_VERSION_SCHEMA, SEMVER_SCHEMA, SemVer, os_version_tuple

CURRENT_VERSION = OpenApiParameter(
    "current_version", SEMVER_SCHEMA, OpenApiParameter.PATH, description="The installed version, e.g. 1.4.2"
)

NO_ROLLOUT_BUCKET = 99  # a client that sends no bucket gets only fully rolled-out releases
_BUCKET = re.compile(r"[0-9]{1,2}")


class PublicCacheableApi(PublicApi):
    """No authentication (so no session, no Vary: Cookie) and shared-cache headers on every answer."""

    renderer_classes = [JSONRenderer]
    max_age = 60
    s_maxage = 60
    cacheable_statuses = (200, 204)


def client_bucket(value: str | None) -> int:
    """The rollout bucket 0-99 a client derives from its install id; it is part of the URL, never a cookie."""
    if value is None or value == "":
        return NO_ROLLOUT_BUCKET
    # ASCII digits only: str.isdigit() also accepts "²" and "٣", which int() then refuses or reads.
    if not _BUCKET.fullmatch(value):
        raise InvalidInput("The bucket is a whole number from 0 to 99.", field="bucket")
    return int(value)


def client_os(value: str | None) -> tuple[int, ...] | None:
    return os_version_tuple(value, field_name="os") if value else None


class UpdateOfferSerializer(serializers.Serializer):
    version = serializers.CharField()
    channel = serializers.CharField()
    platform = serializers.CharField()
    notes = serializers.CharField()
    url = serializers.URLField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    signature = serializers.CharField(help_text="Base64 Ed25519 signature over the file, see /api/updates/keys")
    critical = serializers.BooleanField()
    minimum_os_version = serializers.CharField(allow_null=True)
    published_at = serializers.DateTimeField()


def offer_body(request, offer) -> dict:
    release, artifact = offer.release, offer.artifact
    return {
        "version": release.version_name,
        "channel": release.channel,
        "platform": artifact.platform,
        "notes": release.notes,
        "url": artifact_url(request, artifact),
        "size": int(artifact.size),
        "sha256": artifact.sha256,
        "signature": artifact.signature,
        "critical": bool(release.critical),
        "minimum_os_version": artifact.minimum_os_version,
        "published_at": release.published_at,
    }


class UpdateCheckApi(PublicCacheableApi):
    OutputSerializer = UpdateOfferSerializer

    @extend_schema(
        operation_id="updates_check",
        parameters=[
            OpenApiParameter(
                "bucket",
                {"type": "integer", "minimum": 0, "maximum": 99},
                description="Rollout bucket 0-99 (default 99)",
            ),
            OpenApiParameter("os", OS_VERSION_SCHEMA, description="The client's OS version, e.g. 14.2"),
            CURRENT_VERSION,
        ],
        responses={200: OutputSerializer, 204: None},
    )
    def get(self, request, product: str, channel: str, platform: str, current_version: str):
        owner = product_get(slug=product)
        platform_check(platform=platform)
        offer = release_offer(
            product=owner,
            channel=channel,
            platform=platform,
            current=SemVer.parse(current_version, field_name="current_version"),
            bucket=client_bucket(request.query_params.get("bucket")),
            os_version=client_os(request.query_params.get("os")),
        )
        if offer is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.OutputSerializer(offer_body(request, offer)).data)


class UpdateRolloutApi(PublicCacheableApi):
    """The fully cacheable check: one answer per product, channel, platform and installed version.

    It lists, newest first, every offer some client on that version may get, each with its rollout;
    the client takes the first whose rollout is above its own bucket (0-99, from its install id)
    and whose `minimum_os_version` it meets, which is what the bucketed check would have answered.
    """

    class OutputSerializer(serializers.Serializer):
        class RolloutOfferSerializer(UpdateOfferSerializer):
            rollout = serializers.IntegerField(
                min_value=1, max_value=100, help_text="Offered to clients whose bucket is below this"
            )

        offers = RolloutOfferSerializer(many=True)

    @extend_schema(
        operation_id="updates_check_rollout", parameters=[CURRENT_VERSION], responses={200: OutputSerializer}
    )
    def get(self, request, product: str, channel: str, platform: str, current_version: str):
        owner = product_get(slug=product)
        platform_check(platform=platform)
        ladder = release_rollout_ladder(
            product=owner,
            channel=channel,
            platform=platform,
            current=SemVer.parse(current_version, field_name="current_version"),
        )
        offers = [{**offer_body(request, offer), "rollout": int(offer.release.rollout)} for offer in ladder]
        return Response(self.OutputSerializer({"offers": offers}).data)


class SigningKeysApi(PublicCacheableApi):
    max_age = 300
    s_maxage = 3600

    class OutputSerializer(serializers.Serializer):
        class KeySerializer(serializers.Serializer):
            keyid = serializers.CharField()
            algorithm = serializers.CharField()
            public_key_base64 = serializers.CharField()
            public_key_hex = serializers.CharField()
            public_key_pem = serializers.CharField()
            fingerprint_sha256 = serializers.CharField()

        keys = KeySerializer(many=True)

    @extend_schema(operation_id="updates_signing_keys", responses={200: OutputSerializer})
    def get(self, request):
        return Response(self.OutputSerializer({"keys": signing.published_keys()}).data)
