"""Site-root URLs the blog owns: robots.txt, sitemap.xml, and image renditions without a CDN."""

from __future__ import annotations

from django.urls import path

from blog import views

app_name = "blog-root"

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("media/blog/<str:name>", views.media, name="media"),
]
