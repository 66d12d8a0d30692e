"""The authors' panel under /admin/blog/."""

from __future__ import annotations

from django.urls import path

from blog import admin_views

app_name = "blog-admin"

urlpatterns = [
    path("", admin_views.post_list, name="posts"),
    path("new/", admin_views.post_new, name="new"),
    path("preview/", admin_views.preview, name="preview"),
    path("readers/", admin_views.readers, name="readers"),
    path("staff/", admin_views.staff, name="staff"),
    path("<str:post_id>/", admin_views.post_edit, name="edit"),
    path("<str:post_id>/delete/", admin_views.post_delete, name="delete"),
    path("<str:post_id>/authors/", admin_views.post_authors, name="authors"),
    path("<str:post_id>/history/", admin_views.post_history, name="history"),
    path("<str:post_id>/history/<int:number>/restore/", admin_views.post_restore, name="restore"),
]
