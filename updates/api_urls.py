"""/api/updates/: the publishing API first, then the public update checks (their free segments match last).

The publishing routes follow docs/api-conventions.md; their earlier paths answer for one release,
after the current ones: 308 where only the path moved, a deprecated alias where more changed.
"""

from __future__ import annotations

import re

from django.urls import path, register_converter

from mysite.deprecation import moved_to
from updates import versions
from updates.apis import artifacts, beacons, legacy, public, publishing, ramp
from updates.constants import PLATFORMS

app_name = "updates-api"

_release = "products/<slug:product>/releases/<release_version:version>"
_artifact = f"{_release}/artifacts/<platform:platform>"


class AnyPath:
    """Any rest of a path, a newline included (`<path:…>`'s `.+` stops at one, which would leave such a path
    to the update checks)."""

    regex = "(?s:.+)"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ReleaseVersion:
    """A semantic version as SemVer.parse reads it (ASCII digits, no newline, at most MAX_LENGTH characters).

    Any other segment where a release's version goes matches no release route, so it reaches the catch-all
    below (404), never an earlier path's 308 to a path that cannot exist."""

    regex = re.sub(r"\(\?P<\w+>", "(?:", versions.SEMVER_REGEX)

    def to_python(self, value: str) -> str:
        if len(value) > versions.MAX_LENGTH:
            raise ValueError(value)  # no match: the next pattern is tried
        return value

    def to_url(self, value: str) -> str:
        return value


class Platform:
    """One of the catalog's platforms."""

    regex = "|".join(re.escape(platform) for platform in PLATFORMS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyPath, "anything")
register_converter(ReleaseVersion, "release_version")
register_converter(Platform, "platform")


def _moved(name: str):
    return moved_to(f"{app_name}:{name}")


urlpatterns = [
    path("keys", public.SigningKeysApi.as_view(), name="keys"),
    path("beacons", beacons.BeaconApi.as_view(), name="beacons"),
    path("products", publishing.ProductListApi.as_view(), name="products"),
    path("products/<slug:product>", publishing.ProductDetailApi.as_view(), name="product"),
    path("products/<slug:product>/releases", publishing.ReleaseListApi.as_view(), name="releases"),
    path(_release, publishing.ReleaseDetailApi.as_view(), name="release"),
    path(f"{_release}/publish", publishing.ReleasePublishApi.as_view(), name="release-publish"),
    path(f"{_release}/pause", publishing.ReleasePauseApi.as_view(), name="release-pause"),
    path(f"{_release}/resume", publishing.ReleaseResumeApi.as_view(), name="release-resume"),
    path(f"{_release}/yank", publishing.ReleaseYankApi.as_view(), name="release-yank"),
    path(f"{_release}/ramp", ramp.RampApi.as_view(), name="release-ramp"),
    path(f"{_release}/ramp/resume", ramp.RampResumeApi.as_view(), name="release-ramp-resume"),
    path(f"{_release}/artifacts", artifacts.ArtifactUploadStartApi.as_view(), name="artifact-upload"),
    path(_artifact, artifacts.ArtifactDetailApi.as_view(), name="artifact"),
    path(f"{_artifact}/complete", artifacts.ArtifactUploadCompleteApi.as_view(), name="artifact-complete"),
    # Earlier paths (one release) that only moved: 308 to the path above, method and body kept.
    path("products/", _moved("products")),
    path("products/create/", _moved("products")),
    path("products/<slug:product>/releases/", _moved("releases")),
    path("products/<slug:product>/releases/create/", _moved("releases")),
    path(f"{_release}/", _moved("release")),
    *(path(f"{_release}/{action}/", _moved(f"release-{action}")) for action in ("publish", "pause", "resume", "yank")),
    path(f"{_release}/artifacts/", _moved("artifact-upload")),
    path(f"{_artifact}/", _moved("artifact")),
    path(f"{_artifact}/complete/", _moved("artifact-complete")),
    # Earlier routes (one release) whose rules changed: they answer as before, pointing at their successor.
    path(f"{_release}/update/", legacy.LegacyReleaseUpdateApi.as_view(), name="release-update"),
    path(f"{_release}/ramp/", legacy.LegacyRampApi.as_view(), name="release-ramp-earlier"),
    path(f"{_release}/ramp/resume/", legacy.LegacyRampResumeApi.as_view(), name="release-ramp-resume-earlier"),
    # "products" is a reserved product name: nothing under it is an update check (docs/api-conventions.md).
    path("products/<anything:rest>", publishing.UnmatchedPublishingPathApi.as_view()),
    path(
        "<slug:product>/<str:channel>/<str:platform>/<str:current_version>",
        public.UpdateCheckApi.as_view(),
        name="check",
    ),
    path(
        "<slug:product>/<str:channel>/<str:platform>/<str:current_version>/rollout",
        public.UpdateRolloutApi.as_view(),
        name="check-rollout",
    ),
]
