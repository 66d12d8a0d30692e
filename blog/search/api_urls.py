"""The search API under /api/blog/ (in the blog API's namespace: `blog-api:search`)."""

from __future__ import annotations

from django.urls import path

from blog.search import apis

urlpatterns = [
    path("search", apis.SearchApi.as_view(), name="search"),
]
