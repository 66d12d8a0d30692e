"""The public blog under /blog/."""

from __future__ import annotations

from django.urls import include, path

from blog import views

app_name = "blog"

urlpatterns = [
    path("", views.index, name="index"),
    path("rss.xml", views.rss_feed, name="rss"),
    path("atom.xml", views.atom_feed, name="atom"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:year>/<int:month>/", views.archive_month, name="archive-month"),
    # Tag slugs may hold Unicode letters ("日本語"), which the `slug` converter refuses.
    path("tag/<str:tag>/", views.tag, name="tag"),
    path("author/<str:author_sub>/", views.author, name="author"),
    path("search/", include("blog.search.urls")),
    path("<slug:slug>/", views.post_detail, name="post"),
]
