"""Publishing API for release managers: products, releases and the release life cycle (docs/api-conventions.md).

A release is a versioned item: its answers carry `version` (an integer) and `ETag: "v<N>"`; a PATCH
states the version it read as `If-Match: "v<N>"` or `"version": N` (required); the actions (publish,
pause, resume, yank) take it optionally. A stale one answers 409 `version_conflict` with the release
as it is now under `current`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mysite.apis import PageQuery, PrivateApi, StrictSerializer, group_permission, page_limit, results_output, validated
from mysite.concurrency import (
    IF_MATCH,
    PRECONDITION_REQUIRED,
    VersionInput,
    expected_version,
    item_etag,
    private_response,
)
from mysite.constants import RELEASE_MANAGERS
from mysite.errors import NotFound
from mysite.idempotency import IDEMPOTENCY_KEY, idempotent
from mysite.parsers import SafeJSONParser
from updates import selectors, services
from updates.apis.fields import (
    PRODUCT_PATH,
    RELEASE_PATH,
    DistinctListField,
    OptionalSemVerField,
    SemVerField,
    pattern_field,
)
from updates.constants import CHANNEL_PATTERN, SLUG_PATTERN
from updates.versions import SemVer

# Signed in and in `release-managers`; anyone else gets 403 (401 without credentials).
IsReleaseManager = group_permission(RELEASE_MANAGERS, message="Only release managers may do this.")

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", str, OpenApiParameter.HEADER, required=False, description="The ETag you hold: 304 if current."
)


class PublishingApi(PrivateApi):
    permission_classes = [IsReleaseManager]
    # Release managers' tools send JSON: a form body, whose text cannot tell a list, a number or a boolean
    # from a string, is a 415.
    parser_classes = [SafeJSONParser]


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
    version_name = serializers.CharField(help_text="The semantic version, as in the release's path")
    version = serializers.IntegerField(help_text='The item version: send it back as If-Match "v<N>" or "version"')
    channel = serializers.CharField()
    status = serializers.CharField()
    notes = serializers.CharField()
    critical = serializers.BooleanField()
    minimum_version = serializers.CharField(allow_null=True)
    rollout = serializers.IntegerField()
    published_at = serializers.DateTimeField(allow_null=True)


class ReleaseDetailOutput(ReleaseOutput):
    artifacts = ArtifactOutput(many=True)


class ReleaseConflictOutput(serializers.Serializer):
    class ErrorOutput(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        current = ReleaseDetailOutput(help_text="The release as it is now.")

    error = ErrorOutput()


def release_detail(release) -> dict:
    data = ReleaseOutput(release).data
    data["artifacts"] = ArtifactOutput(selectors.release_artifacts(release=release), many=True).data
    return data


def release_url(release) -> str:
    return reverse("updates-api:release", args=[release.product, release.version_name])


def earlier_name(data, *, earlier: str, now: str):
    """`data` with a field sent under its earlier name moved to `now` (accepted for one release, not in the schema).

    A client that follows the 308 of an earlier path sends the earlier body; both names given must agree.
    """
    if not isinstance(data, Mapping) or earlier not in data:
        return data
    data = {name: data[name] for name in data}
    value = data.pop(earlier)
    if value is not None and data.get(now) is not None and data[now] != value:
        raise serializers.ValidationError({now: [f"`{now}` and its earlier name `{earlier}` disagree."]})
    if value is not None:
        data[now] = value
    return data


class ReleaseVersionInput(VersionInput):
    def to_internal_value(self, data):
        return super().to_internal_value(earlier_name(data, earlier="expected_version", now="version"))


class ReleaseApi(PublishingApi):
    """An API on one release: a version conflict answers with the release as GET shows it."""

    def current_body(self, current):
        return None if current is None else release_detail(current)


def release_response(request, release, *, status: int = 200, location: str | None = None) -> Response:
    """One release with its artifacts: `ETag: "v<N>"`, 304 to a matching If-None-Match, never shared."""
    etag = item_etag(release.version)
    return private_response(request, release_detail(release), status=status, etag=etag, location=location)


class UnmatchedPublishingPathApi(PublishingApi):
    """Any path under `products/` no publishing route matches: 401/403, then 404; never an update check."""

    schema = None  # not an operation: it only keeps such paths away from the check routes

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        raise NotFound()


class ProductListApi(PublishingApi):
    """GET lists the products (paginated); POST creates one (201, Location, Idempotency-Key)."""

    class FilterSerializer(StrictSerializer, PageQuery):
        limit = page_limit(maximum=100, default=50)

    OutputSerializer = results_output("ProductListApiOutput", ProductOutput, paged=True)

    class InputSerializer(serializers.Serializer):
        # The patterns product_create holds slugs and channels to (it also refuses the reserved slugs).
        slug = pattern_field(SLUG_PATTERN.pattern, max_length=50)
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
        channels = DistinctListField(
            child=pattern_field(CHANNEL_PATTERN.pattern, max_length=24), required=False, max_length=10
        )

    @extend_schema(
        operation_id="updates_products_list", parameters=[FilterSerializer], responses={200: OutputSerializer}
    )
    def get(self, request):
        query = validated(self.FilterSerializer, request.query_params)
        products, cursor = selectors.products_list(cursor=query.get("cursor"), limit=query["limit"])
        return Response(self.OutputSerializer({"results": products, "next_cursor": cursor}).data)

    @extend_schema(
        operation_id="updates_products_create",
        request=InputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ProductOutput},
    )
    @idempotent
    def post(self, request):
        product = services.product_create(**validated(self.InputSerializer, request.data))
        response = Response(ProductOutput(product).data, status=status.HTTP_201_CREATED)
        response["Location"] = reverse("updates-api:product", args=[product.slug])
        return response


class ProductDetailApi(PublishingApi):
    @extend_schema(operation_id="updates_products_detail", parameters=PRODUCT_PATH, responses={200: ProductOutput})
    def get(self, request, product: str):
        return Response(ProductOutput(selectors.product_get(slug=product)).data)


class ReleaseListApi(PublishingApi):
    """GET lists a product's releases, newest first (paginated); POST creates a draft (201, Location, ETag)."""

    class FilterSerializer(StrictSerializer, PageQuery):
        limit = page_limit(maximum=100, default=25)

    OutputSerializer = results_output("ReleaseListApiOutput", ReleaseOutput, paged=True)

    class InputSerializer(serializers.Serializer):
        version_name = SemVerField(help_text="The semantic version, e.g. 1.4.2")
        channel = pattern_field(CHANNEL_PATTERN.pattern, max_length=24, help_text="One of the product's channels")
        notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=20_000)
        critical = serializers.BooleanField(required=False, default=False)
        minimum_version = OptionalSemVerField(allow_null=True, help_text="Lower than the release's version")
        rollout = serializers.IntegerField(required=False, default=100, min_value=0, max_value=100)

        def to_internal_value(self, data):
            return super().to_internal_value(earlier_name(data, earlier="version", now="version_name"))

        def validate(self, attrs):
            # Parsed here so that an error names `version_name` (the service, which parses it again, says `version`).
            SemVer.parse(attrs["version_name"], field_name="version_name")
            return attrs

    @extend_schema(
        operation_id="updates_releases_list",
        parameters=[*PRODUCT_PATH, FilterSerializer],
        responses={200: OutputSerializer},
    )
    def get(self, request, product: str):
        query = validated(self.FilterSerializer, request.query_params)
        selectors.product_get(slug=product)
        releases, cursor = selectors.releases_list(product=product, cursor=query.get("cursor"), limit=query["limit"])
        return Response(self.OutputSerializer({"results": releases, "next_cursor": cursor}).data)

    @extend_schema(
        operation_id="updates_releases_create",
        request=InputSerializer,
        parameters=[*PRODUCT_PATH, IDEMPOTENCY_KEY],
        responses={201: ReleaseDetailOutput},
    )
    @idempotent
    def post(self, request, product: str):
        data = validated(self.InputSerializer, request.data)
        data["version"] = data.pop("version_name")
        release = services.release_create(product=product, actor=request.user.email, **data)
        return release_response(request, release, status=status.HTTP_201_CREATED, location=release_url(release))


