from __future__ import annotations

from django.apps import AppConfig


class BlogNewsletterConfig(AppConfig):
    name = "blog.newsletter"
    label = "blog_newsletter"
    verbose_name = "Blog newsletter"
