"""Template helpers for the todos pages: sanitised Markdown notes."""

from __future__ import annotations

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown notes and strip anything unsafe (scripts, handlers, javascript: links)."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"])
    return mark_safe(nh3.clean(html, link_rel="noopener noreferrer nofollow"))
