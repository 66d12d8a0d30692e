from __future__ import annotations

from django.urls import path

from mysite import admin_views

app_name = "admin"

urlpatterns = [
    path("", admin_views.index, name="index"),
]
