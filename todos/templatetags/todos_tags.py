"""Template helpers for the todos pages: sanitised Markdown notes."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from mysite.richtext import markdown_to_html

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown notes and strip anything unsafe (scripts, handlers, javascript: links)."""
    return mark_safe(markdown_to_html(text))
