"""Template filters for release notes and sizes."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from blog.rendering import render_markdown

register = template.Library()


@register.filter
def release_notes(text: str) -> str:
    """Markdown release notes as HTML through the blog's renderer and sanitiser (one per thread, see blog.rendering).

    Release notes have no uploaded images: an `image:` reference renders as a placeholder with its alt text.
    """
    return mark_safe(render_markdown(text or "", renditions_for=lambda wanted: {}))


@register.filter
def platform_label(platform: str) -> str:
    os_name, _, arch = platform.partition("-")
    names = {"darwin": "macOS", "windows": "Windows", "linux": "Linux"}
    return f"{names.get(os_name, os_name)} ({'Universal' if arch == 'universal' else arch})"
