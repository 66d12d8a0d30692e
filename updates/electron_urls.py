"""The update.electronjs.org-compatible endpoint, mounted at /update/."""

from __future__ import annotations

from django.urls import path

from updates import views

app_name = "updates-electron"

urlpatterns = [
    path("<slug:product>/<str:platform>/<str:version>", views.electron_update, name="check"),
    path("<slug:product>/<str:platform>/<str:version>/RELEASES", views.squirrel_windows_releases, name="releases"),
]
