"""Template filters for release notes and sizes."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from mysite.richtext import markdown_to_html

register = template.Library()


@register.filter
def release_notes(text: str) -> str:
    """Markdown release notes as sanitised HTML (release managers are trusted, browsers are not)."""
    return mark_safe(markdown_to_html(text))


@register.filter
def platform_label(platform: str) -> str:
    os_name, _, arch = platform.partition("-")
    names = {"darwin": "macOS", "windows": "Windows", "linux": "Linux"}
    return f"{names.get(os_name, os_name)} ({'Universal' if arch == 'universal' else arch})"
