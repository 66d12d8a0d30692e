"""Public pages and feeds under /updates/."""

from __future__ import annotations

from django.urls import path

from updates import views

app_name = "updates"

urlpatterns = [
    path("", views.index, name="index"),
    path("artifacts/<str:sha256>/<str:filename>", views.artifact, name="artifact"),
    path("<slug:product>/", views.product_page, name="product"),
    path("<slug:product>/appcast.xml", views.appcast, name="appcast"),
    path("<slug:product>/electron-builder/<str:name>", views.electron_builder_feed, name="electron-builder"),
    path(
        "<slug:product>/electron-builder/<str:version>/<str:filename>",
        views.electron_builder_download_redirect,
        name="electron-builder-file",
    ),
    path("<slug:product>/tuf/targets/<path:path>", views.tuf_target, name="tuf-target"),
    path("<slug:product>/tuf/<str:name>", views.tuf_metadata, name="tuf-metadata"),
]
