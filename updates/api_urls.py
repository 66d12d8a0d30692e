"""/api/updates/: the publishing API first, then the public update checks (their free segments match last)."""

from __future__ import annotations

from django.urls import path

from updates.apis import beacons, public, publishing, ramp

app_name = "updates-api"

_release = "products/<slug:product>/releases/<str:version>/"

urlpatterns = [
    path("keys", public.SigningKeysApi.as_view(), name="keys"),
    path("beacons", beacons.BeaconApi.as_view(), name="beacons"),
    path("products/", publishing.ProductListApi.as_view(), name="products"),
    path("products/create/", publishing.ProductCreateApi.as_view(), name="product-create"),
    path("products/<slug:product>/releases/", publishing.ReleaseListApi.as_view(), name="releases"),
    path("products/<slug:product>/releases/create/", publishing.ReleaseCreateApi.as_view(), name="release-create"),
    path(_release, publishing.ReleaseDetailApi.as_view(), name="release"),
    path(f"{_release}update/", publishing.ReleaseUpdateApi.as_view(), name="release-update"),
    path(f"{_release}publish/", publishing.ReleasePublishApi.as_view(), name="release-publish"),
    path(f"{_release}pause/", publishing.ReleasePauseApi.as_view(), name="release-pause"),
    path(f"{_release}resume/", publishing.ReleaseResumeApi.as_view(), name="release-resume"),
    path(f"{_release}yank/", publishing.ReleaseYankApi.as_view(), name="release-yank"),
    path(f"{_release}ramp/", ramp.RampApi.as_view(), name="release-ramp"),
    path(f"{_release}ramp/resume/", ramp.RampResumeApi.as_view(), name="release-ramp-resume"),
    path(f"{_release}artifacts/", publishing.ArtifactUploadStartApi.as_view(), name="artifact-upload"),
    path(f"{_release}artifacts/<str:platform>/", publishing.ArtifactDetailApi.as_view(), name="artifact"),
    path(
        f"{_release}artifacts/<str:platform>/complete/",
        publishing.ArtifactUploadCompleteApi.as_view(),
        name="artifact-complete",
    ),
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
