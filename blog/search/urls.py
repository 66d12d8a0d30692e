"""The search pages under /blog/search/ (included into the blog's namespace: `blog:search`)."""

from __future__ import annotations

from django.urls import path

from blog.search import views

urlpatterns = [
    path("", views.search_page, name="search"),
    path("live/", views.search_live, name="search-live"),
]
