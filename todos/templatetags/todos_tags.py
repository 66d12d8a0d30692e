"""Template helpers for the todos pages: sanitised Markdown notes, how long ago something was done."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from mysite.richtext import markdown_to_html

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown notes and strip anything unsafe (scripts, handlers, javascript: links)."""
    return mark_safe(markdown_to_html(text))


@register.filter
def ago(moment: datetime | None) -> str:
    """How long ago `moment` was: "just now" within a minute, else "2 minutes ago", "3 hours ago"."""
    if moment is None:
        return ""
    if (datetime.now(UTC) - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
