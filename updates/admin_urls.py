"""The release managers' admin panel, mounted at /admin/updates/."""

from __future__ import annotations

from django.urls import path

from updates import admin_views, stats_views

app_name = "updates-admin"

urlpatterns = [
    path("", admin_views.index, name="index"),
    path("<slug:product>/", admin_views.product, name="product"),
    path("<slug:product>/figures/", stats_views.figures, name="figures"),
    path("<slug:product>/<str:version>/", admin_views.release, name="release"),
    path(
        "<slug:product>/<str:version>/<str:action>/",
        admin_views.transition,
        name="transition",
    ),
]
