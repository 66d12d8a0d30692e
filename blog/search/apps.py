from __future__ import annotations

from django.apps import AppConfig


class BlogSearchConfig(AppConfig):
    name = "blog.search"
    label = "blog_search"
    verbose_name = "Blog search"