class ReleaseEditFields(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    critical = serializers.BooleanField(required=False)
    minimum_version = OptionalSemVerField(help_text="Lower than the release's version; a blank clears it")
    rollout = serializers.IntegerField(required=False, min_value=0, max_value=100)


class ReleaseDetailApi(ReleaseApi):
    """GET reads a release with its artifacts (ETag, 304); PATCH edits the fields given."""

    class PatchSerializer(ReleaseVersionInput, ReleaseEditFields):
        pass

    @extend_schema(
        operation_id="updates_releases_detail",
        parameters=[*RELEASE_PATH, IF_NONE_MATCH],
        responses={200: ReleaseDetailOutput},
    )
    def get(self, request, product: str, version: str):
        return release_response(request, selectors.release_get(product=product, version=version))

    @extend_schema(
        operation_id="updates_releases_update",
        request=PatchSerializer,
        parameters=[*RELEASE_PATH, IF_MATCH],
        responses={200: ReleaseDetailOutput, 409: ReleaseConflictOutput, 428: PRECONDITION_REQUIRED},
    )
    def patch(self, request, product: str, version: str):
        data = validated(self.PatchSerializer, request.data)
        read = expected_version(request, data, required=True)
        release = services.release_update(
            product=product, version=version, expected_version=read, actor=request.user.email, **data
        )
        return release_response(request, release)


def _transition_api(action: str, service, summary: str) -> type[APIView]:
    class TransitionApi(ReleaseApi):
        @extend_schema(
            operation_id=f"updates_releases_{action}",
            summary=summary,
            request=ReleaseVersionInput,
            parameters=[*RELEASE_PATH, IF_MATCH],
            responses={200: ReleaseDetailOutput, 409: ReleaseConflictOutput},
        )
        def post(self, request, product: str, version: str):
            read = expected_version(request, validated(ReleaseVersionInput, request.data))
            release = service(product=product, version=version, expected_version=read, actor=request.user.email)
            return release_response(request, release)

    TransitionApi.__name__ = TransitionApi.__qualname__ = f"Release{action.title()}Api"
    return TransitionApi


ReleasePublishApi = _transition_api("publish", services.release_publish, "Publish a draft (re-signs TUF metadata)")
ReleasePauseApi = _transition_api("pause", services.release_pause, "Stop offering a published release")
ReleaseResumeApi = _transition_api("resume", services.release_resume, "Offer a paused release again")
ReleaseYankApi = _transition_api("yank", services.release_yank, "Withdraw a release for good")
