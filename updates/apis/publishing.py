"""Publishing API for release managers: products, releases, artifact uploads, the release life cycle."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mysite.apis import PrivateApi, group_permission, validated
from mysite.constants import RELEASE_MANAGERS
from updates import selectors, services
from updates.apis.fields import SemVerField
from updates.constants import PLATFORMS

# Signed in and in `release-managers`; anyone else gets 403 (401 without credentials).
IsReleaseManager = group_permission(RELEASE_MANAGERS, message="Only release managers may do this.")


class PublishingApi(PrivateApi):
    permission_classes = [IsReleaseManager]


_validated = validated  # the core's (mysite.apis)


class ProductOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())


class ArtifactOutput(serializers.Serializer):
    platform = serializers.CharField()
    filename = serializers.CharField()
    status = serializers.CharField()
    rejection_reason = serializers.CharField(allow_null=True)
    minimum_os_version = serializers.CharField(allow_null=True)
    declared_size = serializers.IntegerField()
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True)
    signature = serializers.CharField(allow_null=True)
    key = serializers.CharField(allow_null=True)


class ReleaseOutput(serializers.Serializer):
    version = serializers.CharField(source="version_name")
    channel = serializers.CharField()
    status = serializers.CharField()
    notes = serializers.CharField()
    critical = serializers.BooleanField()
    minimum_version = serializers.CharField(allow_null=True)
    rollout = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)
    item_version = serializers.IntegerField(source="version", help_text="Send back as expected_version")


class ReleaseDetailOutput(ReleaseOutput):
    artifacts = ArtifactOutput(many=True)


def release_detail(release) -> dict:
    data = ReleaseOutput(release).data
    data["artifacts"] = ArtifactOutput(selectors.release_artifacts(release=release), many=True).data
    return data


class ProductListApi(PublishingApi):
    class OutputSerializer(serializers.Serializer):
        results = ProductOutput(many=True)
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        operation_id="updates_products_list",
        parameters=[OpenApiParameter("cursor", str)],
        responses={200: OutputSerializer},
    )
    def get(self, request):
        products, cursor = selectors.products_list(cursor=request.query_params.get("cursor"))
        return Response({"results": ProductOutput(products, many=True).data, "next_cursor": cursor})


class ProductCreateApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        slug = serializers.CharField(max_length=50)
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        channels = serializers.ListField(child=serializers.CharField(max_length=24), required=False, max_length=10)

    @extend_schema(operation_id="updates_products_create", request=InputSerializer, responses={201: ProductOutput})
    def post(self, request):
        product = services.product_create(**_validated(self.InputSerializer, request.data))
        return Response(ProductOutput(product).data, status=status.HTTP_201_CREATED)


class ReleaseListApi(PublishingApi):
    class OutputSerializer(serializers.Serializer):
        results = ReleaseOutput(many=True)
        next_cursor = serializers.CharField(allow_null=True)

    @extend_schema(
        operation_id="updates_releases_list",
        parameters=[OpenApiParameter("cursor", str)],
        responses={200: OutputSerializer},
    )
    def get(self, request, product: str):
        selectors.product_get(slug=product)
        releases, cursor = selectors.releases_list(product=product, cursor=request.query_params.get("cursor"))
        return Response({"results": ReleaseOutput(releases, many=True).data, "next_cursor": cursor})


class ReleaseCreateApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        version = SemVerField()
        channel = serializers.CharField(max_length=24)
        notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
        critical = serializers.BooleanField(required=False, default=False)
        minimum_version = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
        rollout = serializers.IntegerField(required=False, default=100, min_value=0, max_value=100)

    @extend_schema(operation_id="updates_releases_create", request=InputSerializer, responses={201: ReleaseOutput})
    def post(self, request, product: str):
        data = _validated(self.InputSerializer, request.data)
        release = services.release_create(product=product, actor=request.user.email, **data)
        return Response(release_detail(release), status=status.HTTP_201_CREATED)


class ReleaseDetailApi(PublishingApi):
    @extend_schema(operation_id="updates_releases_detail", responses={200: ReleaseDetailOutput})
    def get(self, request, product: str, version: str):
        return Response(release_detail(selectors.release_get(product=product, version=version)))


class ReleaseUpdateApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        expected_version = serializers.IntegerField(required=False, allow_null=True)
        notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
        critical = serializers.BooleanField(required=False)
        minimum_version = serializers.CharField(required=False, allow_blank=True, max_length=64)
        rollout = serializers.IntegerField(required=False, min_value=0, max_value=100)

    @extend_schema(
        operation_id="updates_releases_update", request=InputSerializer, responses={200: ReleaseDetailOutput}
    )
    def patch(self, request, product: str, version: str):
        data = _validated(self.InputSerializer, request.data)
        release = services.release_update(product=product, version=version, actor=request.user.email, **data)
        return Response(release_detail(release))


class TransitionInput(serializers.Serializer):
    expected_version = serializers.IntegerField(required=False, allow_null=True)


def _transition_api(action: str, service, summary: str) -> type[APIView]:
    class TransitionApi(PublishingApi):
        @extend_schema(
            operation_id=f"updates_releases_{action}",
            summary=summary,
            request=TransitionInput,
            responses={200: ReleaseDetailOutput},
        )
        def post(self, request, product: str, version: str):
            data = _validated(TransitionInput, request.data)
            return Response(release_detail(service(product=product, version=version, actor=request.user.email, **data)))

    TransitionApi.__name__ = TransitionApi.__qualname__ = f"Release{action.title()}Api"
    return TransitionApi


ReleasePublishApi = _transition_api("publish", services.release_publish, "Publish a draft (re-signs TUF metadata)")
ReleasePauseApi = _transition_api("pause", services.release_pause, "Stop offering a published release")
ReleaseResumeApi = _transition_api("resume", services.release_resume, "Offer a paused release again")
ReleaseYankApi = _transition_api("yank", services.release_yank, "Withdraw a release for good")


class ArtifactUploadStartApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        platform = serializers.ChoiceField(choices=PLATFORMS)
        filename = serializers.CharField(max_length=128)
        size = serializers.IntegerField(min_value=1)
        sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", max_length=64)
        minimum_os_version = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=32)
        multipart = serializers.BooleanField(required=False, allow_null=True, default=None)
        sha512 = serializers.CharField(
            required=False, allow_null=True, max_length=100, help_text="base64, as electron-builder's latest.yml has it"
        )
        sha1 = serializers.CharField(
            required=False, allow_null=True, max_length=40, help_text="hex, as Squirrel.Windows' RELEASES has it"
        )
        blockmap_size = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, help_text="electron-builder's .blockmap, uploaded too"
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
        operation_id="updates_artifacts_upload_start", request=InputSerializer, responses={201: OutputSerializer}
    )
    def post(self, request, product: str, version: str):
        data = _validated(self.InputSerializer, request.data)
        upload = services.artifact_upload_start(product=product, version=version, **data)
        return Response(upload, status=status.HTTP_201_CREATED)


class ArtifactUploadCompleteApi(PublishingApi):
    class InputSerializer(serializers.Serializer):
        class PartSerializer(serializers.Serializer):
            part_number = serializers.IntegerField(min_value=1, max_value=10_000)
            etag = serializers.CharField(max_length=128)

        upload_id = serializers.CharField(max_length=1024)
        parts = PartSerializer(many=True, allow_empty=False, max_length=10_000)

    @extend_schema(
        operation_id="updates_artifacts_upload_complete", request=InputSerializer, responses={202: ArtifactOutput}
    )
    def post(self, request, product: str, version: str, platform: str):
        data = _validated(self.InputSerializer, request.data)
        artifact = services.artifact_upload_complete(product=product, version=version, platform=platform, **data)
        return Response(ArtifactOutput(artifact).data, status=status.HTTP_202_ACCEPTED)


class ArtifactDetailApi(PublishingApi):
    @extend_schema(operation_id="updates_artifacts_detail", responses={200: ArtifactOutput})
    def get(self, request, product: str, version: str, platform: str):
        release = selectors.release_get(product=product, version=version)
        return Response(ArtifactOutput(selectors.artifact_get(release=release, platform=platform)).data)
