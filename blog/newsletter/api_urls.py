"""The authors' newsletter API under /api/blog/ (in the blog API's namespace)."""

from __future__ import annotations

from django.urls import path

from blog.newsletter import apis

urlpatterns = [
    path("admin/posts/<str:post_id>/newsletter", apis.NewsletterSendApi.as_view(), name="admin-post-newsletter"),
]
