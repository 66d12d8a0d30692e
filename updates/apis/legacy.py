"""The earlier publishing routes that keep answering for one release (paths that only moved answer 308 instead)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from mysite.apis import validated
from mysite.concurrency import expected_version
from mysite.deprecation import DeprecatedAlias
from updates import services
from updates.apis.fields import RELEASE_PATH
from updates.apis.publishing import (
    ReleaseApi,
    ReleaseConflictOutput,
    ReleaseDetailOutput,
    ReleaseEditFields,
    release_response,
)
from updates.apis.ramp import RampApi, RampResumeApi


class LegacyReleaseUpdateApi(DeprecatedAlias, ReleaseApi):
    """`PATCH …/releases/<v>/update/` (`expected_version` optional): now `PATCH …/releases/<v>`, a version required."""

    successor_name = "updates-api:release"

    class InputSerializer(ReleaseEditFields):
        expected_version = serializers.IntegerField(required=False, allow_null=True, help_text="The version you read")

    @extend_schema(
        operation_id="updates_releases_update_deprecated",
        parameters=RELEASE_PATH,
        request=InputSerializer,
        responses={200: ReleaseDetailOutput, 409: ReleaseConflictOutput},
        deprecated=True,
    )
    def patch(self, request, product: str, version: str):
        data = validated(self.InputSerializer, request.data)
        read = expected_version(request, {"version": data.pop("expected_version", None)})
        release = services.release_update(
            product=product, version=version, expected_version=read, actor=request.user.email, **data
        )
        return release_response(request, release)


@extend_schema_view(
    get=extend_schema(operation_id="updates_ramp_get_deprecated", parameters=RELEASE_PATH, deprecated=True),
    post=extend_schema(operation_id="updates_ramp_start_deprecated", parameters=RELEASE_PATH, deprecated=True),
)
class LegacyRampApi(DeprecatedAlias, RampApi):
    """`…/ramp/`: now `…/ramp`."""

    successor_name = "updates-api:release-ramp"


@extend_schema_view(
    post=extend_schema(operation_id="updates_ramp_resume_deprecated", parameters=RELEASE_PATH, deprecated=True)
)
class LegacyRampResumeApi(DeprecatedAlias, RampResumeApi):
    """`…/ramp/resume/`: now `…/ramp/resume`."""

    successor_name = "updates-api:release-ramp-resume"
