"""Publishing API for artifact uploads: presigned S3 permission, multipart completion, the artifact's state."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from mysite.apis import validated
from updates import selectors, services
from updates.apis.fields import ARTIFACT_PATH, RELEASE_PATH, ArtifactSizeField, pattern_field
from updates.apis.publishing import ArtifactOutput, PublishingApi
from updates.constants import FILENAME_PATTERN, PLATFORMS
from updates.services.blockmaps import MAX_BLOCKMAP_BYTES
from updates.versions import OS_VERSION_SCHEMA


class ArtifactUploadStartApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        platform = serializers.ChoiceField(choices=PLATFORMS)
        filename = pattern_field(FILENAME_PATTERN.pattern, max_length=128)
        size = ArtifactSizeField()
        sha256 = pattern_field(r"^[0-9a-fA-F]{64}$", max_length=64)
        minimum_os_version = pattern_field(
            f"^(?:{OS_VERSION_SCHEMA['pattern'][1:-1]})?$", required=False, allow_blank=True, allow_null=True
        )
        multipart = serializers.BooleanField(required=False, allow_null=True, default=None)
        # 64 bytes in base64 (88 characters with their padding), as the service decodes it.
        sha512 = pattern_field(
            r"^[A-Za-z0-9+/]{86}==$",
            required=False,
            allow_null=True,
            max_length=88,
            help_text="base64, as electron-builder's latest.yml has it",
        )
        sha1 = pattern_field(
            r"^[0-9a-fA-F]{40}$",
            required=False,
            allow_null=True,
            max_length=40,
            help_text="hex, as Squirrel.Windows' RELEASES has it",
        )
        blockmap_size = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            max_value=MAX_BLOCKMAP_BYTES,
            help_text="electron-builder's .blockmap, uploaded too",
        )

    class OutputSerializer(serializers.Serializer):
        class PartSerializer(serializers.Serializer):
            part_number = serializers.IntegerField()
            url = serializers.URLField()

        platform = serializers.CharField()
        key = serializers.CharField()
        size = serializers.IntegerField()
        mode = serializers.ChoiceField(choices=["post", "multipart"])
        url = serializers.URLField(required=False, help_text="mode=post: POST the fields and the file here")
        fields = serializers.DictField(child=serializers.CharField(), required=False)
        upload_id = serializers.CharField(required=False, help_text="mode=multipart")
        part_size = serializers.IntegerField(required=False)
        parts = PartSerializer(many=True, required=False, help_text="PUT each slice to its URL; keep the ETags")
        blockmap = serializers.DictField(required=False, help_text="POST the .blockmap's fields and file here (url)")

    @extend_schema(
        operation_id="updates_artifacts_upload_start",
        parameters=RELEASE_PATH,
        request=InputSerializer,
        responses={201: OutputSerializer},
    )
    def post(self, request, product: str, version: str):
        data = validated(self.InputSerializer, request.data)
        upload = services.artifact_upload_start(product=product, version=version, **data)
        return Response(upload, status=status.HTTP_201_CREATED)


class ArtifactUploadCompleteApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        class PartSerializer(serializers.Serializer):
            part_number = serializers.IntegerField(min_value=1, max_value=10_000)
            etag = serializers.CharField(max_length=128)

        upload_id = serializers.CharField(max_length=1024)
        parts = serializers.ListField(child=PartSerializer(), min_length=1, max_length=10_000)

    @extend_schema(
        operation_id="updates_artifacts_upload_complete",
        parameters=ARTIFACT_PATH,
        request=InputSerializer,
        responses={202: ArtifactOutput},
    )
    def post(self, request, product: str, version: str, platform: str):
        data = validated(self.InputSerializer, request.data)
        artifact = services.artifact_upload_complete(product=product, version=version, platform=platform, **data)
        return Response(ArtifactOutput(artifact).data, status=status.HTTP_202_ACCEPTED)


class ArtifactDetailApi(PublishingApi):
    @extend_schema(operation_id="updates_artifacts_detail", parameters=ARTIFACT_PATH, responses={200: ArtifactOutput})
    def get(self, request, product: str, version: str, platform: str):
        release = selectors.release_get(product=product, version=version)
        return Response(ArtifactOutput(selectors.artifact_get(release=release, platform=platform)).data)
